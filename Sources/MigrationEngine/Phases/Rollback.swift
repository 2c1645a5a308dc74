import Foundation
import KubeModel
import MigrationAPI
import OperatorCore

/// The rollback's steps, recorded in `status.rollbackSteps`.
enum RollbackStep {
    static let targetRemoved = "TargetRemoved"
    static let statefulSetRestored = "StatefulSetRestored"
    /// The state was kept for the user (``MigrationRun/retainState()``); the rollback stops here until the
    /// user resumes or discards it.
    static let stateRetained = "StateRetained"
    static let archivesRemoved = "ArchivesRemoved"
    static let done = "RolledBack"
}

/// The condition a migration that failed keeping its state carries.
enum RetainedStateCondition {
    static let type = MigrationConditionType.stateRetained
}

extension MigrationRun {
    /// Whether the rollback has finished.
    var rollbackDone: Bool { done(RollbackStep.done, in: \.rollbackSteps) }

    /// Whether the migration failed keeping the workload's state for the user (and waits for a decision).
    var stateRetained: Bool { done(RollbackStep.stateRetained, in: \.rollbackSteps) && !rollbackDone }

    /// Undoes a failed or deleted migration so the service keeps running and nothing is left behind — except
    /// the only copy of the workload's state.
    ///
    /// If the source pod still serves, everything the migration made goes: the target pod, the replay
    /// queue (the source consumes the primary queue, which holds every message), the Job and the image;
    /// a Sequential migration's StatefulSet is re-created if it was orphan-deleted. If the source is already
    /// gone, a healthy target is the workload now: it is kept and switched to the primary queue as in
    /// Finalizing (whatever the replay queue holds is handed back to the primary queue, never dropped), and a
    /// Sequential migration's StatefulSet re-created to adopt it. A ReplicaSet pod's target that its ReplicaSet
    /// has already adopted is kept too (the set is removing the source); otherwise it is deleted — while it
    /// restores it is outside the set, so the set is not involved — and the source gets its original
    /// deletion cost back.
    ///
    /// A Sequential migration whose source is gone and whose target does not serve **retains the state**
    /// (``retainState()``): the checkpoint image and the replay queue (still capturing) are kept, the
    /// StatefulSet is not re-created (its controller would start the ordinal fresh), and the rollback stops
    /// there until the user resumes the restore or discards the state (``RecoveryAnnotation``). It goes on as
    /// above — the StatefulSet re-created, the ordinal starting fresh — only when `discarding` (the user
    /// discarded the state or deleted the migration) or the spec says `restore.onFailure: StartFresh`.
    func runRollback(discarding: Bool = false) async throws {
        guard !rollbackDone else { return }
        let reached = status.failedPhase ?? phase
        let source = try await find(Pod.self, sourcePodName)
        let sourceServes = source != nil && source?.metadata.uid == status.sourcePodUID && source?.metadata.deletionTimestamp == nil
        let capturing = reached != .pending
        let startFresh = spec.restore?.onFailure == RestoreFailureAction.startFresh
        let retains = sourceGone && !sourceServes && !startFresh && !discarding && status.checkpointImage != nil
        let statefulSetBack = done(RestoringStep.statefulSetRecreated, in: \.restoringSteps)
        var keepTarget = false

        if !done(RollbackStep.targetRemoved, in: \.rollbackSteps) {
            if let target = try await find(Pod.self, targetPodName), target.metadata.labels?[MigrationNames.migrationLabel] == name {
                let healthy = target.status?.phase == .running && target.isReady && RestoreRecovery.podProblem(target) == nil
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
                } else if !sourceServes && (healthy || strategy == .shadowPod) {
                    keepTarget = true
                } else if retains && statefulSetBack {
                    // The re-created StatefulSet owns the target: deleted, it would come back fresh. Left as it
                    // is, each restart restores it from the checkpoint image again.
                } else {
                    try await remove(Pod.self, targetPodName, options: DeleteOptions(preconditions: DeleteOptions.Preconditions(uid: target.metadata.uid)))
                    ports.events.record(.normal, reason: "RollbackTargetDeleted", note: "deleted target pod \(targetPodName)", about: migration)
                }
            }
            if !keepTarget { try await markDone(RollbackStep.targetRemoved, in: \.rollbackSteps) }
        }

        if retains && !keepTarget {
            try await retainState()
            return
        }

