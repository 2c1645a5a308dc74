import Foundation
import InProcessBroker
import OperatorCore

/// Plays the restored consumer's side of the MS2M contract against the in-process broker: waits for
/// START_REPLAY on its control queue, consumes the replay queue, and on END_REPLAY switches to the primary
/// queue; records every message id it applies (de-duplicating) and how many duplicates it skipped.
final class ReplayConsumer: Sendable {
    let applied = Shared<[String]>([])
    let duplicates = Shared<Int>(0)
    let mode = Shared<String>("waiting")
    private let task: Shared<Task<Void, Never>?> = Shared(nil)

    func start(broker: InProcessBroker, pod: String, primary: String) {
        let t = Task {
            let control = MigrationControlMessage.controlQueue(forPod: pod)
            try? await broker.declareQueue(control, durable: true)
            var dataTask: Task<Void, Never>?
            do {
                for try await delivery in broker.consume(queue: control, prefetch: 1) {
                    try await broker.ack(delivery)
                    switch MigrationControlMessage(body: delivery.body) {
                    case .startReplay(let queue):
                        dataTask?.cancel()
                        mode.withLock { $0 = "replay" }
                        dataTask = consume(broker: broker, queue: queue)
                    case .endReplay:
                        if let running = dataTask { running.cancel(); _ = await running.value }
                        mode.withLock { $0 = "primary" }
                        dataTask = consume(broker: broker, queue: primary)
                    case nil:
                        break
                    }
                }
            } catch {}
            dataTask?.cancel()
        }
        task.withLock { $0 = t }
    }

    private func consume(broker: InProcessBroker, queue: String) -> Task<Void, Never> {
        Task {
            do {
                for try await delivery in broker.consume(queue: queue, prefetch: 5) {
                    let id = delivery.messageID ?? ""
                    let fresh = applied.withLock { ids -> Bool in
                        if ids.contains(id) { return false }
                        ids.append(id)
                        return true
                    }
                    if !fresh { duplicates.withLock { $0 += 1 } }
                    try await broker.ack(delivery)
                }
            } catch {}
        }
    }

    func stop() { task.withLock { $0?.cancel() } }
}
