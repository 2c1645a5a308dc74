import Foundation
import KubeModel
import MigrationAPI
import OperatorCore

/// The finalizing steps, in order, as recorded in `status.finalizingSteps`.
enum FinalizingStep {
    static let sourceStopped = "SourceStopped"
    static let replayUnbound = "ReplayUnbound"
    static let endReplaySent = "EndReplaySent"
    static let targetLeftReplay = "TargetLeftReplay"
    static let leftoversReturned = "LeftoversReturned"
    static let replayDeleted = "ReplayQueueDeleted"
    static let imageDeleted = "ImageDeleted"
    static let jobDeleted = "TransferJobDeleted"
    static let sourceControlQueueDeleted = "SourceControlQueueDeleted"
}

extension MigrationRun {
    /// Finalizing, ordered so that every message published during the migration reaches the target at
    /// least once (exactly once for a consumer that de-duplicates by message id):
    ///
    /// 1. Stop the source (ShadowPod: delete it and wait until it is gone; a ReplicaSet pod: hand the target
    ///    to the ReplicaSet, which removes the source, see ``handSourceToReplicaSet()``; Sequential: it
    ///    already is). From now on nobody consumes the primary queue, so messages wait there.
    /// 2. Unbind the replay queue: no more copies. Every message the source consumed after the checkpoint
    ///    is in the replay queue; every later one is in the primary queue.
    /// 3. Send END_REPLAY: the target finishes what it holds from the replay queue and switches to the
    ///    primary queue — which the source no longer consumes.
    /// 4. Wait until the target has left the replay queue (no consumers).
    /// 5. Hand every message still in the replay queue (replay cut off, or unacknowledged and requeued when
    ///    the target left) back to the primary queue with its message id, so it is applied, not lost.
    /// 6. Delete the replay queue (and the journal), then the checkpoint image (unless kept) and the transfer
    ///    Job; Sequential re-creates the StatefulSet, which adopts the target; ShadowPod deletes the source's
    ///    control queue.
    func runFinalizing() async throws -> PhaseOutcome {
        // Until the journal goes (with the replay queue), a Sequential target lost now can still be restored
        // again without losing a message: checked at most once a second, and once more before the deletion.
        let journalKept = sourceGone && status.replay?.journaled == true && !done(FinalizingStep.replayDeleted, in: \.finalizingSteps)
        if journalKept, targetCheckDue, let lost = try await restoreAgainIfTargetLost() {
            return lost
        }
        if !done(FinalizingStep.sourceStopped, in: \.finalizingSteps) {
            // The source is the only complete copy until the target serves: before anything is done to it, the
            // target is checked once more (a target lost after that is past saving without a journal).
            if !sourceGone, (status.finalizingSteps ?? []).isEmpty,
                let source = try await find(Pod.self, sourcePodName), source.metadata.uid == status.sourcePodUID,
                !source.metadata.isBeingDeleted, let lost = try await outcomeIfTargetLost()
            {
                return lost
            }
            if handsOffToReplicaSet {
                if let outcome = try await handSourceToReplicaSet() { return outcome }
            } else if strategy == .shadowPod, let source = try await find(Pod.self, sourcePodName), source.metadata.uid == status.sourcePodUID {
                if source.metadata.deletionTimestamp == nil {
                    try await remove(Pod.self, sourcePodName, options: DeleteOptions(preconditions: DeleteOptions.Preconditions(uid: status.sourcePodUID)))
                    ports.events.record(.normal, reason: "SourceDeleted", note: "deleted source pod \(sourcePodName) on \(status.sourceNode ?? "")", about: migration)
                }
                return .wait(after: nil)
            }
            try await markDone(FinalizingStep.sourceStopped, in: \.finalizingSteps)
        }
        if let outcome = try await switchTargetToPrimary() { return outcome }
        if journalKept, let lost = try await restoreAgainIfTargetLost() { return lost }
        try await removeLeftovers(deleteImage: spec.keepCheckpointImage != true, steps: \.finalizingSteps)
        // Sequential: the restored pod holds the whole state now; its StatefulSet comes back and adopts it.
        if strategy == .sequential, let outcome = try await recreateStatefulSet() { return outcome }
        if strategy == .shadowPod, !done(FinalizingStep.sourceControlQueueDeleted, in: \.finalizingSteps) {
            // The source pod is gone and its name with it (the target has its own): nothing reads its control
            // queue any more. (Sequential's target keeps the source's name, and its control queue.)
            try await broker().deleteQueue(MigrationControlMessage.controlQueue(forPod: sourcePodName))
            try await markDone(FinalizingStep.sourceControlQueueDeleted, in: \.finalizingSteps)
        }
        ports.events.record(.normal, reason: "MigrationCompleted", note: "\(sourcePodName) now runs as \(targetPodName) on \(status.targetNode ?? "")", about: migration)
        return .advance(to: .completed)
    }

