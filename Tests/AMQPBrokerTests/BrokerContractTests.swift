import AMQPBroker
import InProcessBroker
import OperatorCore
import Testing

/// The behaviour ``MessageBroker`` and ``MessageConsuming`` promise, checked against the in-process broker
/// and a real RabbitMQ alike.
@Suite("Broker contract")
struct BrokerContractTests {
    @Test("declare, bind, publish, consume and ack round trip", arguments: BrokerBackend.allCases)
    func roundTrip(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let exchange = uniqueName("orders"), queue = uniqueName("orders-q")
        try await broker.declareExchange(exchange, type: .fanout, durable: true)
        try await broker.declareQueue(queue, durable: true)
        try await broker.bindQueue(queue, exchange: exchange)
        defer { Task { try? await broker.deleteQueue(queue) } }

        let message = OutgoingMessage(
            text: "hello", contentType: "text/plain", messageID: "m-1", persistent: true,
            headers: ["x-attempt": 3, "x-origin": "node-a", "x-replay": false])
        try await broker.publish(message, exchange: exchange, routingKey: "")
        #expect(try await broker.queueStatus(queue) == QueueStatus(name: queue, messageCount: 1, consumerCount: 0))

        var iterator = broker.consume(queue: queue, prefetch: 10).makeAsyncIterator()
        let delivery = try #require(try await next(1, from: &iterator).first)
        #expect(delivery.text == "hello")
        #expect(delivery.messageID == "m-1")
        #expect(delivery.contentType == "text/plain")
        #expect(delivery.persistent)
        #expect(delivery.headers == ["x-attempt": 3, "x-origin": "node-a", "x-replay": false])
        #expect(!delivery.redelivered)
        #expect(delivery.exchange == exchange)
        try await broker.ack(delivery)

        #expect(try await eventually {
            try await broker.queueStatus(queue) == QueueStatus(name: queue, messageCount: 0, consumerCount: 1)
        })
        _ = consume iterator  // ending the stream cancels the consumer
        #expect(try await eventually { try await broker.queueStatus(queue)?.consumerCount == 0 })
        #expect(try await broker.queueStatus(queue)?.messageCount == 0)
    }

    @Test("a fan-out exchange copies each message into every bound queue", arguments: BrokerBackend.allCases)
    func fanOutCopies(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let exchange = uniqueName("fanout"), primary = uniqueName("primary")
        let replay = MigrationControlMessage.replayQueue(forPrimaryQueue: primary)
        try await broker.declareExchange(exchange, type: .fanout, durable: true)
        for queue in [primary, replay] {
            try await broker.declareQueue(queue, durable: true)
            try await broker.bindQueue(queue, exchange: exchange, routingKey: "")
        }
        defer { Task { for queue in [primary, replay] { try? await broker.deleteQueue(queue) } } }

        for id in 1...3 {
            try await broker.publish(OutgoingMessage(text: "m\(id)", messageID: "\(id)"), exchange: exchange, routingKey: "any")
        }
        #expect(try await broker.queueStatus(primary)?.messageCount == 3)
        #expect(try await broker.queueStatus(replay)?.messageCount == 3)

        // After unbinding, new messages reach only the primary queue.
        try await broker.unbindQueue(replay, exchange: exchange, routingKey: "")
        try await broker.publish(OutgoingMessage(text: "m4", messageID: "4"), exchange: exchange, routingKey: "")
        #expect(try await broker.queueStatus(primary)?.messageCount == 4)
        #expect(try await broker.queueStatus(replay)?.messageCount == 3)

        var iterator = broker.consume(queue: replay, prefetch: 5).makeAsyncIterator()
        let ids = try await next(3, from: &iterator).map(\.messageID)
        #expect(ids == ["1", "2", "3"])
    }

    @Test("the status of a missing queue is nil, and the broker keeps working", arguments: BrokerBackend.allCases)
    func missingQueueStatus(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let queue = uniqueName("present")
        #expect(try await broker.queueStatus(uniqueName("absent")) == nil)
        #expect(try await broker.queueStatus(uniqueName("absent")) == nil)
        try await broker.declareQueue(queue, durable: false)
        try await broker.publish(OutgoingMessage(text: "x"), toQueue: queue)
        #expect(try await broker.queueStatus(queue)?.messageCount == 1)
        try await broker.deleteQueue(queue)
        #expect(try await broker.queueStatus(queue) == nil)
    }

    @Test("redeclaring with other properties is a precondition failure that harms no one else",
          arguments: BrokerBackend.allCases)
    func preconditionFailure(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let queue = uniqueName("durable"), exchange = uniqueName("fanout"), other = uniqueName("other")
        try await broker.declareQueue(queue, durable: true)
        try await broker.declareExchange(exchange, type: .fanout, durable: true)
        try await broker.declareQueue(other, durable: true)
        defer { Task { for name in [queue, other] { try? await broker.deleteQueue(name) } } }

        // Another caller keeps working while this one provokes errors.
        async let bystander: Int = {
            for index in 0..<20 {
                try await broker.publish(OutgoingMessage(text: "b\(index)"), toQueue: other)
                _ = try await broker.queueStatus(other)
            }
            return try await broker.queueStatus(other)?.messageCount ?? -1
        }()

        for _ in 0..<3 {
            let queueError = await #expect(throws: BrokerError.self) {
                try await broker.declareQueue(queue, durable: false)
            }
            #expect(queueError?.kind == .preconditionFailed)
            #expect(queueError?.code == 406)
            let exchangeError = await #expect(throws: BrokerError.self) {
                try await broker.declareExchange(exchange, type: .direct, durable: true)
            }
            #expect(exchangeError?.kind == .preconditionFailed)
            let argumentsError = await #expect(throws: BrokerError.self) {
                try await broker.declareQueue(queue, durable: true, arguments: ["x-message-ttl": 1000])
            }
            #expect(argumentsError?.kind == .preconditionFailed)
        }
        #expect(try await bystander == 20)
        // The same declaration as before is still fine.
        try await broker.declareQueue(queue, durable: true)
        try await broker.declareExchange(exchange, type: .fanout, durable: true)
    }

    @Test("control messages carry the exact JSON body and properties", arguments: BrokerBackend.allCases)
    func controlMessages(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let pod = uniqueName("pod")
        let controlQueue = MigrationControlMessage.controlQueue(forPod: pod)
        #expect(controlQueue == "ms2m.control.\(pod)")
        try await broker.declareQueue(controlQueue, durable: true)
        defer { Task { try? await broker.deleteQueue(controlQueue) } }

        let replay = MigrationControlMessage.replayQueue(forPrimaryQueue: "orders")
        #expect(replay == "orders.ms2m-replay")
        try await broker.publish(MigrationControlMessage.startReplay(queue: replay).outgoingMessage, toQueue: controlQueue)
        try await broker.publish(MigrationControlMessage.endReplay.outgoingMessage, toQueue: controlQueue)

        var iterator = broker.consume(queue: controlQueue, prefetch: 1).makeAsyncIterator()
        let start = try #require(try await next(1, from: &iterator).first)
        #expect(start.text == #"{"type":"START_REPLAY","payload":{"queue":"orders.ms2m-replay"}}"#)
        #expect(start.contentType == "application/json")
        #expect(start.persistent)
        #expect(start.exchange == "")
        #expect(start.routingKey == controlQueue)
        #expect(MigrationControlMessage(body: start.body) == .startReplay(queue: replay))
        try await broker.ack(start)

        let end = try #require(try await next(1, from: &iterator).first)  // prefetch 1: only after the ack
        #expect(end.text == #"{"type":"END_REPLAY"}"#)
        #expect(end.contentType == "application/json")
        #expect(end.persistent)
        #expect(MigrationControlMessage(body: end.body) == .endReplay)
        try await broker.ack(end)
    }

    @Test("message ids survive replay and redelivery, so consumers can de-duplicate",
          arguments: BrokerBackend.allCases)
    func deduplicationData(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let exchange = uniqueName("events"), primary = uniqueName("events-q")
        let replay = MigrationControlMessage.replayQueue(forPrimaryQueue: primary)
        try await broker.declareExchange(exchange, type: .fanout, durable: true)
        for queue in [primary, replay] {
            try await broker.declareQueue(queue, durable: true)
            try await broker.bindQueue(queue, exchange: exchange)
        }
        defer { Task { for queue in [primary, replay] { try? await broker.deleteQueue(queue) } } }

        // The producer publishes sequential ids; both queues get every one.
        for id in 1...6 {
            try await broker.publish(OutgoingMessage(text: "event \(id)", messageID: "seq-\(id)"), exchange: exchange, routingKey: "")
        }

        // The old consumer handles 1...3 from the primary queue, then "crashes" holding 4 unacknowledged.
        var seen: Set<String> = []
        do {
            var iterator = broker.consume(queue: primary, prefetch: 1).makeAsyncIterator()
            for _ in 1...3 {
                let delivery = try #require(try await next(1, from: &iterator).first)
                seen.insert(try #require(delivery.messageID))
                try await broker.ack(delivery)
            }
            let held = try #require(try await next(1, from: &iterator).first)
            #expect(held.messageID == "seq-4")
            #expect(!held.redelivered)
            _ = consume iterator
        }
        #expect(try await eventually { try await broker.queueStatus(primary) == QueueStatus(name: primary, messageCount: 3, consumerCount: 0) })

        // The restored consumer replays everything and skips what it has already seen.
        var replayed: [String] = []
        var iterator = broker.consume(queue: replay, prefetch: 2).makeAsyncIterator()
        for _ in 1...6 {
            let delivery = try #require(try await next(1, from: &iterator).first)  // prefetch 2: ack to get more
            let id = try #require(delivery.messageID)
            if !seen.contains(id) { replayed.append(id) }
            seen.insert(id)
            try await broker.ack(delivery)
        }
        #expect(replayed == ["seq-4", "seq-5", "seq-6"])
        #expect(try await eventually { try await broker.queueStatus(replay)?.messageCount == 0 })

        // Back on the primary queue, seq-4 comes again, marked redelivered, and is a duplicate.
        var primaryIterator = broker.consume(queue: primary, prefetch: 5).makeAsyncIterator()
        let again = try await next(3, from: &primaryIterator)
        #expect(again.map(\.messageID) == ["seq-4", "seq-5", "seq-6"])
        #expect(again[0].redelivered)
        #expect(again.allSatisfy { seen.contains($0.messageID ?? "") })
    }

    @Test("a rejected message is requeued and redelivered, or dropped", arguments: BrokerBackend.allCases)
    func rejectAndRequeue(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let queue = uniqueName("reject")
        try await broker.declareQueue(queue, durable: false)
        defer { Task { try? await broker.deleteQueue(queue) } }
        try await broker.publish(OutgoingMessage(text: "a", messageID: "a"), toQueue: queue)
        try await broker.publish(OutgoingMessage(text: "b", messageID: "b"), toQueue: queue)

        var iterator = broker.consume(queue: queue, prefetch: 1).makeAsyncIterator()
        let first = try #require(try await next(1, from: &iterator).first)
        #expect(first.messageID == "a")
        try await broker.reject(first, requeue: true)
        let again = try #require(try await next(1, from: &iterator).first)
        #expect(again.messageID == "a")
        #expect(again.redelivered)
        try await broker.reject(again, requeue: false)
        let second = try #require(try await next(1, from: &iterator).first)
        #expect(second.messageID == "b")
        try await broker.ack(second)
        #expect(try await eventually { try await broker.queueStatus(queue)?.messageCount == 0 })
    }

    @Test("acknowledging after the consumer ended fails with channelClosed", arguments: BrokerBackend.allCases)
    func ackAfterEnd(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let queue = uniqueName("late-ack")
        try await broker.declareQueue(queue, durable: false)
        defer { Task { try? await broker.deleteQueue(queue) } }
        try await broker.publish(OutgoingMessage(text: "x", messageID: "x"), toQueue: queue)
        var iterator = broker.consume(queue: queue, prefetch: 1).makeAsyncIterator()
        let delivery = try #require(try await next(1, from: &iterator).first)
        _ = consume iterator
        #expect(try await eventually { try await broker.queueStatus(queue)?.messageCount == 1 })
        let error = await #expect(throws: BrokerError.self) { try await broker.ack(delivery) }
        #expect(error?.kind == .channelClosed)
    }

    @Test("missing entities are notFound; deleting or unbinding what is not there succeeds",
          arguments: BrokerBackend.allCases)
    func notFoundAndIdempotence(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let queue = uniqueName("q"), exchange = uniqueName("x")
        try await broker.declareQueue(queue, durable: false)
        try await broker.declareExchange(exchange, type: .direct, durable: false)
        defer { Task { try? await broker.deleteQueue(queue) } }

        let publishError = await #expect(throws: BrokerError.self) {
            try await broker.publish(OutgoingMessage(text: "x"), exchange: uniqueName("nowhere"), routingKey: "k")
        }
        #expect(publishError?.kind == .notFound)
        #expect(publishError?.code == 404)
        let bindError = await #expect(throws: BrokerError.self) {
            try await broker.bindQueue(uniqueName("nope"), exchange: exchange, routingKey: "k")
        }
        #expect(bindError?.kind == .notFound)

        // Unroutable messages on the default exchange are dropped, not errors.
        try await broker.publish(OutgoingMessage(text: "x"), toQueue: uniqueName("nobody"))
        try await broker.unbindQueue(queue, exchange: exchange, routingKey: "never-bound")
        try await broker.deleteQueue(uniqueName("never-declared"))

        // Direct routing honours the key.
        try await broker.bindQueue(queue, exchange: exchange, routingKey: "blue")
        try await broker.publish(OutgoingMessage(text: "r"), exchange: exchange, routingKey: "red")
        try await broker.publish(OutgoingMessage(text: "b"), exchange: exchange, routingKey: "blue")
        #expect(try await broker.queueStatus(queue)?.messageCount == 1)

        var iterator = broker.consume(queue: uniqueName("missing"), prefetch: 1).makeAsyncIterator()
        let consumeError = await #expect(throws: BrokerError.self) { _ = try await iterator.next() }
        #expect(consumeError?.kind == .notFound)
    }

    @Test("conditional deletes refuse queues in use or not empty", arguments: BrokerBackend.allCases)
    func conditionalDelete(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let queue = uniqueName("cond")
        try await broker.declareQueue(queue, durable: false)
        try await broker.publish(OutgoingMessage(text: "x"), toQueue: queue)
        let notEmpty = await #expect(throws: BrokerError.self) {
            try await broker.deleteQueue(queue, ifUnused: false, ifEmpty: true)
        }
        #expect(notEmpty?.kind == .preconditionFailed)

        var iterator = broker.consume(queue: queue, prefetch: 1).makeAsyncIterator()
        _ = try await next(1, from: &iterator)
        let inUse = await #expect(throws: BrokerError.self) {
            try await broker.deleteQueue(queue, ifUnused: true, ifEmpty: false)
        }
        #expect(inUse?.kind == .preconditionFailed)

        // Deleting the queue under its consumer ends the consumer's stream.
        try await broker.deleteQueue(queue)
        let ended = await #expect(throws: BrokerError.self) { _ = try await nextElement(&iterator, timeout: .seconds(10)) }
        #expect(ended?.kind == .notFound)
        #expect(try await broker.queueStatus(queue) == nil)
    }

    @Test("prefetch bounds the deliveries in flight", arguments: BrokerBackend.allCases)
    func prefetchBound(backend: BrokerBackend) async throws {
        let broker = try await backend.makeBroker()
        let queue = uniqueName("prefetch")
        try await broker.declareQueue(queue, durable: false)
        defer { Task { try? await broker.deleteQueue(queue) } }
        for index in 0..<5 { try await broker.publish(OutgoingMessage(text: "\(index)"), toQueue: queue) }
        var iterator = broker.consume(queue: queue, prefetch: 2).makeAsyncIterator()
        let firstTwo = try await next(2, from: &iterator)
        #expect(try await eventually { try await broker.queueStatus(queue)?.messageCount == 3 })
        try await broker.ack(firstTwo[0])
        #expect(try await eventually { try await broker.queueStatus(queue)?.messageCount == 2 })
        #expect(try await next(1, from: &iterator).first?.text == "2")
    }
}
