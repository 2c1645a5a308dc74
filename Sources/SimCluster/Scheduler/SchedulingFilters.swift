import KubeModel

/// The node view the scheduler filters and scores: the node and what is already placed on it.
struct SchedulingCandidate: Sendable {
    var node: Node
    /// Requests of the non-terminal pods bound (or assumed bound) to the node.
    var requested: [String: Quantity]
    /// How many non-terminal pods are on the node.
    var podCount: Int
}

/// kube-scheduler's default filter plugins that matter to MS2M (NodeUnschedulable, NodeAffinity,
/// TaintToleration, NodeResourcesFit) and the least-allocated score, as pure functions.
enum SchedulingFilters {
    /// The taint a cordoned node behaves as having.
    static let unschedulableTaint = Taint(key: "node.kubernetes.io/unschedulable", effect: .noSchedule)

    /// Why `pod` cannot run on `candidate`, as kube-scheduler words it; empty when it fits.
    static func reasons(pod: Pod, on candidate: SchedulingCandidate) -> [String] {
        let node = candidate.node
        let tolerations = pod.spec?.tolerations ?? []
        if node.isUnschedulable && !tolerations.tolerates(unschedulableTaint) {
            return ["node(s) were unschedulable"]
        }
        if !matchesNodeSelectorAndAffinity(pod: pod, node: node) {
            return ["node(s) didn't match Pod's node affinity/selector"]
        }
        if let taint = tolerations.untoleratedTaints(node.taints).first {
            let value = taint.value.map { ": \($0)" } ?? ""
            return ["node(s) had untolerated taint {\(taint.key)\(value)}"]
        }
        return insufficientResources(pod: pod, on: candidate)
    }

    /// NodeAffinity: every `nodeSelector` label, and one of the required node selector terms.
    static func matchesNodeSelectorAndAffinity(pod: Pod, node: Node) -> Bool {
        let labels = node.metadata.labels ?? [:]
        for (key, value) in pod.spec?.nodeSelector ?? [:] where labels[key] != value { return false }
        if let required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution {
            return required.matches(node)
        }
        return true
    }

    /// NodeResourcesFit: each request against allocatable minus what is requested already, and the pod count.
    static func insufficientResources(pod: Pod, on candidate: SchedulingCandidate) -> [String] {
        let allocatable = candidate.node.status?.allocatable ?? [:]
        var reasons: [String] = []
        if let maxPods = allocatable["pods"], Int64(candidate.podCount + 1) > maxPods.value {
            reasons.append("Too many pods")
        }
        for (resource, request) in pod.totalRequests.sorted(by: { $0.key < $1.key }) where !request.isZero {
            let available = (allocatable[resource] ?? .zero) - (candidate.requested[resource] ?? .zero)
            if request > available { reasons.append("Insufficient \(resource)") }
        }
        return reasons
    }

    /// NodeResourcesLeastAllocated: 0–100, higher for emptier nodes, over cpu and memory with the scheduler's
    /// non-zero defaults (100m, 200Mi) for pods that request nothing.
    static func leastAllocatedScore(pod: Pod, on candidate: SchedulingCandidate) -> Double {
        let allocatable = candidate.node.status?.allocatable ?? [:]
        let requests = pod.totalRequests
        let defaults: [String: Quantity] = ["cpu": Quantity(milli: 100), "memory": "200Mi"]
        var total = 0.0
        for resource in ["cpu", "memory"] {
            let capacity = (allocatable[resource] ?? .zero).doubleValue
            guard capacity > 0 else { continue }
            let own = requests[resource].flatMap { $0.isZero ? nil : $0 } ?? defaults[resource]!
            let used = (candidate.requested[resource] ?? .zero).doubleValue + own.doubleValue
            total += max(0, (capacity - used) / capacity) * 100
        }
        return total / 2
    }

    /// The best fitting node's name (highest score, ties by name), or the per-node reasons when none fits.
    static func select(pod: Pod, candidates: [SchedulingCandidate]) -> Result<String, Unschedulable> {
        var best: (name: String, score: Double)?
        var counts: [String: Int] = [:]
        for candidate in candidates.sorted(by: { ($0.node.metadata.name ?? "") < ($1.node.metadata.name ?? "") }) {
            let name = candidate.node.metadata.name ?? ""
            let reasons = reasons(pod: pod, on: candidate)
            if !reasons.isEmpty {
                for reason in reasons { counts[reason, default: 0] += 1 }
                continue
            }
            let score = leastAllocatedScore(pod: pod, on: candidate)
            if best == nil || score > best!.score { best = (name, score) }
        }
        if let best { return .success(best.name) }
        return .failure(Unschedulable(nodeCount: candidates.count, reasonCounts: counts))
    }

    /// Why no node fits, counted per reason.
    struct Unschedulable: Error, Sendable, Equatable {
        var nodeCount: Int
        var reasonCounts: [String: Int]

        /// `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.`
        var message: String {
            let parts = reasonCounts.map { "\($0.value) \($0.key)" }.sorted()
            if parts.isEmpty { return "0/\(nodeCount) nodes are available." }
            return "0/\(nodeCount) nodes are available: " + parts.joined(separator: ", ") + "."
        }
    }
}
