public import ControllerRuntime
public import KubeModel
public import Placement

/// What the pods bound to each node request (``NodeUsage``), kept in step with the pod cache event by event,
/// so that planning reads every node's usage instead of summing 100,000s of pods on each pass. A target pod
/// ms2m pinned to a node counts there before the scheduler binds it (``NodePin/node(of:)``).
public enum NodeUsageSummary {
    /// The summary's value: each node's usage by name; nodes without counted pods are absent.
    public typealias Value = [String: NodeUsage]

    /// A new summary of an empty cache; attach it to the pod cache with `InformerCache.addSummary(_:)`.
    public static func make() -> CacheSummary<Pod, Value> {
        CacheSummary([:]) { usage, removed, added in update(&usage, removed: removed, added: added) }
    }

    /// Folds one cache change into `usage`: `removed` (the pod as it was counted) leaves, `added` enters.
    public static func update(_ usage: inout Value, removed: Pod?, added: Pod?) {
        if let removed, let node = NodePin.node(of: removed) {
            usage[node]?.remove(removed)
            if usage[node]?.isEmpty == true { usage[node] = nil }
        }
        if let added, let node = NodePin.node(of: added) {
            usage[node, default: NodeUsage()].add(added)
        }
    }

    /// The usage of `pods`, computed in one pass (what the summary holds for a cache of `pods`).
    public static func usage(of pods: [Pod]) -> Value {
        var usage: Value = [:]
        for pod in pods {
            guard let node = NodePin.node(of: pod) else { continue }
            usage[node, default: NodeUsage()].add(pod)
        }
        return usage.filter { !$0.value.isEmpty }
    }
}
