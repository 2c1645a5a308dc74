public import ControllerRuntime
public import KubeModel
public import Placement

/// Every cached node prepared for planning (``FitNode``), replaced node by node as the cache changes, so that a
/// plan or an eviction decision reads thousands of prepared nodes instead of copying and preparing every `Node`.
public enum FitNodeSummary {
    /// The summary's value: each node prepared, by name.
    public typealias Value = [String: FitNode]

    /// A new summary of an empty cache; attach it to the node cache with `InformerCache.addSummary(_:)`.
    public static func make() -> CacheSummary<Node, Value> {
        CacheSummary([:]) { nodes, removed, added in update(&nodes, removed: removed, added: added) }
    }

    /// Folds one cache change into `nodes`: `removed` leaves, `added` (a new node or a node's new state)
    /// replaces it.
    public static func update(_ nodes: inout Value, removed: Node?, added: Node?) {
        if let name = removed?.metadata.name { nodes[name] = nil }
        if let added, let name = added.metadata.name { nodes[name] = FitNode(added) }
    }
}
