import KubeModel
import MigrationAPI
@testable import PolicyEngine
import Testing

@Suite("PodCoverage")
struct PodCoverageTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var selection: PodSelection?
        var pod: Pod
        var namespaceLabels: [String: String] = [:]
        var covered: Bool
        var testDescription: String { name }
    }

    static let daemonSetPod: Pod = Fixture.pod(
        "agent", on: "a", owner: OwnerReference(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "ds", controller: true))

    static let cases: [Case] = [
        Case(name: "StatefulSet pod, default owner kinds", selection: nil, pod: Fixture.pod("db-0", on: "a"), covered: true),
        Case(name: "bare pod, default owner kinds", selection: nil, pod: Fixture.pod("solo", on: "a", bare: true), covered: false),
        Case(name: "bare pod, BarePod allowed", selection: PodSelection(ownerKinds: [.barePod]),
             pod: Fixture.pod("solo", on: "a", bare: true), covered: true),
        Case(name: "ReplicaSet pod, ReplicaSet allowed", selection: PodSelection(ownerKinds: [.replicaSet]),
             pod: Fixture.pod("web-x", on: "a", owner: Fixture.replicaSetOwner("web")), covered: true),
        Case(name: "ReplicaSet pod, only StatefulSet allowed", selection: PodSelection(ownerKinds: [.statefulSet]),
             pod: Fixture.pod("web-x", on: "a", owner: Fixture.replicaSetOwner("web")), covered: false),
        Case(name: "DaemonSet pod is never covered",
             selection: PodSelection(ownerKinds: [.statefulSet, .replicaSet, .barePod]), pod: daemonSetPod, covered: false),
        Case(name: "pod selector matches", selection: PodSelection(podSelector: LabelSelector(matchLabels: ["app": "db"])),
             pod: Fixture.pod("db-0", on: "a"), covered: true),
        Case(name: "pod selector does not match", selection: PodSelection(podSelector: LabelSelector(matchLabels: ["app": "web"])),
             pod: Fixture.pod("db-0", on: "a"), covered: false),
        Case(name: "namespace selector matches",
             selection: PodSelection(namespaceSelector: LabelSelector(matchLabels: ["team": "shop"])),
             pod: Fixture.pod("db-0", on: "a"), namespaceLabels: ["team": "shop"], covered: true),
        Case(name: "namespace selector does not match",
             selection: PodSelection(namespaceSelector: LabelSelector(matchLabels: ["team": "shop"])),
             pod: Fixture.pod("db-0", on: "a"), namespaceLabels: ["team": "ops"], covered: false),
    ]

    @Test("coverage follows selectors and owner kinds", arguments: cases)
    func coverage(_ c: Case) {
        #expect(PodCoverage(c.selection).covers(c.pod, namespaceLabels: c.namespaceLabels) == c.covered)
    }
}
