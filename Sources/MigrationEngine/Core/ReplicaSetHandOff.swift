import Foundation
public import KubeModel

/// The pure decisions of migrating a ReplicaSet (Deployment) pod with ShadowPod without racing the
/// ReplicaSet controller.
///
/// The controller adopts every orphan its selector matches and deletes its lowest-ranked pods when it has
/// more than `spec.replicas` (`ActivePodsWithRanks`: unassigned, then Pending/Unknown before Running, then
/// not ready before ready, then the lowest `controller.kubernetes.io/pod-deletion-cost`, then co-location
/// and readiness age). So:
///
/// - the target restores without one of the selector's `matchLabels` (``heldLabel(selector:podLabels:)``)
///   and without an ownerReference: the ReplicaSet neither adopts nor counts it, and never deletes a
///   replica because of it;
/// - in Finalizing the source gets the minimum deletion cost, the target gets the label back, the
///   ReplicaSet adopts it, sees one replica too many and deletes the source — the one pod with the lowest
///   cost — by its own mechanism, with no window in which it sees one too few (which would make it create
///   a fresh, stateless replacement).
///
/// The ranking only puts the source first when every other pod of the set is Running and Ready and costs
/// more; ``handOffBlockers(replicaSet:ownedPods:source:target:)`` says what must settle first.
public enum ReplicaSetHandOff {
    /// The annotation the ReplicaSet controller ranks pods by when it scales down.
    public static let deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"
    /// The label a Deployment adds to its ReplicaSets' selectors and templates.
    public static let templateHashLabel = "pod-template-hash"
    /// The lowest deletion cost there is; the source gets it so the ReplicaSet deletes it first.
    public static let minimumCost = Int32.min

    /// The selector label to hold back from the target: `pod-template-hash` when the selector has it (a
    /// Deployment's ReplicaSet), else the first `matchLabels` key in sorted order that the pod carries with
    /// the selected value. nil when the selector has no `matchLabels` (only expressions): then there is no
    /// label whose absence is certain to unmatch the target.
    public static func heldLabel(selector: LabelSelector, podLabels: [String: String]) -> (key: String, value: String)? {
        let matchLabels = selector.matchLabels ?? [:]
        if let value = matchLabels[templateHashLabel], podLabels[templateHashLabel] == value {
            return (templateHashLabel, value)
        }
        for key in matchLabels.keys.sorted() where podLabels[key] == matchLabels[key] {
            return (key, matchLabels[key]!)
        }
        return nil
    }

    /// The deletion cost of `pod` (absent or unparsable counts as 0, as the controller reads it).
    public static func deletionCost(of pod: Pod) -> Int32 {
        guard let text = pod.metadata.annotations?[deletionCostAnnotation] else { return 0 }
        return Int32(text.trimmingCharacters(in: .whitespaces)) ?? 0
    }

    /// Makes a built target pod invisible to the ReplicaSet while it restores: removes the held label and
    /// any ownerReference, and drops a copied deletion cost equal to the minimum (the source is the pod that
    /// must rank lowest when the two meet).
    public static func holdBack(_ target: inout Pod, heldLabel key: String) {
        target.metadata.labels?[key] = nil
        target.metadata.ownerReferences = nil
        if target.metadata.annotations?[deletionCostAnnotation] != nil, deletionCost(of: target) == minimumCost {
            target.metadata.annotations?[deletionCostAnnotation] = nil
        }
    }

    /// Why handing the target over now could make the ReplicaSet delete a pod other than the source; empty
    /// when it would delete the source.
    ///
    /// - Parameters:
    ///   - replicaSet: the set as read now.
    ///   - ownedPods: the active pods (not terminal, not being deleted) it controls, the source among them.
    ///   - source: the source pod; `target`: the target pod (not yet adopted).
    ///   - now: the time to judge the target's readiness at.
    ///
    /// The controller ranks a pod that is not ready below any deletion cost, so a target whose readiness flaps
    /// between the hand-over and the controller's next sync is the pod it deletes. The target must therefore
    /// have been ready for ``readySteadiness`` (its `Ready` condition's transition time), not just now: a
    /// consumer that is reconnecting to its broker, say, shows as unready for a moment and again after.
    public static func handOffBlockers(replicaSet: ReplicaSet, ownedPods: [Pod], source: Pod, target: Pod, now: Date = Date()) -> [String] {
        var blockers: [String] = []
        let name = replicaSet.metadata.name ?? ""
        let wanted = replicaSet.spec?.replicas ?? 1
        if let generation = replicaSet.metadata.generation, (replicaSet.status?.observedGeneration ?? 0) < generation {
            blockers.append("ReplicaSet \(name) has not yet observed generation \(generation)")
        }
        if ownedPods.count != wanted || replicaSet.status?.replicas != wanted {
            blockers.append("ReplicaSet \(name) is scaling: it wants \(wanted) pods and has \(ownedPods.count) (status: \(replicaSet.status?.replicas ?? 0))")
        }
        if !isRunningAndReady(target) {
            blockers.append("target \(target.metadata.name ?? "") is not running and ready")
        } else if let since = target.status?.conditions?.first(where: { $0.type == .ready })?.lastTransitionTime?.date,
            now.timeIntervalSince(since) < readySteadiness
        {
            blockers.append("target \(target.metadata.name ?? "") has been ready only \(String(format: "%.1f", max(0, now.timeIntervalSince(since)))) s")
        }
        if deletionCost(of: target) <= minimumCost {
            blockers.append("target \(target.metadata.name ?? "") has the minimum deletion cost")
        }
        for pod in ownedPods where pod.metadata.uid != source.metadata.uid {
            let podName = pod.metadata.name ?? ""
            if pod.spec?.nodeName?.isEmpty ?? true || !isRunningAndReady(pod) {
                blockers.append("pod \(podName) of ReplicaSet \(name) is not running and ready; the controller would delete it before the source")
            } else if deletionCost(of: pod) <= minimumCost {
                blockers.append("pod \(podName) of ReplicaSet \(name) has the minimum deletion cost, like the source")
            }
        }
        return blockers
    }

    /// How long the target must have been ready before it is handed over (seconds).
    public static let readySteadiness: TimeInterval = 2

    /// Whether `pod` is Running with a true Ready condition.
    static func isRunningAndReady(_ pod: Pod) -> Bool {
        pod.status?.phase == .running && pod.isReady
    }
}
