import KubeClient
import KubeModel
import OperatorCore
@testable import SimCluster
import Testing
import Unstructured

@Suite("SimulatedCluster scheduler")
struct SimSchedulerTests {
    private static let nodes = [
        SimNodeConfiguration(name: "node-a", labels: ["disk": "hdd"], cpu: "4"),
        SimNodeConfiguration(name: "node-b", labels: ["disk": "ssd"], cpu: "2"),
        SimNodeConfiguration(name: "node-c", taints: [Taint(key: "dedicated", value: "db", effect: .noSchedule)], cpu: "8"),
        SimNodeConfiguration(name: "node-d", unschedulable: true, cpu: "16"),
    ]

    @Test("nodeSelector, required affinity, taints with tolerations, and cordoned nodes are honoured")
    func filters() async throws {
        try await SimClusterHarness.run(nodes: Self.nodes) { h in
            try await h.create(SimClusterHarness.counterPod("ssd") { $0.nodeSelector = ["disk": "ssd"] })
            try await h.create(SimClusterHarness.counterPod("affine") { spec in
                spec.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [
                    NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: .in, values: ["node-a"])])
                ])))
            })
            try await h.create(SimClusterHarness.counterPod("tolerant") { spec in
                spec.tolerations = [Toleration(key: "dedicated", operator: .equal, value: "db", effect: .noSchedule)]
                spec.nodeSelector = ["kubernetes.io/hostname": "node-c"]
            })
            try await h.create(SimClusterHarness.counterPod("default"))
            #expect(try await h.waitForPod("ssd") { $0.spec?.nodeName != nil }.spec?.nodeName == "node-b")
            #expect(try await h.waitForPod("affine") { $0.spec?.nodeName != nil }.spec?.nodeName == "node-a")
            try await h.waitForPod("tolerant") { $0.spec?.nodeName != nil }
            // Least allocated among the untainted, schedulable nodes: node-a (4 cpu) beats node-b (2 cpu).
            #expect(try await h.waitForPod("default") { $0.spec?.nodeName != nil }.spec?.nodeName == "node-a")
            #expect(try await h.pod("tolerant")?.spec?.nodeName == "node-c")
        }
    }

    @Test("a pod that fits nowhere is Unschedulable and is bound once a node changes")
    func unschedulableRetried() async throws {
        try await SimClusterHarness.run(nodes: [SimNodeConfiguration(name: "node-a", unschedulable: true)]) { h in
            try await h.create(SimClusterHarness.counterPod("waiting"))
            let pending = try await h.waitForPod("waiting") { $0.status?.condition(.podScheduled)?.reason == "Unschedulable" }
            #expect(pending.status?.condition(.podScheduled)?.status == .false)
            #expect(pending.status?.condition(.podScheduled)?.message == "0/1 nodes are available: 1 node(s) were unschedulable.")
            #expect(pending.spec?.nodeName == nil)
            _ = try await h.client.patch(
                Node.self, name: "node-a", namespace: nil, patch: .merge(["spec": ["unschedulable": .null]]), subresource: nil,
                options: WriteOptions())
            let bound = try await h.waitForPod("waiting") { $0.status?.phase == .running }
            #expect(bound.spec?.nodeName == "node-a")
            #expect(bound.status?.condition(.podScheduled)?.status == .true)
        }
    }

    @Test("resource requests count against allocatable minus what is placed, and the pod count")
    func resources() async throws {
        try await SimClusterHarness.run(nodes: [SimNodeConfiguration(name: "node-a", cpu: "1", memory: "1Gi", pods: 2)]) { h in
            try await h.create(SimClusterHarness.counterPod("big", requests: ["cpu": "600m"]))
            try await h.create(SimClusterHarness.counterPod("second", requests: ["cpu": "600m"]))
            try await h.waitForPod("big") { $0.spec?.nodeName == "node-a" }
            let second = try await h.waitForPod("second") { $0.status?.condition(.podScheduled)?.reason == "Unschedulable" }
            #expect(second.status?.condition(.podScheduled)?.message == "0/1 nodes are available: 1 Insufficient cpu.")
            try await h.create(SimClusterHarness.counterPod("small-1", requests: ["cpu": "100m"]))
            try await h.create(SimClusterHarness.counterPod("small-2", requests: ["cpu": "100m"]))
            try await h.waitForPod("small-1") { $0.spec?.nodeName == "node-a" }
            let third = try await h.waitForPod("small-2") { $0.status?.condition(.podScheduled)?.reason == "Unschedulable" }
            #expect(third.status?.condition(.podScheduled)?.message?.contains("Too many pods") == true)
            _ = try await h.client.delete(Pod.self, name: "small-2", namespace: "default", options: DeleteOptions())
            // Deleting the big pod frees room for the waiting one.
            _ = try await h.client.delete(Pod.self, name: "big", namespace: "default", options: DeleteOptions())
            #expect(try await h.waitForPod("second") { $0.spec?.nodeName != nil }.spec?.nodeName == "node-a")
        }
    }

    @Test("filter reasons as kube-scheduler words them", arguments: [
        ("cordoned", Node(metadata: ObjectMeta(name: "n"), spec: NodeSpec(unschedulable: true)), ["node(s) were unschedulable"]),
        ("tainted", Node(metadata: ObjectMeta(name: "n"), spec: NodeSpec(taints: [Taint(key: "k", value: "v", effect: .noExecute)])),
         ["node(s) had untolerated taint {k: v}"]),
        ("prefer-no-schedule is ignored", Node(metadata: ObjectMeta(name: "n"), spec: NodeSpec(taints: [Taint(key: "k", effect: .preferNoSchedule)])), []),
    ])
    func filterReasons(_ name: String, _ node: Node, _ expected: [String]) {
        let pod = SimClusterHarness.counterPod("p")
        #expect(SchedulingFilters.reasons(pod: pod, on: SchedulingCandidate(node: node, requested: [:], podCount: 0)) == expected, "\(name)")
    }
}
