import KubeModel
import Placement
import Testing
import Unstructured

/// Soft preferences rank the nodes that pass the filters, as kube-scheduler's scoring plugins do with their
/// default weights (https://kubernetes.io/docs/reference/scheduling/config/#scheduling-plugins): preferred
/// node affinity, preferred pod affinity and anti-affinity, ScheduleAnyway spread and PreferNoSchedule taints
/// outweigh how empty a node is (assign-pod-node, "preferredDuringSchedulingIgnoredDuringExecution";
/// topology-spread-constraints, "whenUnsatisfiable: ScheduleAnyway"; taint-and-toleration, "PreferNoSchedule").
@Suite("Placement: soft preferences rank the feasible nodes")
struct PreferenceTests {
    @Test("a preferred node affinity term wins over a roomier node")
    func preferredNodeAffinity() {
        let nodes = [node("roomy", cpu: "32", labels: ["disk": "hdd"]), node("ssd", cpu: "4", labels: ["disk": "ssd"]), node("source")]
        var moving = pod("db-0", on: "source", labels: ["app": "db"])
        #expect(choose(moving, nodes: nodes, pods: [moving], excluded: ["source"]).node == "roomy", "without preferences the emptiest node wins")
        moving.spec?.affinity = Affinity(nodeAffinity: NodeAffinity(preferredDuringSchedulingIgnoredDuringExecution: [
            PreferredSchedulingTerm(weight: 50, preference: NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "disk", operator: .in, values: ["ssd"])]))
        ]))
        #expect(choose(moving, nodes: nodes, pods: [moving], excluded: ["source"]).node == "ssd")
    }

    @Test("preferred pod anti-affinity steers away from a node with a matching pod; preferred affinity towards it")
    func preferredPodAffinity() {
        let nodes = [node("roomy", cpu: "32"), node("small", cpu: "4"), node("source")]
        let cache = pod("cache-0", on: "roomy", labels: ["app": "cache"])
        let avoid = pod("web-0", on: "source", labels: ["app": "web"], preferredAntiAffinity: [(100, term(["app": "cache"], key: hostname))])
        #expect(choose(avoid, nodes: nodes, pods: [cache, avoid], excluded: ["source"]).node == "small")
        let seek = pod("web-1", on: "source", labels: ["app": "web"], preferredAffinity: [(100, term(["app": "cache"], key: hostname))])
        let smallCache = pod("cache-1", on: "small", labels: ["app": "cache"])
        let bigWeb = [pod("w-a", on: "roomy", labels: ["app": "x"]), smallCache]
        #expect(choose(seek, nodes: nodes, pods: bigWeb + [seek], excluded: ["source"]).node == "small")
    }

    @Test("ScheduleAnyway spread prefers the domain with fewer matching pods but never excludes one")
    func softSpread() {
        let nodes = [node("a1", cpu: "32", zone: "a"), node("b1", cpu: "4", zone: "b"), node("source", zone: "c")]
        let existing = (0..<3).map { pod("kv-\($0)", on: "a1", labels: ["app": "kv"]) }
        let constraint: JSONValue = ["maxSkew": 1, "topologyKey": .string(zone), "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": ["matchLabels": ["app": "kv"]]]
        let moving = pod("kv-3", on: "source", labels: ["app": "kv"], spread: [constraint])
        let choice = choose(moving, nodes: nodes, pods: existing + [moving], excluded: ["source"])
        #expect(choice.node == "b1")
        #expect(choice.rejected.isEmpty)
    }

    @Test("an untolerated PreferNoSchedule taint lowers a node; a toleration lifts it")
    func preferNoSchedule() {
        var tainted = node("roomy", cpu: "32")
        tainted.spec = NodeSpec()
        tainted.spec?.taints = [Taint(key: "spot", value: "true", effect: .preferNoSchedule)]
        let nodes = [FitNode(tainted), FitNode(node("small", cpu: "4"))]
        var moving = pod("db-0", on: "source", labels: ["app": "db"])
        let targets = TargetChooser.prepare(nodes, usage: [:])
        #expect(TargetChooser().choose(for: moving, among: targets, excluded: []).node == "small")
        moving.spec?.tolerations = [Toleration(key: "spot", operator: .exists)]
        #expect(TargetChooser().choose(for: moving, among: targets, excluded: []).node == "roomy")
    }
}
