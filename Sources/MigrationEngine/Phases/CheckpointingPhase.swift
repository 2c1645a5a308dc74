import Foundation
import KubeModel
import MigrationAPI
import OperatorCore

extension MigrationRun {
    /// Checkpointing: starts capturing — the durable fan-out exchange, the durable replay queue, and both
    /// the primary and the replay queue bound to it (Sequential: also the journal queue, see
    /// ``rebuildReplayQueue(_:)``) — and only then asks the kubelet to checkpoint, so every message the
    /// checkpoint has not seen is in the replay queue.
    ///
    /// Re-running after a crash is safe: the declarations and bindings are idempotent, and a second
    /// checkpoint taken after the capture began is as good as the first (the replay queue holds everything
    /// since the earlier binding; the consumer de-duplicates).
    func runCheckpointing() async throws -> PhaseOutcome {
        let broker = try await broker()
        do {
            try await broker.declareExchange(exchange, type: .fanout, durable: true)
        } catch let error as BrokerError where error.kind == .preconditionFailed {
            return .fail(reason: "ExchangeMismatch", message: "exchange \(exchange) exists with other settings than a durable fanout exchange: \(error)")
        }
        do {
            try await broker.declareQueue(replayQueue, durable: true)
        } catch let error as BrokerError where error.kind == .preconditionFailed {
            return .fail(reason: "ReplayQueueMismatch", message: "queue \(replayQueue) exists with other settings: \(error)")
        }
        do {
            try await broker.bindQueue(primaryQueue, exchange: exchange, routingKey: routingKey)
        } catch let error as BrokerError where error.kind == .notFound {
            return .fail(reason: "PrimaryQueueNotFound", message: "queue \(primaryQueue) does not exist on the broker: \(error)")
        }
        try await broker.bindQueue(replayQueue, exchange: exchange, routingKey: routingKey)
        if strategy == .sequential {
            // The source goes before the target replays: keep a second copy a lost target cannot consume.
            try await broker.declareQueue(journalQueue, durable: true)
            try await broker.bindQueue(journalQueue, exchange: exchange, routingKey: routingKey)
        }
        if status.replay?.captureStartTime == nil || (strategy == .sequential && status.replay?.journaled != true) {
            var replay = status.replay ?? ReplayStatus()
            replay.captureStartTime = replay.captureStartTime ?? MicroTime.now()
            if strategy == .sequential { replay.journaled = true }
            status.replay = replay
            try await persist()
        }

        // Messages that reached the primary queue before the replay queue was bound have no copy in it. If
        // the source took one after the checkpoint, its effect would leave with the source. So checkpoint
        // only once the primary queue holds nothing from before the binding: its ready count reaching zero
        // after the binding means every older message has been delivered to the source. A source that
        // cannot keep up never gets there; after `primaryDrainWait` the checkpoint is taken anyway, with a
        // warning (the consumer's prefetch window has the same residual exposure; see the consumer contract).
        if let waiting = try await primaryBacklogOutcome(broker) { return waiting }

        let node = status.sourceNode ?? ""
        if status.checkpointRequestTime == nil {
            // Before the request: an archive the kubelet writes for it is this migration's to remove, even if
            // the operator dies before it learns the path.
            status.checkpointRequestTime = MicroTime.now()
            try await persist()
        }
        // One container at a time, the replayed one first (``CheckpointedContainers``); each archive is
        // recorded before the next request, so a restart checkpoints only what has none.
        var checkpoints = self.checkpoints
        for index in checkpoints.indices where checkpoints[index].archive == nil {
            let container = checkpoints[index].name
            let items: [String]
            do {
                items = try await ports.kubelet.checkpoint(
                    node: node, namespace: namespace, pod: sourcePodName, container: container,
                    timeout: configuration.checkpointTimeout)
            } catch where KubernetesErrors.code(of: error) != nil && KubernetesErrors.code(of: error)! < 500 {
                return .fail(reason: "CheckpointFailed", message: "the kubelet on \(node) refused to checkpoint \(sourcePodName)/\(container): \(error)\(freshHint(container))")
            } catch where KubernetesErrors.code(of: error) == 500 {
                return .fail(reason: "CheckpointFailed", message: "the container runtime on \(node) failed to checkpoint \(sourcePodName)/\(container): \(error)\(freshHint(container))")
            }
            guard let archive = items.first, !archive.isEmpty else {
                return .fail(reason: "CheckpointFailed", message: "the kubelet on \(node) returned no checkpoint archive for \(sourcePodName)/\(container)")
            }
            checkpoints[index].archive = archive
            record(checkpoints)
            ports.events.record(.normal, reason: "Checkpointed", note: "checkpointed \(sourcePodName)/\(container) on \(node) to \(archive)", about: migration)
            if checkpoints[(index + 1)...].contains(where: { $0.archive == nil }) { try await persist() }
        }
        return .advance(to: .transferring)
    }

    /// The containers this migration checkpoints, with what is known of each (``CheckpointedContainers``); a
    /// migration recorded before multi-container support has only the replayed container, in the fields the
    /// reference reports.
    var checkpoints: [ContainerCheckpoint] {
        status.containerCheckpoints ?? [ContainerCheckpoint(
            name: status.containerName ?? "", archive: status.checkpointID, image: status.checkpointImage,
            imageDigest: status.checkpointImageDigest)]
    }

    /// Records `checkpoints` in status, the replayed container's also in the reference's fields.
    func record(_ checkpoints: [ContainerCheckpoint]) {
        if status.containerCheckpoints != nil || checkpoints.count > 1 { status.containerCheckpoints = checkpoints }
        guard let primary = checkpoints.first else { return }
        status.checkpointID = primary.archive
        status.checkpointImage = primary.image
        status.checkpointImageDigest = primary.imageDigest
    }

    /// For a container other than the replayed one: how to leave it out.
    private func freshHint(_ container: String) -> String {
        guard container != status.containerName else { return "" }
        return " (if \(container) holds no state worth keeping, annotate pod \(sourcePodName) \(PodOverrideAnnotation.freshContainers)=\(container) to start it fresh in the target)"
    }

    /// `.wait` while the primary queue still holds messages published before capture began (bounded by
    /// ``EngineConfiguration/primaryDrainWait``); nil when the checkpoint may be taken.
    private func primaryBacklogOutcome(_ broker: any MessageBroker & MessageConsuming) async throws -> PhaseOutcome? {
        guard let backlog = try await broker.queueStatus(primaryQueue)?.messageCount, backlog > 0 else { return nil }
        let waited = seconds(since: status.replay?.captureStartTime)
        let limit = configuration.primaryDrainWait.seconds
        if waited < limit { return .wait(after: configuration.replayPollInterval) }
        ports.events.record(
            .warning, reason: "PrimaryBacklogAtCheckpoint",
            note: "queue \(primaryQueue) still held \(backlog) messages \(String(format: "%.1f", waited)) s after capture began; checkpointing anyway — messages from before the capture that the source applies after the checkpoint are not replayed",
            about: migration)
        return nil
    }
}
