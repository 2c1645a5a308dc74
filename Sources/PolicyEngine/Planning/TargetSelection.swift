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
    /// Every node prepared for the fit rules with its usage, in no particular order: the chooser breaks ties
    /// by name and the first-fit checks only ask whether any node fits, so no outcome depends on the order
    /// (sorting thousands of names on every plan did).
    let targets: [FitTarget]
    let excluded: Set<String>
    private let chooser = TargetChooser()
    /// The placed pods and topology the inter-pod rules read, with the moves this plan has promised so far.
    private let interPod: InterPodState

    /// The inter-pod context a plan updates as it promises moves (one plan, one thread).
    private final class InterPodState {
        var context: InterPodContext
        init(_ context: InterPodContext) { self.context = context }
    }

    /// Targets among `allNodes`, never one in `draining` nor one `targetSelector` does not match; `usage` is
    /// what the pods bound to each node request (summed once per plan, or kept by the caller); `placed` and
    /// `namespaceLabels` are what the inter-pod rules (affinity, anti-affinity, spread, host ports) read.
    init(
        allNodes: [FitNode], usage: [String: NodeUsage], draining: Set<String>, targetSelector: LabelSelector?,
        placed: PlacedPods = PlacedPods(), namespaceLabels: [String: [String: String]] = [:],
        volumes: VolumeTopology = VolumeTopology(), nodesByName: [String: FitNode]? = nil
    ) {
        var excluded = draining
        if let targetSelector {
            for node in allNodes where !targetSelector.matches(node.labels) { excluded.insert(node.name) }
        }
        targets = TargetChooser.prepare(allNodes, usage: usage)
        self.excluded = excluded
        interPod = InterPodState(
            InterPodContext(
                placed: placed, nodes: allNodes, namespaceLabels: namespaceLabels, volumes: volumes,
                nodesByName: nodesByName))
    }

    /// Records that `pod` is promised to `node`: later choices in this plan see its copy there (affinity,
    /// anti-affinity, spread, host ports) and its source gone.
    func promise(_ pod: Pod, to node: String) { interPod.context.move(pod, to: node) }

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
        let check = interPod.context.check(for: pod)
        let choice = chooser.choose(
            for: pod, among: targets, excluded: excluded.union(full), reserved: reserved, ownerUID: owner,
            interPod: check)
        if let node = choice.node { return .node(node) }
        if !full.isEmpty {
            let unlimited = chooser.firstFit(
                for: pod, among: targets, excluded: excluded, reserved: reserved, interPod: check)
            if unlimited != nil { return .inboundBudgetFull }
        }
        return Self.unplaceable(choice, excluded: excluded.count)
    }

    /// Whether any node can take `pod` moving off `source` (budgets aside): nil when one can, else why none
    /// can. Stops at the first node that fits, so it is cheap for candidates that wait for a budget anyway.
    func unplaceableReason(for pod: Pod, source: String, reserved: [String: [String: Quantity]]) -> TargetOutcome? {
        let check = interPod.context.check(for: pod)
        if chooser.firstFit(
            for: pod, among: targets, excluded: excluded, alsoExcluded: source, reserved: reserved, interPod: check)
            != nil
        {
            return nil
        }
        var excluded = self.excluded
        excluded.insert(source)
        let choice = chooser.choose(for: pod, among: targets, excluded: excluded, reserved: reserved, interPod: check)
        return Self.unplaceable(choice, excluded: excluded.count)
    }

    /// Why no node takes the pod: the most common reason, and kube-scheduler's "0/N nodes are available" line
    /// followed by each node's reasons.
    private static func unplaceable(_ choice: TargetChooser.Choice, excluded: Int) -> TargetOutcome {
        if choice.rejected.isEmpty {
            return .unplaceable(
                reason: "NoEligibleTarget",
                message: "no node other than draining ones matches the policy's target selector")
        }
        return .unplaceable(
            reason: Self.reason(for: choice.rejected),
            message: choice.schedulerMessage(excluded: excluded) + " " + choice.rejectionSummary)
    }

    /// Each prepared node by name (for the few callers that check given nodes rather than choose among all).
    func targetsByName() -> [String: FitTarget] {
        Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether `pod` fits `target` with `reserved` requests already promised to nodes.
    func fits(_ pod: Pod, on target: FitTarget, reserved: [String: [String: Quantity]]) -> Bool {
        guard !excluded.contains(target.name) else { return false }
        return NodeFit.fits(
            pod, demand: PodDemand(pod), on: target, reserved: reserved[target.name] ?? [:],
            interPod: interPod.context.check(for: pod))
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
        case .podAffinityMismatch: "PodAffinityMismatch"
        case .podAntiAffinityMismatch: "PodAntiAffinityMismatch"
        case .existingPodsAntiAffinity: "ExistingPodsAntiAffinity"
        case .topologySpreadMismatch: "TopologySpreadMismatch"
        case .hostPortConflict: "HostPortConflict"
        case .runtimeUnsupported: "RuntimeUnsupported"
        case .volumeNodeAffinityConflict: "VolumeNodeAffinityConflict"
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
