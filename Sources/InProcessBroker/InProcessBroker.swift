public import OperatorCore
import Synchronization

/// An AMQP-like broker in memory: exchanges (fan-out, direct, topic and the default exchange), queues,
/// bindings, publishing, and consumers with prefetch, acknowledgements and redelivery — the behaviour
/// ``MessageBroker`` and ``MessageConsuming`` promise, without a RabbitMQ.
///
/// Used by the engine's unit tests and by `ms2m simulate`. Every operation completes synchronously under one
/// lock, so outcomes are deterministic: deliveries reach a consumer's stream in queue order, round-robin
/// across consumers, before the publishing call returns (streams are fed after the state lock is released,
/// in order, under a second lock; see ``InProcessBrokerState/outbox``). Errors carry the codes and texts RabbitMQ uses.
///
/// Fault hooks (``failNext(_:with:operations:)``, ``dropConsumers(with:)``, ``restart()``) let tests script a
/// flaky broker; ``messages(in:)`` and ``bindings(of:)`` let them inspect it.
public final class InProcessBroker: MessageBroker, MessageConsuming, Sendable {
    /// An operation a fault can target.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case declareExchange, declareQueue, bindQueue, unbindQueue, queueStatus, deleteQueue, publish
        case consume, ack, reject
    }

    private struct Fault {
        var remaining: Int
        var error: BrokerError
        var operations: Set<Operation>
    }

    private let state = Mutex(InProcessBrokerState())
    /// Serialises feeding consumers' streams so deliveries keep their order across publishing threads.
    private let delivering = Mutex(())
    private let faults = Mutex<[Fault]>([])

    public init() {}

    // MARK: MessageBroker

    public func declareExchange(_ name: String, type: ExchangeType, durable: Bool) async throws {
        try injectFault(.declareExchange)
        try state.withLock { state throws(BrokerError) in
            try state.declareExchange(name, type: type, durable: durable)
        }
    }

    public func declareQueue(_ name: String, durable: Bool, arguments: [String: BrokerFieldValue]) async throws {
        try injectFault(.declareQueue)
        defer { deliverOutbox() }
        try state.withLock { state throws(BrokerError) in
            try state.declareQueue(name, durable: durable, arguments: arguments)
        }
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try injectFault(.bindQueue)
        defer { deliverOutbox() }
        try state.withLock { state throws(BrokerError) in
            try state.bindQueue(queue, exchange: exchange, routingKey: routingKey)
        }
    }

    public func unbindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try injectFault(.unbindQueue)
        defer { deliverOutbox() }
        try state.withLock { state throws(BrokerError) in
            try state.unbindQueue(queue, exchange: exchange, routingKey: routingKey)
        }
    }

    public func queueStatus(_ name: String) async throws -> QueueStatus? {
        try injectFault(.queueStatus)
        return state.withLock { $0.queueStatus(name) }
    }

    public func deleteQueue(_ name: String, ifUnused: Bool, ifEmpty: Bool) async throws {
        try injectFault(.deleteQueue)
        defer { deliverOutbox() }
        var ended: [InProcessBrokerState.EndedConsumer] = []
        defer { finish(ended) }
        try state.withLock { state throws(BrokerError) in
            try state.deleteQueue(name, ifUnused: ifUnused, ifEmpty: ifEmpty, ended: &ended)
        }
    }

    public func publish(_ message: OutgoingMessage, exchange: String, routingKey: String) async throws {
        try injectFault(.publish)
        defer { deliverOutbox() }
        try state.withLock { state throws(BrokerError) in
            try state.publish(message, exchange: exchange, routingKey: routingKey)
        }
    }

    // MARK: MessageConsuming

    public func consume(queue: String, prefetch: Int) -> AsyncThrowingStream<Delivery, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Delivery.self, throwing: (any Error).self)
        do {
            try injectFault(.consume)
            let tag = try state.withLock { state throws(BrokerError) in
                try state.addConsumer(queue: queue, prefetch: prefetch, continuation: continuation)
            }
            continuation.onTermination = { [weak self] _ in self?.cancelConsumer(tag) }
            deliverOutbox()
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }

    public func ack(_ delivery: Delivery) async throws {
        try injectFault(.ack)
        try settle(delivery, requeue: nil)
    }

    public func reject(_ delivery: Delivery, requeue: Bool) async throws {
        try injectFault(.reject)
        try settle(delivery, requeue: requeue)
    }

    // MARK: Fault hooks

    /// Makes the next `count` calls of `operations` fail with `error` before doing anything.
    public func failNext(
        _ count: Int = 1, with error: BrokerError = BrokerError(.connection, message: "injected fault"),
        operations: Set<Operation> = Set(Operation.allCases)
    ) {
        guard count > 0 else { return }
        faults.withLock { $0.append(Fault(remaining: count, error: error, operations: operations)) }
    }

    /// Removes every pending fault.
    public func clearFaults() { faults.withLock { $0.removeAll() } }

    /// Ends every consumer's stream with `error`, as a dropped connection does; their unacknowledged messages
    /// are requeued and redelivered to the next consumer with `redelivered` set.
    public func dropConsumers(
        with error: BrokerError = BrokerError(.connection, code: 320, message: "CONNECTION_FORCED - injected")
    ) {
        finish(state.withLock { $0.dropAllConsumers(error: error) })
        deliverOutbox()
    }

    /// Simulates a broker restart: consumers end with a connection error, and transient exchanges, queues and
    /// messages are lost; durable ones and persistent messages remain.
    public func restart() {
        let error = BrokerError(.connection, code: 320, message: "CONNECTION_FORCED - broker shutdown")
        finish(state.withLock { $0.restart(error: error) })
        deliverOutbox()
    }

    // MARK: Inspection

    /// The ready messages of `queue`, front first (nil when the queue does not exist); unacknowledged ones are
    /// not included.
    public func messages(in queue: String) -> [OutgoingMessage]? {
        state.withLock { state in state.queues[queue].map { $0.ready.elements.map(\.message) } }
    }

    /// The names of every queue.
    public var queueNames: [String] { state.withLock { $0.queues.keys.sorted() } }

    /// Whether an exchange exists, and its type.
    public func exchangeType(of name: String) -> ExchangeType? { state.withLock { $0.exchanges[name]?.type } }

    /// The (exchange, routing key) pairs `queue` is bound with.
    public func bindings(of queue: String) -> [(exchange: String, routingKey: String)] {
        state.withLock { state in
            state.bindings.filter { $0.queue == queue }
                .sorted { ($0.exchange, $0.routingKey) < ($1.exchange, $1.routingKey) }
                .map { (exchange: $0.exchange, routingKey: $0.routingKey) }
        }
    }

    // MARK: Helpers

    private func settle(_ delivery: Delivery, requeue: Bool?) throws(BrokerError) {
        var ended: [InProcessBrokerState.EndedConsumer] = []
        defer {
            deliverOutbox()
            finish(ended)
        }
        try state.withLock { state throws(BrokerError) in
            try state.settle(delivery, requeue: requeue, ended: &ended)
        }
    }

    private func cancelConsumer(_ tag: String) {
        _ = state.withLock { $0.removeConsumer(tag) }
        // Called while the cancelled task's status is locked: requeued messages reach other consumers from
        // another task, never from here (a thread feeding streams may be waiting for that very lock).
        Task { self.deliverOutbox() }
    }

    /// Yields the deliveries the state handed out, outside the state's lock, in the order they were made.
    private func deliverOutbox() {
        delivering.withLock { _ in
            let pending = state.withLock { state in
                defer { state.outbox.removeAll() }
                return state.outbox
            }
            for item in pending { item.continuation.yield(item.delivery) }
        }
    }

    /// Finishes streams outside the lock: finishing runs the stream's termination handler, which takes it.
    private func finish(_ ended: [InProcessBrokerState.EndedConsumer]) {
        for consumer in ended {
            if let error = consumer.error {
                consumer.continuation.finish(throwing: error)
            } else {
                consumer.continuation.finish()
            }
        }
    }

    private func injectFault(_ operation: Operation) throws(BrokerError) {
        let error: BrokerError? = faults.withLock { faults in
            guard let index = faults.firstIndex(where: { $0.operations.contains(operation) }) else { return nil }
            let error = faults[index].error
            faults[index].remaining -= 1
            if faults[index].remaining == 0 { faults.remove(at: index) }
            return error
        }
        if let error { throw error }
    }
}
