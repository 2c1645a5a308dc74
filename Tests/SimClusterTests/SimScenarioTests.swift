import Foundation
import KubeModel
@testable import SimCluster
import Testing

@Suite("SimScenario")
struct SimScenarioTests {
    @Test("the basic fixture loads into nodes, workloads and faults")
    func basicFixtureLoads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/basic.yaml")
        let scenario = try SimScenario.load(yaml: String(contentsOf: url, encoding: .utf8))
        let nodes = scenario.nodeConfigurations
        #expect(nodes.map(\.name) == ["node-a", "node-b"])
        #expect(nodes[0].containerRuntimeVersion == "cri-o://1.31.2")
        #expect(nodes[1].runtimeName == "containerd")
        #expect(nodes[1].cpu == Quantity("2"))
        #expect(nodes[1].taints == [Taint(key: "dedicated", value: "migration", effect: .noSchedule)])
        #expect(nodes[0].labels["topology.kubernetes.io/zone"] == "zone-a")

        let sets = scenario.statefulSets
        #expect(sets.map { $0.metadata.name } == ["counter"])
        #expect(sets.first?.spec?.template.spec?.containers.first?.env == [EnvVar(name: "QUEUE", value: "counter-events")])
        #expect(scenario.workloads?.first?.producer == SimScenario.Producer(queue: "counter-events", ratePerSecond: 20))

        let faults = SimFaults()
        scenario.applyFaults(to: faults)
        #expect(faults.kubeletDelay == .milliseconds(5))
        #expect(faults.checkpointFailure(node: "node-b", namespace: "default", pod: "x")?.message == "CRIU dump failed")
        #expect(faults.checkpointFailure(node: "node-a", namespace: "default", pod: "x") == nil)
        #expect(faults.startFailure(image: "registry/broken:1") == .exitWithError)
    }

    @Test("start faults narrowed to a node and to checkpoint images end after their count or their time")
    func boundedStartFaults() async throws {
        let scenario = try SimScenario.load(yaml: """
            nodes: [{name: node-a}, {name: node-b}]
            faults:
              startFailures:
                - {checkpointImages: true, node: node-b, failure: ErrImagePull, times: 2}
                - {image: flaky, failure: ExitWithError, forSeconds: 0.2}
            """)
        let faults = SimFaults()
        scenario.applyFaults(to: faults)
        #expect(faults.startFailure(image: "reg/ckpt:1", node: "node-b", fromCheckpoint: false) == nil)
        #expect(faults.startFailure(image: "reg/ckpt:1", node: "node-a", fromCheckpoint: true) == nil)
        let pull = SimFaults.StartFailure.imagePull(message: "injected image pull failure")
        #expect(faults.startFailure(image: "reg/ckpt:1", node: "node-b", fromCheckpoint: true) == pull)
        #expect(faults.startFailure(image: "reg/ckpt:1", node: "node-b", fromCheckpoint: true) == pull)
        #expect(faults.startFailure(image: "reg/ckpt:1", node: "node-b", fromCheckpoint: true) == nil, "spent after 2")
        #expect(faults.startFailure(image: "reg/flaky:1") == .exitWithError)
        #expect(faults.startFailure(image: "reg/flaky:1") == .exitWithError)
        try await Task.sleep(for: .milliseconds(250))
        #expect(faults.startFailure(image: "reg/flaky:1") == nil, "over 0.2 s after the first failure")
    }

    @Test("image matchers compare repositories without registry and tag")
    func imageMatchers() {
        #expect(SimImageMatcher.repository(of: "registry.local:5000/ms2m/counter:v1") == "ms2m/counter")
        #expect(SimImageMatcher.repository(of: "ms2m/counter@sha256:abc") == "ms2m/counter")
        #expect(SimImageMatcher.repository(of: "localhost/counter") == "counter")
        #expect(SimImageMatcher.repository("counter").matches("docker.io/ms2m/counter:latest"))
        #expect(!SimImageMatcher.repository("counter").matches("ms2m/counter-v2:1"))
        #expect(SimImageMatcher.repositorySuffix("checkpoint-transfer").matches("reg:5000/ms2m/ms2m-checkpoint-transfer:0.1"))
        #expect(!SimImageMatcher.repositorySuffix("checkpoint-transfer").matches("reg:5000/checkpoint-transfer-x:1"))
    }
}
