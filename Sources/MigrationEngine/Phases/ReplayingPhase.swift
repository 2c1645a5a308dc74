import Foundation
import KubeModel
import MigrationAPI
import OperatorCore

extension MigrationRun {
    /// Replaying: tells the target to consume the replay queue (START_REPLAY on its control queue) and
    /// watches the queue's depth until it is drained or the cutoff fires (see ``ReplayCutoff``). It also
    /// watches the target (``outcomeIfTargetLost()``): once the source is gone (Sequential) a lost one sends
    /// the migration back to Restoring, and the replay queue is rebuilt from the journal first; while the
    /// source runs, the migration fails and the source keeps serving.
    func runReplaying() async throws -> PhaseOutcome {
        let broker = try await broker()
        var replay = status.replay ?? ReplayStatus()
        // The target is checked before START_REPLAY, before replay ends, and — at most once a second — while
        // it replays.
        if replay.startSent != true, let lost = try await outcomeIfTargetLost() { return lost }
        if replay.startSent != true, replay.rebuildNeeded == true {
            if replay.journaled == true {
                _ = try await rebuildReplayQueue(broker)
                replay.rebuilds = (replay.rebuilds ?? 0) + 1
            } else {
                ports.events.record(
                    .warning, reason: "ReplayQueueNotRebuilt",
                    note: "a target that had been replaying was lost and this migration keeps no journal: messages it consumed from \(replayQueue) are not replayed again",
                    about: migration)
            }
            replay.rebuildNeeded = false
            status.replay = replay
            try await persist()
        }
        if replay.startSent != true {
            guard let depth = try await broker.queueStatus(replayQueue)?.messageCount else {
                return .fail(reason: "ReplayQueueLost", message: "replay queue \(replayQueue) no longer exists")
            }
            let now = MicroTime.now()
            replay.initialDepth = Int64(depth)
            replay.startTime = now
            let captured = max(0.001, now.epochSeconds - (replay.captureStartTime ?? now).epochSeconds)
            replay.arrivalRate = ReplayCutoff.arrivalRate(depthAtReplayStart: Int64(depth), captureSeconds: captured)
            let control = MigrationControlMessage.controlQueue(forPod: targetPodName)
            try await broker.declareQueue(control, durable: true)
            try await broker.publish(MigrationControlMessage.startReplay(queue: replayQueue).outgoingMessage, toQueue: control)
            replay.startSent = true
            status.replay = replay
            try await persist()
            ports.events.record(.normal, reason: "ReplayStarted", note: "sent START_REPLAY to \(control); \(depth) messages to replay", about: migration)
            return .wait(after: configuration.replayPollInterval)
        }
        guard let queue = try await broker.queueStatus(replayQueue) else {
            return .fail(reason: "ReplayQueueLost", message: "replay queue \(replayQueue) no longer exists")
        }
        let depth = Int64(queue.messageCount)
        let elapsed = seconds(since: replay.startTime)
        let lambda = replay.arrivalRate ?? 0
        let initial = replay.initialDepth ?? 0
        let mu = elapsed > 0 ? ReplayCutoff.drainRate(arrivalRate: lambda, initialDepth: initial, depth: depth, elapsedSeconds: elapsed) : nil
        let rule = ReplayCutoff(
            maximumSeconds: Double(spec.replayCutoffSeconds ?? configuration.defaultReplayCutoffSeconds),
            drainOnly: spec.replayMode == "Drain")
        let decision = rule.decide(depth: depth, elapsedSeconds: elapsed, arrivalRate: lambda, drainRate: mu)
        replay.drainRate = mu
        replay.messagesReplayed = max(0, initial + Int64((lambda * elapsed).rounded()) - depth)
        status.replay = replay
        if decision != .continue || targetCheckDue, let lost = try await outcomeIfTargetLost() {
            return lost
        }
        guard decision != .continue else { return .wait(after: configuration.replayPollInterval) }
        replay.endReason = decision.rawValue
        replay.cutoffFired = decision != .drained
        status.replay = replay
        ports.events.record(
            decision == .drained ? .normal : .warning, reason: "ReplayEnded",
            note: "replay ended (\(decision.rawValue)) after \(String(format: "%.2f", elapsed)) s with \(depth) messages left; they are handed back to the primary queue",
            about: migration)
        return .advance(to: .finalizing)
    }
}
