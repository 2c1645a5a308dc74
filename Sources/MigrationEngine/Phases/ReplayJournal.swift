import Foundation
import KubeModel
import MigrationAPI
import OperatorCore

extension MigrationRun {
    /// A Sequential target lost while it replays, or while Finalizing still keeps the journal (its pod gone,
    /// failed or crashed, or its node gone or not Ready): the target is given up and the migration goes back to Restoring for another attempt from the
    /// same checkpoint (``RestoreRecovery``'s budget), with the replay queue to be rebuilt from the journal
    /// before the next START_REPLAY — what the lost target consumed is no longer in the replay queue, and the
    /// restored pod needs it again. nil while the target is fine.
    func restoreAgainIfTargetLost() async throws -> PhaseOutcome? {
        guard let (target, nodeName, problem) = try await targetProblem() else { return nil }
        let restore = status.restore ?? RestoreStatus()
        let now = Date()
        let step = restoreRecovery.next(
            problem: problem, attempts: Int(restore.attempts ?? 1),
            sinceFirst: now.timeIntervalSince(restore.firstAttemptTime?.date ?? now), sinceAttempt: .infinity)
        switch step {
        case .wait:
            return nil
        case .giveUp(let failure):
            // A resumed restore starts the replay over (``resumeRestore()``).
            return .fail(reason: "RestoreFailed", message: "the target was lost while \(phase.rawValue.lowercased()): \(failure)")
        case .retry(let failure):
            prepareToRestoreAgain()
            // The next target has the same name: it must not find START_REPLAY or END_REPLAY meant for this one.
            try await broker().deleteQueue(MigrationControlMessage.controlQueue(forPod: targetPodName))
            _ = try await abandon(target, on: nodeName, failure: "while \(phase.rawValue.lowercased()): \(failure)")
            return .advance(to: .restoring)
        }
    }

    /// The target checked while it replays or is switched over: nil while it is fine. Once the source is gone
    /// a lost target is restored again (``restoreAgainIfTargetLost()``); while the source still runs — it has
    /// consumed every message all along — the migration fails, and the rollback removes the target and keeps
    /// the source. Checked before the source is stopped, too: the only copy is never removed for a dead target.
    func outcomeIfTargetLost() async throws -> PhaseOutcome? {
        if sourceGone { return try await restoreAgainIfTargetLost() }
        guard let (_, _, problem) = try await targetProblem() else { return nil }
        return .fail(
            reason: "TargetLost",
            message: "the target was lost while \(phase.rawValue.lowercased()): \(problem.message); \(sourcePodName) keeps serving")
    }

    /// The target pod this migration created (nil when gone), its node, and what is wrong with it; nil while
    /// it is fine.
    private func targetProblem() async throws -> (target: Pod?, node: String, problem: RestoreProblem)? {
        let target = try await find(Pod.self, targetPodName).flatMap {
            $0.metadata.labels?[MigrationNames.migrationLabel] == name ? $0 : nil
        }
        let nodeName = target?.spec?.nodeName ?? status.targetNode ?? ""
        guard let target else { return (nil, nodeName, .nodeLost("pod \(targetPodName) on node \(nodeName) is gone")) }
        guard let problem = RestoreRecovery.problem(of: target, node: try await find(Node.self, nodeName)) else { return nil }
        return (target, nodeName, problem)
    }

    /// Makes the next passes restore the pod again: a new target (`TargetCreated` forgotten), Finalizing from its
    /// start, and the replay started over — rebuilt from the journal first when a target had begun replaying.
    func prepareToRestoreAgain() {
        status.restoringSteps = status.restoringSteps?.filter { $0 != RestoringStep.targetCreated }
        status.finalizingSteps = nil
        if var replay = status.replay {
            if replay.startSent == true { replay.rebuildNeeded = true }
            replay.startSent = false
            status.replay = replay
        }
    }

    /// Whether the target is to be checked now while the migration polls (at most once a second;
    /// ``TargetCheckSchedule``).
    var targetCheckDue: Bool { targetChecks.isDue(namespace: namespace, name: name) }

    /// Rebuilds the replay queue from the journal (``MigrationControlMessage/journalQueue(forPrimaryQueue:)``):
    /// the replay queue is deleted and declared and bound anew, then every message the journal holds is copied
    /// into it — each also re-published to the journal before it is acknowledged there, so the journal keeps
    /// every message (a crash in between leaves a duplicate, which the consumer skips by id) for a further
    /// rebuild. Messages arriving meanwhile reach both queues through the exchange. Safe to re-run: it starts
    /// over. Returns how many messages were copied.
    func rebuildReplayQueue(_ broker: any MessageBroker & MessageConsuming) async throws -> Int64 {
        guard let depth = try await broker.queueStatus(journalQueue)?.messageCount else {
            throw MigrationFailure("JournalLost", "journal queue \(journalQueue) no longer exists; the replay queue cannot be rebuilt")
        }
        try await broker.unbindQueue(replayQueue, exchange: exchange, routingKey: routingKey)
        try await broker.deleteQueue(replayQueue)
        try await broker.declareQueue(replayQueue, durable: true)
        try await broker.bindQueue(replayQueue, exchange: exchange, routingKey: routingKey)
        var copied: Int64 = 0
        if depth > 0 {
            let stream = broker.consume(queue: journalQueue, prefetch: configuration.returnPrefetch)
            for try await delivery in stream {
                var copy = OutgoingMessage(
                    body: delivery.body, contentType: delivery.contentType, messageID: delivery.messageID, persistent: true)
                copy.headers = delivery.headers
                try await broker.publish(copy, toQueue: replayQueue)
                try await broker.publish(copy, toQueue: journalQueue)
                try await broker.ack(delivery)
                copied += 1
                if copied >= Int64(depth) { break }
            }
        }
        ports.events.record(
            .normal, reason: "ReplayQueueRebuilt",
            note: "rebuilt \(replayQueue) from \(journalQueue) with \(copied) messages for the pod restored again", about: migration)
        return copied
    }
}
