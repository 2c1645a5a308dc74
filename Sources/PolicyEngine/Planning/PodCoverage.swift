public import KubeModel
public import MigrationAPI

/// Whether a policy's selection covers a pod: its namespace's labels, its own labels and its owner kind.
public struct PodCoverage: Sendable {
    /// The selection, as written in the policy.
    public let selection: PodSelection?
    /// The owner kinds that qualify (`[StatefulSet]` by default).
    public let ownerKinds: Set<PodOwnerKind>

    /// Coverage by `selection`.
    public init(_ selection: PodSelection?) {
        self.selection = selection
        self.ownerKinds = Set(selection?.ownerKinds ?? [.statefulSet])
    }

    /// The owner kind of `pod`: its controller's kind for StatefulSets and ReplicaSets, `BarePod` without a
    /// controller, nil for any other controller (DaemonSet, Job, …), which no policy covers.
    public static func ownerKind(of pod: Pod) -> PodOwnerKind? {
        guard let controller = pod.metadata.controllerReference else { return .barePod }
        switch controller.kind {
        case "StatefulSet": return .statefulSet
        case "ReplicaSet": return .replicaSet
        default: return nil
        }
    }

    /// `namespace/name` of the pod's StatefulSet, when a StatefulSet controls it.
    public static func statefulSetKey(of pod: Pod) -> String? {
        guard let controller = pod.metadata.controllerReference, controller.kind == "StatefulSet" else { return nil }
        return "\(pod.metadata.namespace ?? "")/\(controller.name)"
    }

    /// Whether the selection covers `pod`, given its namespace's labels. Opt-outs are not considered here.
    public func covers(_ pod: Pod, namespaceLabels: [String: String]) -> Bool {
        guard let kind = Self.ownerKind(of: pod), ownerKinds.contains(kind) else { return false }
        if let selector = selection?.namespaceSelector, !selector.matches(namespaceLabels) { return false }
        if let selector = selection?.podSelector, !selector.matches(pod.metadata.labels ?? [:]) { return false }
        return true
    }
}
