import Foundation
import Testing
import Unstructured

@testable import KubeModel

@Suite("Rarely-set fields kept out of line")
struct OutOfLineFieldsTests {
    @Test("Container, PodSpec and PodStatus stay small inline")
    func inlineSizes() {
        #expect(MemoryLayout<Container>.size <= 48)
        #expect(MemoryLayout<PodSpec>.size <= 96)
        #expect(MemoryLayout<PodStatus>.size <= 120)
    }

    @Test("setting a field and clearing it again gives a value equal to (and hashing as) one never set")
    func clearedEqualsUnset() {
        var container = Container(name: "app")
        container.env = [EnvVar(name: "A", value: "1")]
        #expect(container != Container(name: "app"))
        container.env = nil
        #expect(container == Container(name: "app"))
        #expect(container.hashValue == Container(name: "app").hashValue)
        var spec = PodSpec(containers: [container], tolerations: [])
        #expect(spec != PodSpec(containers: [container]))
        spec.tolerations = nil
        #expect(spec == PodSpec(containers: [container]))
        #expect(Set([spec, PodSpec(containers: [container])]).count == 1)
        let status = PodStatus(qosClass: nil)
        #expect(status == PodStatus())
    }

    @Test("copies are independent (copy on write)")
    func copyOnWrite() {
        var original = Container(name: "app", env: [EnvVar(name: "A", value: "1")], stdin: true)
        var copy = original
        copy.env?.append(EnvVar(name: "B"))
        copy.stdin = false
        #expect(original.env == [EnvVar(name: "A", value: "1")])
        #expect(original.stdin == true)
        #expect(copy.env?.count == 2)
        original.tty = true
        #expect(copy.tty == nil)
        var status = PodStatus(phase: .running, qosClass: "Burstable")
        let before = status
        status.containerStatuses = [ContainerStatus(name: "app", ready: true, restartCount: 0)]
        #expect(before.containerStatuses == nil)
        #expect(status.qosClass == "Burstable")
    }

    @Test("a fixture pod decodes to the same value with JSONDecoder, JSONBytesDecoder and JSONValueDecoder")
    func decodersAgree() throws {
        let foundation = try decode(Pod.self, Fixtures.pod)
        let bytes = try JSONBytesDecoder().decode(Pod.self, from: Array(Fixtures.pod.utf8))
        let tree = try JSONValueDecoder().decode(Pod.self, from: JSONValue.parse(Fixtures.pod))
        #expect(bytes == foundation)
        #expect(tree == foundation)
        #expect(foundation.spec?.containers.first?.livenessProbe != nil)
        #expect(foundation.status?.containerStatuses?.isEmpty == false)
        for (json, type) in [
            (Fixtures.node, Node.self as any (Decodable & Equatable).Type), (Fixtures.statefulSet, StatefulSet.self),
            (Fixtures.job, Job.self), (Fixtures.lease, Lease.self), (Fixtures.pdb, PodDisruptionBudget.self),
        ] {
            #expect(try sameDecoding(type, json))
        }
    }

    private func sameDecoding<T: Decodable & Equatable>(_ type: T.Type, _ json: String) throws -> Bool {
        try decode(T.self, json) == JSONBytesDecoder().decode(T.self, from: Array(json.utf8))
    }

    @Test("encoding writes the fields in declaration order, absent ones omitted, and reads back equal")
    func encoding() throws {
        let container = Container(
            name: "app", image: "img", command: ["run"], ports: [ContainerPort(containerPort: 80)],
            env: [EnvVar(name: "A")], imagePullPolicy: "Always", tty: true)
        // JSONValueEncoder keeps the order the fields were encoded in (Foundation's JSONEncoder does not).
        let tree = try JSONValueEncoder().encode(container)
        #expect(tree.objectValue.map { Array($0.keys) } == ["name", "image", "command", "ports", "env", "imagePullPolicy", "tty"])
        #expect(try roundTrip(container) == container)
        let pod = try decode(Pod.self, Fixtures.pod)
        #expect(try roundTrip(pod) == pod)
    }
}