    /// Steps 2–5 of Finalizing (also used by a rollback that keeps the target): unbind, END_REPLAY, wait for
    /// the target to leave the replay queue, hand leftovers back. nil when done.
    func switchTargetToPrimary() async throws -> PhaseOutcome? {
        let broker = try await broker()
        if !done(FinalizingStep.replayUnbound, in: \.finalizingSteps) {
            try await broker.unbindQueue(replayQueue, exchange: exchange, routingKey: routingKey)
            try await markDone(FinalizingStep.replayUnbound, in: \.finalizingSteps)
        }
        if !done(FinalizingStep.endReplaySent, in: \.finalizingSteps) {
            let control = MigrationControlMessage.controlQueue(forPod: targetPodName)
            try await broker.declareQueue(control, durable: true)
            try await broker.publish(MigrationControlMessage.endReplay.outgoingMessage, toQueue: control)
            try await markDone(FinalizingStep.endReplaySent, in: \.finalizingSteps)
        }
        if !done(FinalizingStep.targetLeftReplay, in: \.finalizingSteps) {
            if let queue = try await broker.queueStatus(replayQueue), queue.consumerCount > 0 {
                return .wait(after: configuration.replayPollInterval)
            }
            try await markDone(FinalizingStep.targetLeftReplay, in: \.finalizingSteps)
        }
        if !done(FinalizingStep.leftoversReturned, in: \.finalizingSteps) {
            let returned = try await returnLeftovers(broker)
            var replay = status.replay ?? ReplayStatus()
            replay.messagesReturned = (replay.messagesReturned ?? 0) + returned
            status.replay = replay
            try await markDone(FinalizingStep.leftoversReturned, in: \.finalizingSteps)
        }
        return nil
    }

    /// Moves every message in the replay queue to the primary queue (default exchange, same body, id,
    /// headers and content type, persistent), acknowledging each only after the broker confirmed its copy.
    /// Returns how many were moved. The queue must be unbound first, so it only shrinks.
    func returnLeftovers(_ broker: any MessageBroker & MessageConsuming) async throws -> Int64 {
        var moved: Int64 = 0
        while let queue = try await broker.queueStatus(replayQueue), queue.messageCount > 0 {
            let wanted = queue.messageCount
            let stream = broker.consume(queue: replayQueue, prefetch: configuration.returnPrefetch)
            var taken = 0
            for try await delivery in stream {
                var copy = OutgoingMessage(body: delivery.body, contentType: delivery.contentType, messageID: delivery.messageID, persistent: true)
                copy.headers = delivery.headers
                try await broker.publish(copy, toQueue: primaryQueue)
                try await broker.ack(delivery)
                moved += 1
                taken += 1
                if taken >= wanted { break }
            }
        }
        if moved > 0 {
            ports.events.record(.normal, reason: "ReplayLeftoversReturned", note: "moved \(moved) messages from \(replayQueue) back to \(primaryQueue)", about: migration)
        }
        return moved
    }

    /// Deletes the replay queue, the checkpoint images (when `deleteImage`) and the transfer Job, recording
    /// each step in `steps`.
    func removeLeftovers(deleteImage: Bool, steps: WritableKeyPath<StatefulMigrationStatus, [String]?>) async throws {
        if !done(FinalizingStep.replayDeleted, in: steps) {
            let broker = try await broker()
            try await broker.unbindQueue(replayQueue, exchange: exchange, routingKey: routingKey)
            try await broker.deleteQueue(replayQueue)
            if status.replay?.journaled == true {
                try await broker.unbindQueue(journalQueue, exchange: exchange, routingKey: routingKey)
                try await broker.deleteQueue(journalQueue)
            }
            try await markDone(FinalizingStep.replayDeleted, in: steps)
        }
        if !done(FinalizingStep.imageDeleted, in: steps) {
            let images = deleteImage ? checkpoints.compactMap(\.image) : []
            let credentials = images.isEmpty ? nil : try await registryConfig()
            for image in images {
                do {
                    try await ports.images.deleteImage(image, dockerConfigJSON: credentials, insecure: spec.registry?.insecure == true)
                } catch {
                    // Housekeeping: a registry that forbids deletes must not fail a finished migration.
                    ports.events.record(.warning, reason: "ImageDeletionFailed", note: "could not delete \(image): \(error)", about: migration)
                }
            }
            try await markDone(FinalizingStep.imageDeleted, in: steps)
        }
        if !done(FinalizingStep.jobDeleted, in: steps) {
            try await remove(Job.self, MigrationNames.transferJob(for: migration), options: DeleteOptions(propagationPolicy: .background))
            try await markDone(FinalizingStep.jobDeleted, in: steps)
        }
    }

    /// The registry Secret's `.dockerconfigjson`, when the spec names one.
    func registryConfig() async throws -> [UInt8]? {
        guard let ref = spec.registryCredentialsSecretRef, let secret = try await find(Secret.self, ref.name) else { return nil }
        return secretValue(secret, key: ".dockerconfigjson").map { Array($0.utf8) }
    }
}
