public import KubeModel

/// A node that passed the filters, with what the ranking reads.
struct Candidate {
    /// The node (a reference: candidates are collected for thousands of nodes per pod).
    var node: FitNode
    /// Replicas of the pod's controller already there.
    var siblings: Int
    /// ``NodeFit/leastAllocatedScore(demand:on:reserved:)`` after the pod (0…1).
    var leastAllocated: Double
}

/// The ranking of feasible nodes, as kube-scheduler scores them with its default plugin weights
/// (https://kubernetes.io/docs/reference/scheduling/config/#scheduling-plugins): TaintToleration 3
/// (`PreferNoSchedule` taints the pod does not tolerate, fewer is better), NodeAffinity 2 (weights of the
/// matching preferred terms), InterPodAffinity 2 (preferred pod affinity minus anti-affinity, per matching
/// pod in the domain), PodTopologySpread 2 (`ScheduleAnyway`: fewer matching pods in the domain is better),
/// NodeResourcesFit 1 (least allocated). Each is normalized to 0…100 over the feasible nodes as the plugins'
/// NormalizeScore does. ms2m ranks by fewest replicas of the pod's controller first (keep a StatefulSet's
/// replicas apart), then by that total, then by name.
enum NodeScore {
    /// The best of `candidates` for `pod`; nil when there is none.
    static func best(_ candidates: [Candidate], for pod: Pod, interPod: InterPodCheck?) -> String? {
        guard !candidates.isEmpty else { return nil }
        if candidates.count == 1 { return candidates[0].node.name }
        let preferredNodeTerms = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []
        let tolerations = pod.spec?.tolerations ?? []
        let softInterPod = interPod?.hasPreferences ?? false
        if preferredNodeTerms.isEmpty, !softInterPod,
            candidates.allSatisfy({ $0.node.preferNoScheduleTaints.isEmpty })
        {
            // Nothing but least-allocated differs between the nodes (the common case): rank without the
            // per-node score arrays.
            return candidates.min { left, right in
                (left.siblings, -left.leastAllocated, left.node.name) < (right.siblings, -right.leastAllocated, right.node.name)
            }?.node.name
        }

        var nodeAffinity = [Int](repeating: 0, count: candidates.count)
        var taints = [Int](repeating: 0, count: candidates.count)
        var affinity = [Int](repeating: 0, count: candidates.count)
        var spread = [Int](repeating: 0, count: candidates.count)
        for (index, candidate) in candidates.enumerated() {
            let node = candidate.node
            for term in preferredNodeTerms
            where term.preference.matches(labels: node.labels, fields: ["metadata.name": node.name]) {
                nodeAffinity[index] += term.weight
            }
            if !node.preferNoScheduleTaints.isEmpty {
                taints[index] = node.preferNoScheduleTaints.filter { !tolerations.tolerates($0) }.count
            }
            if softInterPod, let interPod {
                let raw = interPod.preferences(on: node)
                affinity[index] = raw.affinity
                spread[index] = raw.spreadCount
            }
        }
        let maxNodeAffinity = nodeAffinity.max() ?? 0
        let maxTaints = taints.max() ?? 0
        let (minAffinity, maxAffinity) = (affinity.min() ?? 0, affinity.max() ?? 0)
        let (minSpread, maxSpread) = (spread.min() ?? 0, spread.max() ?? 0)

        var best: (siblings: Int, score: Double, name: String)?
        for (index, candidate) in candidates.enumerated() {
            var score = 100 * candidate.leastAllocated
            if maxNodeAffinity > 0 { score += 2 * 100 * Double(nodeAffinity[index]) / Double(maxNodeAffinity) }
            score += 3 * (maxTaints > 0 ? 100 * Double(maxTaints - taints[index]) / Double(maxTaints) : 100)
            if maxAffinity > minAffinity {
                score += 2 * 100 * Double(affinity[index] - minAffinity) / Double(maxAffinity - minAffinity)
            }
            score += 2 * (maxSpread > 0 ? 100 * Double(maxSpread + minSpread - spread[index]) / Double(maxSpread) : 100)
            let entry = (candidate.siblings, score, candidate.node.name)
            if let current = best {
                if entry.0 < current.siblings
                    || (entry.0 == current.siblings && entry.1 > current.score)
                    || (entry.0 == current.siblings && entry.1 == current.score && entry.2 < current.name)
                {
                    best = entry
                }
            } else {
                best = entry
            }
        }
        return best?.name
    }
}
