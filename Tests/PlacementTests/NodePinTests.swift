import KubeModel
import Placement
import Testing
import Unstructured

/// A restored pod is held to its target by required node affinity on the node's name, the form the DaemonSet
/// controller uses (kubernetes.io/docs/concepts/workloads/controllers/daemonset/#how-daemon-pods-are-scheduled:
/// "adds a NodeAffinity term to the DaemonSet pod, instead of the .spec.nodeName field"; node selector terms are
/// ORed and the requirements of one term ANDed, so the pin goes into every term).
@Suite("Placement: the node pin of a restored pod")
struct NodePinTests {
    static func node(_ name: String, zone: String) -> Node {
        var node = Node(metadata: ObjectMeta(name: name, labels: ["kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone]))
        var status = NodeStatus()
        status.allocatable = ["cpu": "8", "memory": "32Gi", "pods": "110"]
        status.conditions = [NodeCondition(type: .ready, status: .true)]
        var info = NodeSystemInfo()
        info.containerRuntimeVersion = "cri-o://1.31.2"
        info.kubeletVersion = "v1.31.2"
        status.nodeInfo = info
        node.status = status
        return node
    }

    static let zoneTerms = [
        NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "topology.kubernetes.io/zone", operator: .in, values: ["a"])]),
        NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "topology.kubernetes.io/zone", operator: .in, values: ["b"])]),
    ]

    static func pod(required: [NodeSelectorTerm]?, on node: String = "n1") -> Pod {
        var spec = PodSpec(containers: [Container(name: "app", image: "app:1")])
        spec.nodeName = node
        if let required {
            spec.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: required)))
        }
        return Pod(metadata: ObjectMeta(name: "db-0", namespace: "default", annotations: ["team": "data"]), spec: spec)
    }

    static func pinRequirement(_ node: String) -> NodeSelectorRequirement {
        NodeSelectorRequirement(key: "metadata.name", operator: .in, values: [node])
    }

    @Test("the pin is ANDed into each of the pod's own terms, nodeName cleared; alone when the pod had none")
    func pinShape() {
        var pinned = Self.pod(required: Self.zoneTerms)
        NodePin.pin(&pinned, to: "n3")
        #expect(pinned.spec?.nodeName == nil)
        #expect(pinned.metadata.annotations == ["team": "data", NodePin.annotation: "n3"])
        let terms = pinned.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
        #expect(terms?.count == 2)
        #expect(terms?.allSatisfy { $0.matchFields == [Self.pinRequirement("n3")] } == true)
        #expect(terms?.map(\.matchExpressions) == Self.zoneTerms.map(\.matchExpressions))

        var bare = Self.pod(required: nil)
        NodePin.pin(&bare, to: "n2")
        #expect(bare.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
            == [NodeSelectorTerm(matchFields: [Self.pinRequirement("n2")])])
    }

    @Test("the scheduler's reading (the whole selector) admits only the pinned node, and only where the pod's own terms do")
    func schedulerReading() throws {
        let nodes = [Self.node("n1", zone: "a"), Self.node("n2", zone: "b"), Self.node("n3", zone: "c")]
        for (own, target, expected) in [
            (Self.zoneTerms as [NodeSelectorTerm]?, "n2", ["n2"]),
            (Self.zoneTerms, "n3", []),  // pinned where the pod's own affinity forbids: nothing matches
            (nil, "n3", ["n3"]),
        ] {
            var pod = Self.pod(required: own)
            NodePin.pin(&pod, to: target)
            let selector = try #require(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
            #expect(nodes.filter { selector.matches($0) }.compactMap(\.metadata.name) == expected, "pinned to \(target)")
        }
    }

    @Test("a move reads the pod's affinity without ms2m's pin; pinning again replaces it; unpinned restores the original")
    func movesIgnoreThePin() {
        for own in [Self.zoneTerms, nil] {
            let original = Self.pod(required: own)
            var restored = original
            NodePin.pin(&restored, to: "n2")
            restored.spec?.nodeName = "n2"  // bound by the scheduler
            #expect(NodePin.requiredNodeAffinity(of: restored)?.nodeSelectorTerms == own)
            var unpinned = NodePin.unpinned(restored)
            unpinned.spec?.nodeName = "n1"
            #expect(unpinned == original)
            var again = restored
            NodePin.pin(&again, to: "n1")
            let terms = again.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []
            #expect(terms.allSatisfy { $0.matchFields == [Self.pinRequirement("n1")] }, "the old pin is gone, not ANDed")
            #expect(again.metadata.annotations?[NodePin.annotation] == "n1")
        }
    }

    @Test("node fit: a restored pod may move on (its pin ignored); a workload's own matchFields pin is kept and enforced")
    func nodeFit() {
        let n1 = Self.node("n1", zone: "a")
        let n2 = Self.node("n2", zone: "a")
        var restored = Self.pod(required: nil)
        NodePin.pin(&restored, to: "n1")
        restored.spec?.nodeName = "n1"
        #expect(NodeFit.failures(of: restored, on: n2, podsOnNode: []).isEmpty)

        // The same requirement without ms2m's annotation is the workload's: moving off n1 violates it.
        var ownPin = restored
        ownPin.metadata.annotations?[NodePin.annotation] = nil
        #expect(NodeFit.failures(of: ownPin, on: n2, podsOnNode: []) == [.nodeAffinityMismatch])
        #expect(NodeFit.failures(of: ownPin, on: n1, podsOnNode: []).isEmpty)
    }
}
