import InProcessBroker
import OperatorCore
import SampleWorkload
import Synchronization
import Testing

/// The producer against a broker whose confirms take a round trip: due messages are published together,
/// within the in-flight bound, and a failed publish is retried without losing any id.
@Suite("Producer")
struct ProducerTests {
    @Test("due messages await their confirms together, never more than maximumInFlight at once")
    func publishesDueMessagesTogether() async throws {
        let broker = SlowConfirmBroker(confirmDelay: .milliseconds(20))
        try await broker.inner.declareQueue("orders", durable: true)
        let producer = Producer(brokers: broker, brokerURL: "amqp://slow/", exchange: nil, queue: "orders", rate: 1_000_000)
        try await producer.run(count: 40)

        #expect(await producer.published == 40)
        let ids = Set((broker.inner.messages(in: "orders") ?? []).compactMap(\.messageID))
        #expect(ids == Set((1...40).map { "msg-\($0)" }))
        let peak = broker.peakInFlight
        #expect(peak > 1, "publishes were awaited one at a time")
        #expect(peak <= Producer.maximumInFlight)
    }

    @Test("a publish that fails inside a batch is retried alone: every id arrives once, the count is exact")
    func failedPublishIsRetried() async throws {
        let broker = SlowConfirmBroker(confirmDelay: .milliseconds(5))
        try await broker.inner.declareQueue("orders", durable: true)
        broker.inner.failNext(2, operations: [.publish])
        let producer = Producer(brokers: broker, brokerURL: "amqp://slow/", exchange: nil, queue: "orders", rate: 1_000_000)
        try await producer.run(count: 40)

        #expect(await producer.published == 40)
        // The faults fail publishes before the broker takes them, and confirmed ones are not sent again: each
        // id arrives exactly once.
        let ids = (broker.inner.messages(in: "orders") ?? []).compactMap(\.messageID)
        #expect(ids.count == 40 && Set(ids) == Set((1...40).map { "msg-\($0)" }))
    }
}

/// An in-process broker whose publishes return only after `confirmDelay`, as a real broker's confirm does
/// after a round trip; it records how many publishes were awaiting their confirm at once.
private final class SlowConfirmBroker: MessageBroker, MessageConsuming, MessageBrokerConnecting, Sendable {
    let inner = InProcessBroker()
    let confirmDelay: Duration
    private let inFlight = Mutex((current: 0, peak: 0))

    init(confirmDelay: Duration) { self.confirmDelay = confirmDelay }

    var peakInFlight: Int { inFlight.withLock { $0.peak } }

    func broker(url: String, credentials: BrokerCredentials?) async throws -> any MessageBroker & MessageConsuming { self }

    func publish(_ message: OutgoingMessage, exchange: String, routingKey: String) async throws {
        inFlight.withLock {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
        defer { inFlight.withLock { $0.current -= 1 } }
        try await inner.publish(message, exchange: exchange, routingKey: routingKey)
        try await Task.sleep(for: confirmDelay)
    }

    func declareExchange(_ name: String, type: ExchangeType, durable: Bool) async throws {
        try await inner.declareExchange(name, type: type, durable: durable)
    }

    func declareQueue(_ name: String, durable: Bool, arguments: [String: BrokerFieldValue]) async throws {
        try await inner.declareQueue(name, durable: durable, arguments: arguments)
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try await inner.bindQueue(queue, exchange: exchange, routingKey: routingKey)
    }

    func unbindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try await inner.unbindQueue(queue, exchange: exchange, routingKey: routingKey)
    }

    func queueStatus(_ name: String) async throws -> QueueStatus? { try await inner.queueStatus(name) }

    func deleteQueue(_ name: String, ifUnused: Bool, ifEmpty: Bool) async throws {
        try await inner.deleteQueue(name, ifUnused: ifUnused, ifEmpty: ifEmpty)
    }

    func consume(queue: String, prefetch: Int) -> AsyncThrowingStream<Delivery, any Error> {
        inner.consume(queue: queue, prefetch: prefetch)
    }

    func ack(_ delivery: Delivery) async throws { try await inner.ack(delivery) }

    func reject(_ delivery: Delivery, requeue: Bool) async throws { try await inner.reject(delivery, requeue: requeue) }
}
