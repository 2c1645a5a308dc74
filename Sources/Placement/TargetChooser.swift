public import KubeModel

/// Picks the node a pod should move to, from a snapshot of nodes and the pods bound to them.
///
/// Filters with ``NodeFit``, then ranks: fewest replicas of the same owner already on the node (keep the
/// replicas of one StatefulSet apart), then kube-scheduler's weighted score (``NodeScore``: preferred node
/// and pod affinity, `ScheduleAnyway` spread, `PreferNoSchedule` taints, least allocated), then the node name
/// (deterministic ties).
public struct TargetChooser: Sendable {
    /// The outcome: the chosen node, or why every candidate was rejected.
    public struct Choice: Sendable {
        /// The chosen node's name, nil when none fits.
        public var node: String?
        /// Each rejected candidate's reasons, by node name.
        public var rejected: [String: [NodeFitFailure]]

        /// One line per rejected node, for status messages and events.
        public var rejectionSummary: String {
            rejected.keys.sorted().map { "\($0): \(rejected[$0]!.map(\.description).joined(separator: ", "))" }
                .joined(separator: "; ")
        }

        /// The rejections as kube-scheduler reports an unschedulable pod: "0/N nodes are available: 2 node(s)
        /// didn't match pod anti-affinity rules, 1 Insufficient cpu." — each reason with the number of nodes it
        /// excluded, most frequent first; `excluded` nodes (the source, draining nodes, nodes outside a
        /// policy's targets) are counted as such.
        public func schedulerMessage(excluded: Int = 0) -> String {
            var counts: [String: Int] = [:]
            for failures in rejected.values {
                for phrase in Set(failures.map(\.schedulerPhrase)) { counts[phrase, default: 0] += 1 }
            }
            if excluded > 0 { counts["node(s) excluded by the migration (source, draining or not a target)"] = excluded }
            let parts = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.value) \($0.key)" }
            let total = rejected.count + excluded + (node == nil ? 0 : 1)
            return "\(node == nil ? 0 : 1)/\(total) nodes are available: \(parts.joined(separator: ", "))."
        }
    }

    /// Creates a chooser.
    public init() {}

    /// Chooses a node for `pod` among `nodes`, never one in `excluded` (the source, draining nodes).
    ///
    /// - Parameters:
    ///   - podsByNode: the pods bound to each node (by node name).
    ///   - reserved: requests already planned to move to each node.
    ///   - ownerUID: the UID of the pod's controller; its replicas count against a node in the ranking.
    ///
    /// The pods in `podsByNode` are also what the inter-pod rules read (affinity, anti-affinity, topology
    /// spread, host ports), over the topology of `nodes` (or of `topology`, every node of the cluster, when
    /// `nodes` is only the candidates) and the namespaces' labels.
    public func choose(
        for pod: Pod, among nodes: [Node], podsByNode: [String: [Pod]], excluded: Set<String>,
        reserved: [String: [String: Quantity]] = [:], ownerUID: String? = nil, topology: [Node]? = nil,
        namespaceLabels: [String: [String: String]] = [:], volumes: VolumeTopology = VolumeTopology()
    ) -> Choice {
        var usage: [String: NodeUsage] = [:]
        for node in nodes {
            guard let name = node.metadata.name, !excluded.contains(name) else { continue }
            let others = (podsByNode[name] ?? []).filter { $0.metadata.uid != pod.metadata.uid || pod.metadata.uid == nil }
            usage[name] = NodeUsage(pods: others)
        }
        let context = InterPodContext(
            pods: podsByNode.values.flatMap { $0 }, nodes: topology ?? nodes, namespaceLabels: namespaceLabels,
            volumes: volumes)
        return choose(
            for: pod, among: Self.prepare(nodes, usage: usage), excluded: excluded, reserved: reserved,
            ownerUID: ownerUID, interPod: context.check(for: pod))
    }

    /// ``choose(for:among:podsByNode:excluded:reserved:ownerUID:)`` with each node's usage summed beforehand,
    /// for choosing targets for many pods against one snapshot.
    public func choose(
        for pod: Pod, among nodes: [Node], usage usageByNode: [String: NodeUsage], excluded: Set<String>,
        reserved: [String: [String: Quantity]] = [:], ownerUID: String? = nil
    ) -> Choice {
        choose(
            for: pod, among: Self.prepare(nodes, usage: usageByNode), excluded: excluded, reserved: reserved,
            ownerUID: ownerUID)
    }

    /// `nodes` prepared for the fit rules, each with its usage (none when absent from `usage`), in order.
    public static func prepare(_ nodes: [Node], usage: [String: NodeUsage]) -> [FitTarget] {
        prepare(nodes.map(FitNode.init), usage: usage)
    }

    /// Prepared `nodes`, each with its usage (none when absent from `usage`), in order.
    public static func prepare(_ nodes: [FitNode], usage: [String: NodeUsage]) -> [FitTarget] {
        let empty = NodeUsage()
        return nodes.map { node in FitTarget(node, usage: usage[node.name] ?? empty) }
    }

    /// ``choose(for:among:usage:excluded:reserved:ownerUID:)`` against nodes prepared once
    /// (``prepare(_:usage:)``): no node is copied or looked up per pod.
    ///
    /// With `interPod` (``InterPodContext/check(for:)``), the rules that read other pods apply too: required
    /// inter-pod affinity and anti-affinity, `DoNotSchedule` topology spread and host ports.
    public func choose(
        for pod: Pod, among targets: [FitTarget], excluded: Set<String>,
        reserved: [String: [String: Quantity]] = [:], ownerUID: String? = nil, interPod: InterPodCheck? = nil
    ) -> Choice {
        let demand = PodDemand(pod)
        let noReservations = reserved.isEmpty
        var rejected: [String: [NodeFitFailure]] = [:]
        var feasible: [Candidate] = []
        feasible.reserveCapacity(targets.count)
        targets.withUnsafeBufferPointer { targets in
            // By index, not `for target in`: the iterator hands out copies, and copying a FitTarget retains
            // each of its references — per node, per pod planned.
            for index in targets.indices {
                let name = targets[index].node.name
                guard !name.isEmpty, !excluded.contains(name) else { continue }
                let promised = noReservations ? [:] : reserved[name] ?? [:]
                let failures = NodeFit.failures(
                    of: pod, demand: demand, on: targets[index], reserved: promised, interPod: interPod)
                if !failures.isEmpty {
                    rejected[name] = failures
                    continue
                }
                feasible.append(Candidate(
                    node: targets[index].node,
                    siblings: ownerUID.map { targets[index].usage.podsPerOwner[$0] ?? 0 } ?? 0,
                    leastAllocated: NodeFit.leastAllocatedScore(demand: demand, on: targets[index], reserved: promised)))
            }
        }
        return Choice(node: NodeScore.best(feasible, for: pod, interPod: interPod), rejected: rejected)
    }

    /// The first node of `nodes`, in their order, that `pod` fits, skipping `excluded`; nil when none does.
    /// Cheaper than ``choose(for:among:usage:excluded:reserved:ownerUID:)`` when only whether the pod can go
    /// anywhere matters: it stops at the first fit and collects no reasons.
    /// `alsoExcluded` is one more node to skip (the source), so callers need not copy a large `excluded` set.
    public func firstFit(
        for pod: Pod, among nodes: [Node], usage usageByNode: [String: NodeUsage], excluded: Set<String>,
        alsoExcluded: String? = nil, reserved: [String: [String: Quantity]] = [:]
    ) -> String? {
        firstFit(
            for: pod, among: Self.prepare(nodes, usage: usageByNode), excluded: excluded, alsoExcluded: alsoExcluded,
            reserved: reserved)
    }

    /// ``firstFit(for:among:usage:excluded:alsoExcluded:reserved:)`` against nodes prepared once.
    public func firstFit(
        for pod: Pod, among targets: [FitTarget], excluded: Set<String>, alsoExcluded: String? = nil,
        reserved: [String: [String: Quantity]] = [:], interPod: InterPodCheck? = nil
    ) -> String? {
        let demand = PodDemand(pod)
        let noReservations = reserved.isEmpty
        return targets.withUnsafeBufferPointer { targets in
            for index in targets.indices {
                let name = targets[index].node.name
                guard !name.isEmpty, name != alsoExcluded, !excluded.contains(name) else { continue }
                let promised = noReservations ? [:] : reserved[name] ?? [:]
                if NodeFit.fits(pod, demand: demand, on: targets[index], reserved: promised, interPod: interPod) {
                    return name
                }
            }
            return nil
        }
    }
}
