public import KubeModel
public import MigrationAPI
public import Placement

/// Which triggers of a policy a node matches: cordon (`spec.unschedulable`), the label selector, or a
/// trigger taint (key, and value and effect when given).
public enum DrainDetection {
    /// The triggers `node` matches, in the order cordon, label, taint; empty when it is not draining.
    public static func triggers(of node: Node, for triggers: PolicyTriggers?) -> [DrainTrigger] {
        Self.triggers(
            unschedulable: node.isUnschedulable, labels: node.metadata.labels ?? [:], taints: node.taints, for: triggers)
    }

    /// The triggers the prepared `node` matches (``triggers(of:for:)-(Node,_)``).
    public static func triggers(of node: FitNode, for triggers: PolicyTriggers?) -> [DrainTrigger] {
        Self.triggers(unschedulable: node.unschedulable, labels: node.labels, taints: node.taints, for: triggers)
    }

    private static func triggers(
        unschedulable: Bool, labels: @autoclosure () -> [String: String], taints: @autoclosure () -> [Taint],
        for triggers: PolicyTriggers?
    ) -> [DrainTrigger] {
        guard let triggers else { return [] }
        var matched: [DrainTrigger] = []
        if triggers.cordon == true, unschedulable { matched.append(.cordon) }
        if let selector = triggers.nodeSelector, !selector.isEmpty, selector.matches(labels()) {
            matched.append(.nodeLabel)
        }
        if let taintTriggers = triggers.taints, !taintTriggers.isEmpty {
            let taints = taints()
            if taintTriggers.contains(where: { trigger in taints.contains { matches(trigger, $0) } }) {
                matched.append(.taint)
            }
        }
        return matched
    }

    /// The draining nodes among `nodes`, sorted by name.
    public static func drainingNodes(_ nodes: [Node], for triggers: PolicyTriggers?) -> [DrainingNode] {
        drainingNodes(nodes.map(FitNode.init), for: triggers)
    }

    /// The draining nodes among the prepared `nodes`, sorted by name.
    public static func drainingNodes(_ nodes: [FitNode], for triggers: PolicyTriggers?) -> [DrainingNode] {
        guard triggers != nil else { return [] }
        return nodes.compactMap { node -> DrainingNode? in
            guard !node.name.isEmpty else { return nil }
            let matched = Self.triggers(of: node, for: triggers)
            return matched.isEmpty ? nil : DrainingNode(name: node.name, triggers: matched)
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
