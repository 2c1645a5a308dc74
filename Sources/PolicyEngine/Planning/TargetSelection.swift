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
    /// Every node, sorted by name.
    let nodes: [Node]
    /// Each node by name.
    let nodesByName: [String: Node]
    /// Each node's usage (summed once per plan, or kept by the caller).
    let usage: [String: NodeUsage]
    let excluded: Set<String>
    private let chooser = TargetChooser()

    /// Targets among `allNodes`, never one in `draining` nor one `targetSelector` does not match; `usage` is
    /// what the pods bound to each node request.
    init(allNodes: [Node], usage: [String: NodeUsage], draining: Set<String>, targetSelector: LabelSelector?) {
        var excluded = draining
        var byName: [String: Node] = [:]
        byName.reserveCapacity(allNodes.count)
        for node in allNodes {
            guard let name = node.metadata.name else { continue }
            byName[name] = node
            if let targetSelector, !targetSelector.matches(node.metadata.labels ?? [:]) { excluded.insert(name) }
        }
        self.nodes = allNodes.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        self.nodesByName = byName
        self.usage = usage
        self.excluded = excluded
    }

    /// Each node's usage, summed from `pods` at the indices `podsByNode` lists for it.
    static func usage(of pods: [Pod], podsByNode: [String: [Int]]) -> [String: NodeUsage] {
        var usage: [String: NodeUsage] = [:]
        usage.reserveCapacity(podsByNode.count)
        pods.withUnsafeBufferPointer { pods in
            for (node, positions) in podsByNode {
                var sum = NodeUsage()
                for position in positions { sum.add(pods[position]) }
                usage[node] = sum
            }
        }
        return usage
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
            let unlimited = chooser.firstFit(for: pod, among: nodes, usage: usage, excluded: excluded, reserved: reserved)
            if unlimited != nil { return .inboundBudgetFull }
        }
        return Self.unplaceable(choice.rejected, summary: choice.rejectionSummary)
    }

    /// Whether any node can take `pod` moving off `source` (budgets aside): nil when one can, else why none
    /// can. Stops at the first node that fits, so it is cheap for candidates that wait for a budget anyway.
    func unplaceableReason(for pod: Pod, source: String, reserved: [String: [String: Quantity]]) -> TargetOutcome? {
        if chooser.firstFit(
            for: pod, among: nodes, usage: usage, excluded: excluded, alsoExcluded: source, reserved: reserved) != nil
        {
            return nil
        }
        var excluded = self.excluded
        excluded.insert(source)
        let choice = chooser.choose(for: pod, among: nodes, usage: usage, excluded: excluded, reserved: reserved)
        return Self.unplaceable(choice.rejected, summary: choice.rejectionSummary)
    }

    private static func unplaceable(_ rejected: [String: [NodeFitFailure]], summary: String) -> TargetOutcome {
        if rejected.isEmpty {
            return .unplaceable(
                reason: "NoEligibleTarget",
                message: "no node other than draining ones matches the policy's target selector")
        }
        return .unplaceable(reason: Self.reason(for: rejected), message: summary)
    }

    /// Whether `pod` fits `node` with `reserved` requests already promised to it.
    func fits(_ pod: Pod, on node: String, reserved: [String: [String: Quantity]]) -> Bool {
        guard !excluded.contains(node), let target = nodesByName[node] else { return false }
        return NodeFit.fits(
            pod, demand: PodDemand(pod), on: target, usage: usage[node] ?? NodeUsage(), reserved: reserved[node] ?? [:])
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