        if strategy == .sequential, status.statefulSetName != nil, done(RestoringStep.statefulSetOrphaned, in: \.restoringSteps) {
            if let outcome = try await recreateStatefulSet(), case .fail(let reason, let message) = outcome {
                ports.events.record(.warning, reason: reason, note: message, about: migration)
            }
            try await markDone(RollbackStep.statefulSetRestored, in: \.rollbackSteps)
        }

        if capturing {
            if keepTarget {
                // The target is the workload now: switch it over without dropping what it has not replayed
                // (before START_REPLAY it has replayed nothing; the replay queue's messages then all go back to
                // the primary queue, which it consumes after END_REPLAY).
                if try await switchTargetToPrimary() != nil {
                    throw RollbackPending()
                }
            }
            try await removeLeftovers(deleteImage: spec.keepCheckpointImage != true, steps: \.rollbackSteps)
            try await removeArchives()
            if strategy == .shadowPod, !keepTarget {
                try await broker().deleteQueue(MigrationControlMessage.controlQueue(forPod: targetPodName))
            }
        }
        if handsOffToReplicaSet, !keepTarget {
            try await restoreSourceDeletionCost()
        }
        if stateRetainedBefore {
            setRetainedCondition(status: .false, reason: "StateDiscarded", message: "the retained state was discarded; \(statefulSetNote)")
            ports.events.record(.warning, reason: "StateDiscarded", note: "discarded the retained state of \(sourcePodName): checkpoint image and replay queue removed", about: migration)
        }
        try await markDone(RollbackStep.done, in: \.rollbackSteps)
        ports.events.record(.normal, reason: "RolledBack", note: keepTarget ? "kept the running target \(targetPodName); removed the rest" : sourceServes ? "removed everything the migration created; \(sourcePodName) keeps running" : "removed everything the migration created", about: migration)
    }

    /// Removes the checkpoint archives a migration that ended without a pushed image left on the source node
    /// (a failed transfer's, and any whose path the operator never recorded) with a `--remove-only` Job there
    /// (``TransferJobBuilder/buildCleanup(migration:settings:sourceNode:archives:containers:scope:timeoutSeconds:)``),
    /// waiting for it; a Job that fails (the node is gone, say) is reported with the files to remove by hand.
    /// Nothing to do when the kubelet was never asked, refused (a runtime that fails a checkpoint writes no
    /// archive), or the image was pushed (the transfer removed them).
    func removeArchives() async throws {
        guard !done(RollbackStep.archivesRemoved, in: \.rollbackSteps) else { return }
        let refused = status.checkpointID == nil && status.failureReason == "CheckpointFailed"
        guard let scope = archiveScope, !refused, status.checkpointImageDigest == nil, let node = status.sourceNode else {
            try await markDone(RollbackStep.archivesRemoved, in: \.rollbackSteps)
            return
        }
        let jobName = MigrationNames.cleanupJob(for: migration)
        guard let job = try await find(Job.self, jobName) else {
            let built = TransferJobBuilder.buildCleanup(
                migration: migration, settings: configuration.transfer, sourceNode: node,
                archives: checkpoints.compactMap(\.archive), containers: checkpoints.map(\.name), scope: scope,
                timeoutSeconds: 120)
            do {
                _ = try await api.create(built, namespace: namespace, options: WriteOptions(fieldManager: MigrationNames.fieldManager))
            } catch where KubernetesErrors.isAlreadyExists(error) {}
            throw RollbackPending(description: "rollback waits for Job \(jobName) to remove the checkpoint archives from node \(node)")
        }
        guard job.isComplete || job.isFailed else {
            throw RollbackPending(description: "rollback waits for Job \(jobName) to remove the checkpoint archives from node \(node)")
        }
        if job.isFailed {
            let files = checkpoints.map { checkpoint in
                checkpoint.archive ?? "\(TransferJobBuilder.defaultCheckpointDirectory)/checkpoint-\(sourcePodName)_\(namespace)-\(checkpoint.name)-*.tar"
            }.joined(separator: ", ")
            ports.events.record(
                .warning, reason: "ArchiveRemovalFailed",
                note: "Job \(jobName) could not remove the checkpoint archives on node \(node); remove \(files) (written since \(scope.since)) by hand",
                about: migration)
        }
        try await remove(Job.self, jobName, options: DeleteOptions(propagationPolicy: .background))
        try await markDone(RollbackStep.archivesRemoved, in: \.rollbackSteps)
    }

    /// Whether the state had been retained before this rollback went on (the user discarded it).
    private var stateRetainedBefore: Bool { done(RollbackStep.stateRetained, in: \.rollbackSteps) }

    /// Keeps the workload's only copy of its state after a failed restore: the checkpoint image and the replay
    /// queue (still bound, so it goes on collecting every message the pod would have consumed) stay, the
    /// transfer Job goes (the image is in the registry), and the status says so — `status.retainedState`, the
    /// condition `StateRetained` with the way to recover — with a Warning event. The finalizer stays, so that
    /// deleting the migration discards the state through the rollback rather than leaking it.
    func retainState() async throws {
        guard !done(RollbackStep.stateRetained, in: \.rollbackSteps) else { return }
        try await remove(Job.self, MigrationNames.transferJob(for: migration), options: DeleteOptions(propagationPolicy: .background))
        let depth: Int64?
        do {
            depth = try await broker().queueStatus(replayQueue).map { Int64($0.messageCount) }
        } catch {
            depth = nil
        }
        let setKept = status.statefulSetName != nil && done(RestoringStep.statefulSetOrphaned, in: \.restoringSteps)
            && !done(RestoringStep.statefulSetRecreated, in: \.restoringSteps)
        status.retainedState = RetainedState(
            image: status.checkpointImage, imageDigest: status.checkpointImageDigest, replayQueue: replayQueue,
            replayQueueDepth: depth, journalQueue: status.replay?.journaled == true ? journalQueue : nil,
            statefulSet: setKept ? status.statefulSetName : nil)
        if checkpoints.count > 1 {
            status.retainedState?.containerImages = Dictionary(
                checkpoints.compactMap { checkpoint in checkpoint.image.map { (checkpoint.name, $0) } }, uniquingKeysWith: { first, _ in first })
        }
        let message = retainedStateMessage(depth: depth, statefulSetKept: setKept)
        setRetainedCondition(status: .true, reason: status.failureReason ?? "Failed", message: message)
        try await markDone(RollbackStep.stateRetained, in: \.rollbackSteps)
        ports.events.record(.warning, reason: "StateRetained", note: message, about: migration)
    }

    private func retainedStateMessage(depth: Int64?, statefulSetKept: Bool) -> String {
        let images = checkpoints.compactMap(\.image)
        let image = images.isEmpty ? "(none)" : images.joined(separator: ", ")
        let queue = "replay queue \(replayQueue) (\(depth.map { "\($0) messages" } ?? "depth unknown"), still collecting every message for \(sourcePodName))"
        var parts = ["the state of pod \(namespace)/\(sourcePodName) is kept: checkpoint image \(image), \(queue)"]
        if statefulSetKept, let set = status.statefulSetName {
            parts.append("StatefulSet \(set) stays deleted so that it does not start \(sourcePodName) fresh (its other pods run on)")
        } else if status.statefulSetName != nil {
            parts.append("the target pod is left to its StatefulSet; each restart restores it from the image again")
        }
        let replayed = status.replay?.startSent == true || status.replay?.rebuildNeeded == true
        if replayed, status.replay?.journaled == true {
            parts.append("journal queue \(journalQueue) keeps every message the failed target had already replayed")
        } else if replayed {
            parts.append("START_REPLAY had been sent, so messages the failed target already applied are no longer in the replay queue")
        }
        let object = "statefulmigration/\(name) -n \(namespace)"
        parts.append("to restore it: kubectl annotate \(object) \(RecoveryAnnotation.action)=\(RecoveryAnnotation.resume) [\(RecoveryAnnotation.targetNode)=NODE]")
        parts.append("to give it up (\(statefulSetNote)): kubectl annotate \(object) \(RecoveryAnnotation.action)=\(RecoveryAnnotation.discardState), or delete the migration")
        return parts.joined(separator: "; ")
    }

    /// What happens to the StatefulSet when the state is given up.
    private var statefulSetNote: String {
        guard let set = status.statefulSetName else { return "the pod is not restored" }
        return "StatefulSet \(set) is re-created and starts \(sourcePodName) without its state"
    }

    /// Sets the `StateRetained` condition.
    func setRetainedCondition(status value: ConditionStatus, reason: String, message: String) {
        var conditions = status.conditions ?? []
        conditions.setCondition(
            Condition(type: RetainedStateCondition.type, status: value, observedGeneration: migration.metadata.generation, reason: reason, message: message),
            now: Time(Date()))
        status.conditions = conditions
    }
}

/// The rollback waits for something (the target to leave the replay queue, the archive cleanup Job); retried
/// with backoff, and woken by the watched object's change.
struct RollbackPending: Error, CustomStringConvertible {
    var description: String = "rollback waits for the target to leave the replay queue"
}
