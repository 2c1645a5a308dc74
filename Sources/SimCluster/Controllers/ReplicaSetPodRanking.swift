import Foundation
import KubeModel

/// Which of a ReplicaSet's pods go first when it has too many, as kube-controller-manager's ReplicaSet
/// controller ranks them (`getPodsToDelete` with `controller.ActivePodsWithRanks`, PodDeletionCost on as by
/// default since 1.22, LogarithmicScaleDown off). Pure.
///
/// A pod sorts before (is deleted before) another when, in this order of precedence, it is
/// 1. unassigned (no node) while the other is assigned,
/// 2. in an earlier phase: Pending < Unknown < Running,
/// 3. not ready while the other is ready,
/// 4. of lower `controller.kubernetes.io/pod-deletion-cost` (absent or invalid counts as 0),
/// 5. on a node with more active pods of the same ReplicaSet (or the same Deployment's ReplicaSets),
/// 6. ready for less time (both ready; a missing ready time counts as the most recent),
/// 7. of more container restarts (regular containers, then init containers),
/// 8. newer (a missing creation time counts as the newest).
public enum ReplicaSetPodRanking {
    /// The annotation the ReplicaSet controller reads the deletion cost from.
    public static let deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"

    /// The deletion cost of `pod`: the annotation as a 32-bit integer, 0 when absent or not a valid one
    /// (`helper.GetDeletionCostFromPodAnnotations`; the API server rejects invalid values on write).
    public static func deletionCost(of pod: Pod) -> Int32 {
        guard let text = pod.metadata.annotations?[deletionCostAnnotation] else { return 0 }
        return Int32(text.trimmingCharacters(in: .whitespaces)) ?? 0
    }

    /// The first `count` pods of `candidates` to delete. `related` are the active pods of the set and of the
    /// other ReplicaSets under the same controller (its Deployment); they count co-location per node.
    public static func podsToDelete(_ count: Int, from candidates: [Pod], related: [Pod]) -> [Pod] {
        guard count > 0 else { return [] }
        guard count < candidates.count else { return candidates }
        var onNode: [String: Int] = [:]
        for pod in related where isActive(pod) {
            onNode[pod.spec?.nodeName ?? "", default: 0] += 1
        }
        let ranked = candidates.map { ($0, onNode[$0.spec?.nodeName ?? ""] ?? 0) }
        // A stable sort, as Go's sort.Sort is not: ties keep their input order, which makes tests repeatable.
        let sorted = ranked.enumerated().sorted { a, b in
            if deletesFirst(a.element.0, rank: a.element.1, before: b.element.0, rank: b.element.1) { return true }
            if deletesFirst(b.element.0, rank: b.element.1, before: a.element.0, rank: a.element.1) { return false }
            return a.offset < b.offset
        }
        return sorted.prefix(count).map(\.element.0)
    }

    /// Whether `a` (with `rankA` co-located related pods) is deleted before `b` (`ActivePodsWithRanks.Less`).
    public static func deletesFirst(_ a: Pod, rank rankA: Int, before b: Pod, rank rankB: Int) -> Bool {
        let nodeA = a.spec?.nodeName ?? "", nodeB = b.spec?.nodeName ?? ""
        if nodeA != nodeB && (nodeA.isEmpty || nodeB.isEmpty) { return nodeA.isEmpty }
        let phaseA = phaseOrdinal(a), phaseB = phaseOrdinal(b)
        if phaseA != phaseB { return phaseA < phaseB }
        if a.isReady != b.isReady { return !a.isReady }
        let costA = deletionCost(of: a), costB = deletionCost(of: b)
        if costA != costB { return costA < costB }
        if rankA != rankB { return rankA > rankB }
        if a.isReady && b.isReady {
            let readyA = readyTime(a), readyB = readyTime(b)
            if readyA != readyB { return afterOrZero(readyA, readyB) }
        }
        let restartsA = maxRestarts(a.status?.containerStatuses), restartsB = maxRestarts(b.status?.containerStatuses)
        if restartsA != restartsB { return restartsA > restartsB }
        let sidecarA = maxRestarts(a.status?.initContainerStatuses), sidecarB = maxRestarts(b.status?.initContainerStatuses)
        if sidecarA != sidecarB { return sidecarA > sidecarB }
        let createdA = a.metadata.creationTimestamp, createdB = b.metadata.creationTimestamp
        if createdA != createdB { return afterOrZero(createdA, createdB) }
        return false
    }

    /// Whether the pod counts for the controller: not finished and not being deleted (`IsPodActive`).
    public static func isActive(_ pod: Pod) -> Bool {
        pod.status?.phase != .succeeded && pod.status?.phase != .failed && !pod.metadata.isBeingDeleted
    }

    /// Pending 0, Unknown 1, Running 2; any other phase (or none) 0 (`podPhaseToOrdinal`).
    private static func phaseOrdinal(_ pod: Pod) -> Int {
        switch pod.status?.phase {
        case .some(.running): 2
        case .some(PodPhase(rawValue: "Unknown")): 1
        default: 0
        }
    }

    /// When the pod last became ready (its Ready condition's transition time).
    private static func readyTime(_ pod: Pod) -> Time? {
        pod.status?.conditions?.first { $0.type == .ready }?.lastTransitionTime
    }

    /// Whether `a` is later than `b`, a missing time counting as the latest (`afterOrZero`).
    private static func afterOrZero(_ a: Time?, _ b: Time?) -> Bool {
        guard let a else { return true }
        guard let b else { return false }
        return a > b
    }

    /// The highest restart count among `statuses` (`maxContainerRestarts`: regular containers first, then
    /// the init (sidecar) containers break a tie).
    private static func maxRestarts(_ statuses: [ContainerStatus]?) -> Int {
        (statuses ?? []).map(\.restartCount).max() ?? 0
    }
}
