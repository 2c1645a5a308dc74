public import KubeModel

/// How a restored pod is held to the node ms2m chose for it while the cluster's scheduler still binds it:
/// a required node affinity term on the node's name (`matchFields: metadata.name In [node]`, the form the
/// DaemonSet controller uses), ANDed into each of the pod's own required terms, instead of `spec.nodeName`,
/// which bypasses the scheduler (its filters, its plugins, a custom `schedulerName`).
///
/// The pin is ms2m's, not the workload's: the pod is annotated with the pinned node, and a later move of the
/// pod reads its required node affinity without the pin (``requiredNodeAffinity(of:)``), as it ignores the
/// pod's current `nodeName`. A pin the workload wrote itself (no annotation naming it) is kept and enforced.
public enum NodePin {
    /// The annotation naming the node ms2m pinned the pod to.
    public static let annotation = "migration.ms2m.io/pinned-node"
    /// The node field a pin selects on.
    public static let fieldKey = "metadata.name"

    /// `pod` pinned to `node`: its earlier pin removed, the pin ANDed into every required node selector term
    /// (one term holding only the pin when it had none), `spec.nodeName` cleared, the annotation set.
    public static func pin(_ pod: inout Pod, to node: String) {
        var spec = pod.spec ?? PodSpec()
        let requirement = NodeSelectorRequirement(key: fieldKey, operator: .in, values: [node])
        var terms = requiredNodeAffinity(of: pod)?.nodeSelectorTerms ?? []
        if terms.isEmpty { terms = [NodeSelectorTerm()] }
        for index in terms.indices {
            terms[index].matchFields = (terms[index].matchFields ?? []) + [requirement]
        }
        var affinity = spec.affinity ?? Affinity()
        var nodeAffinity = affinity.nodeAffinity ?? NodeAffinity()
        nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = NodeSelector(nodeSelectorTerms: terms)
        affinity.nodeAffinity = nodeAffinity
        spec.affinity = affinity
        spec.nodeName = nil
        pod.spec = spec
        var annotations = pod.metadata.annotations ?? [:]
        annotations[annotation] = node
        pod.metadata.annotations = annotations
    }

    /// The pod's required node affinity as the workload asked for it: without ms2m's pin (nil when nothing
    /// else is required). A pod without the annotation is returned as it is.
    public static func requiredNodeAffinity(of pod: Pod) -> NodeSelector? {
        let required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
        guard let required, let pinned = pod.metadata.annotations?[annotation] else { return required }
        let isPin = { (r: NodeSelectorRequirement) in r.key == fieldKey && r.operator == .in && r.values == [pinned] }
        var terms: [NodeSelectorTerm] = []
        for var term in required.nodeSelectorTerms {
            guard let fields = term.matchFields, fields.contains(where: isPin) else {
                terms.append(term)
                continue
            }
            let kept = fields.filter { !isPin($0) }
            term.matchFields = kept.isEmpty ? nil : kept
            // A term that held only the pin stood for "any node": the pod had no required terms of its own.
            if (term.matchExpressions ?? []).isEmpty && term.matchFields == nil { continue }
            terms.append(term)
        }
        return terms.isEmpty ? nil : NodeSelector(nodeSelectorTerms: terms)
    }

    /// The node `pod` is bound to, else the one ms2m pinned it to (what it takes room on once the scheduler
    /// binds it); nil for a pod that is neither.
    public static func node(of pod: Pod) -> String? {
        if let node = pod.spec?.nodeName, !node.isEmpty { return node }
        return pod.metadata.annotations?[annotation]
    }

    /// `pod` as the workload asked for it: the pin and its annotation removed (the affinity dropped when
    /// nothing else is left in it).
    public static func unpinned(_ pod: Pod) -> Pod {
        guard pod.metadata.annotations?[annotation] != nil else { return pod }
        var pod = pod
        if var affinity = pod.spec?.affinity, var nodeAffinity = affinity.nodeAffinity {
            nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = requiredNodeAffinity(of: pod)
            let empty = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution == nil
                && (nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution ?? []).isEmpty
            affinity.nodeAffinity = empty ? nil : nodeAffinity
            let none = affinity.nodeAffinity == nil && affinity.podAffinity == nil && affinity.podAntiAffinity == nil
            pod.spec?.affinity = none ? nil : affinity
        }
        pod.metadata.annotations?[annotation] = nil
        if pod.metadata.annotations?.isEmpty == true { pod.metadata.annotations = nil }
        return pod
    }
}
