public import KubeModel
import Placement

/// Where a candidate can go.
public enum TargetOutcome: Sendable, Hashable {
    /// This node, the chooser's best.
    case node(String)
    /// Some node fits, but every such node is at `maxInboundPerNode`.
    case inboundBudgetFull
    /// No node fits: the most common reason (CamelCase) and every node's reasons.
    case unplaceable(reason: String, message: String)
}

/// Chooses targets for a policy's candidates with `TargetChooser` (kube-scheduler's filters, least-allocated
/// spread, replicas of one owner kept apart, ties by name) among the nodes the policy may target: never a
/// draining node, never one outside `spec.targets.nodeSelector`; cordoned and NotReady nodes are rejected by
/// the fit rules with their reason.
struct TargetSelection {
    let nodes: [Node]
    let podsByNode: [String: [Pod]]
    /// Each node's usage, summed once per plan.
    let usage: [String: NodeUsage]
    let excluded: Set<String>
    private let chooser = TargetChooser()

    /// Targets among `allNodes`, never one in `draining` nor one `targetSelector` does not match.
    init(allNodes: [Node], podsByNode: [String: [Pod]], draining: Set<String>, targetSelector: LabelSelector?) {
        var excluded = draining
        for node in allNodes {
            guard let name = node.metadata.name else { continue }
            if let targetSelector, !targetSelector.matches(node.metadata.labels ?? [:]) { excluded.insert(name) }
        }
        self.nodes = allNodes.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        self.podsByNode = podsByNode
        self.usage = podsByNode.mapValues { NodeUsage(pods: $0) }
        self.excluded = excluded
    }

    /// The target for `pod` moving off `source`, counting `reserved` requests as used, skipping `full` nodes.
    func choose(for pod: Pod, source: String, reserved: [String: [String: Quantity]], full: Set<String>) -> TargetOutcome {
        let owner = pod.metadata.controllerReference?.uid
        var excluded = self.excluded
        excluded.insert(source)
        let choice = chooser.choose(
            for: pod, among: nodes, usage: usage, excluded: excluded.union(full), reserved: reserved, ownerUID: owner)
        if let node = choice.node { return .node(node) }
        if !full.isEmpty {
            let unlimited = chooser.choose(
                for: pod, among: nodes, usage: usage, excluded: excluded, reserved: reserved, ownerUID: owner)
            if unlimited.node != nil { return .inboundBudgetFull }
        }
        if choice.rejected.isEmpty {
            return .unplaceable(
                reason: "NoEligibleTarget",
                message: "no node other than draining ones matches the policy's target selector")
        }
        return .unplaceable(reason: Self.reason(for: choice.rejected), message: choice.rejectionSummary)
    }

    /// Whether `pod` fits `node` with `reserved` requests already promised to it.
    func fits(_ pod: Pod, on node: String, reserved: [String: [String: Quantity]]) -> Bool {
        guard !excluded.contains(node), let target = nodes.first(where: { $0.metadata.name == node }) else { return false }
        return NodeFit.failures(of: pod, on: target, usage: usage[node] ?? NodeUsage(pods: []), reserved: reserved[node] ?? [:]).isEmpty
    }

    /// The most common rejection across nodes (ties by name), in CamelCase.
    static func reason(for rejected: [String: [NodeFitFailure]]) -> String {
        var counts: [String: Int] = [:]
        for failures in rejected.values {
            for reason in Set(failures.map(Self.reason(for:))) { counts[reason, default: 0] += 1 }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first?.key ?? "NoFit"
    }

    static func reason(for failure: NodeFitFailure) -> String {
        switch failure {
        case .notReady: "NodeNotReady"
        case .unschedulable: "NodeCordoned"
        case .nodeSelectorMismatch: "NodeSelectorMismatch"
        case .nodeAffinityMismatch: "NodeAffinityMismatch"
        case .untoleratedTaint: "UntoleratedTaint"
        case .tooManyPods: "TooManyPods"
        case .insufficient(let resource, _, _):
            switch resource {
            case "cpu": "InsufficientCPU"
            case "memory": "InsufficientMemory"
            case "ephemeral-storage": "InsufficientEphemeralStorage"
            default: "InsufficientResource"
            }
        }
    }
}
