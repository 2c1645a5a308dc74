public import KubeModel
public import MigrationAPI

/// Which triggers of a policy a node matches: cordon (`spec.unschedulable`), the label selector, or a
/// trigger taint (key, and value and effect when given).
public enum DrainDetection {
    /// The triggers `node` matches, in the order cordon, label, taint; empty when it is not draining.
    public static func triggers(of node: Node, for triggers: PolicyTriggers?) -> [DrainTrigger] {
        guard let triggers else { return [] }
        var matched: [DrainTrigger] = []
        if triggers.cordon == true, node.isUnschedulable { matched.append(.cordon) }
        if let selector = triggers.nodeSelector, !selector.isEmpty,
            selector.matches(node.metadata.labels ?? [:])
        {
            matched.append(.nodeLabel)
        }
        if let taintTriggers = triggers.taints,
            taintTriggers.contains(where: { trigger in node.taints.contains { matches(trigger, $0) } })
        {
            matched.append(.taint)
        }
        return matched
    }

    /// The draining nodes among `nodes`, sorted by name.
    public static func drainingNodes(_ nodes: [Node], for triggers: PolicyTriggers?) -> [DrainingNode] {
        nodes.compactMap { node -> DrainingNode? in
            guard let name = node.metadata.name else { return nil }
            let matched = Self.triggers(of: node, for: triggers)
            return matched.isEmpty ? nil : DrainingNode(name: name, triggers: matched)
        }
        .sorted { $0.name < $1.name }
    }

    static func matches(_ trigger: TaintTrigger, _ taint: Taint) -> Bool {
        guard trigger.key == taint.key else { return false }
        if let value = trigger.value, value != (taint.value ?? "") { return false }
        if let effect = trigger.effect, effect != taint.effect { return false }
        return true
    }
}
