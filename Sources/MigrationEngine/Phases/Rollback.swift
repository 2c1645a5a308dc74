import Foundation
import KubeModel
import MigrationAPI
import OperatorCore

/// The rollback's final step, recorded in `status.rollbackSteps`.
enum RollbackStep {
    static let targetRemoved = "TargetRemoved"
    static let statefulSetRestored = "StatefulSetRestored"
    static let done = "RolledBack"
}

extension MigrationRun {
    /// Whether the rollback has finished.
    var rollbackDone: Bool { done(RollbackStep.done, in: \.rollbackSteps) }

    /// Undoes a failed or deleted migration so the service keeps running and nothing is left behind.
    ///
    /// If the source pod still serves, everything the migration made goes: the target pod, the replay
    /// queue (the source consumes the primary queue, which holds every message), the Job and the image;
    /// a Sequential migration's StatefulSet is re-created if it was orphan-deleted. If the source is already
    /// gone, the target is the workload now: a healthy target is kept and switched to the primary queue as
    /// in Finalizing (nothing in the replay queue is dropped); an unhealthy Sequential target is deleted and
    /// the re-created StatefulSet starts the ordinal afresh. A ReplicaSet pod's target that its ReplicaSet
    /// has already adopted is kept too (the set is removing the source); otherwise it is deleted — while it
    /// restores it is outside the set, so the set is not involved — and the source gets its original
    /// deletion cost back.
    func runRollback() async throws {
        guard !rollbackDone else { return }
        let reached = status.failedPhase ?? phase
        let source = try await find(Pod.self, sourcePodName)
        let sourceServes = source != nil && source?.metadata.uid == status.sourcePodUID && source?.metadata.deletionTimestamp == nil
        let capturing = reached != .pending
        var keepTarget = false

        if !done(RollbackStep.targetRemoved, in: \.rollbackSteps) {
            if let target = try await find(Pod.self, targetPodName), target.metadata.labels?[MigrationNames.migrationLabel] == name {
                let healthy = target.status?.phase == .running && target.isReady && Self.restoreProblem(target) == nil
                if healthy && handsOffToReplicaSet && targetAdoptedByReplicaSet(target) {
                    // The ReplicaSet counts the target as a replica and is removing the source (it has the
                    // lowest deletion cost). Deleting the target now would race it into removing both and
                    // creating a stateless replacement; the rollback rolls forward instead.
                    keepTarget = true
                    if sourceServes {
                        try await remove(Pod.self, sourcePodName, options: DeleteOptions(preconditions: DeleteOptions.Preconditions(uid: status.sourcePodUID)))
                        ports.events.record(.normal, reason: "SourceDeleted", note: "deleted source pod \(sourcePodName): its ReplicaSet already adopted \(targetPodName)", about: migration)
                    }
                    if source != nil && source?.metadata.uid == status.sourcePodUID { throw RollbackPending() }
                } else if sourceServes || !(healthy || strategy == .shadowPod) {
                    try await remove(Pod.self, targetPodName, options: DeleteOptions(preconditions: DeleteOptions.Preconditions(uid: target.metadata.uid)))
                    ports.events.record(.normal, reason: "RollbackTargetDeleted", note: "deleted target pod \(targetPodName)", about: migration)
                } else {
                    keepTarget = true
                }
            }
            if !keepTarget { try await markDone(RollbackStep.targetRemoved, in: \.rollbackSteps) }
        }

        if strategy == .sequential, status.statefulSetName != nil, done(RestoringStep.statefulSetOrphaned, in: \.restoringSteps) {
            if let outcome = try await recreateStatefulSet(), case .fail(let reason, let message) = outcome {
                ports.events.record(.warning, reason: reason, note: message, about: migration)
            }
            try await markDone(RollbackStep.statefulSetRestored, in: \.rollbackSteps)
        }

        if capturing {
            if keepTarget, status.replay?.startSent == true {
                // The target is the workload now: switch it over without dropping what it has not replayed.
                if try await switchTargetToPrimary() != nil {
                    throw RollbackPending()
                }
            }
            try await removeLeftovers(deleteImage: spec.keepCheckpointImage != true, steps: \.rollbackSteps)
            if strategy == .shadowPod, !keepTarget {
                try await broker().deleteQueue(MigrationControlMessage.controlQueue(forPod: targetPodName))
            }
        }
        if handsOffToReplicaSet, !keepTarget {
            try await restoreSourceDeletionCost()
        }
        try await markDone(RollbackStep.done, in: \.rollbackSteps)
        ports.events.record(.normal, reason: "RolledBack", note: keepTarget ? "kept the running target \(targetPodName); removed the rest" : "removed everything the migration created; \(sourcePodName) keeps running", about: migration)
    }
}

/// The rollback waits for the target to leave the replay queue; retried with backoff.
struct RollbackPending: Error, CustomStringConvertible {
    var description: String { "rollback waits for the target to leave the replay queue" }
}
