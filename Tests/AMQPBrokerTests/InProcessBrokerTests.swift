import InProcessBroker
import OperatorCore
import Testing

/// What only the in-process broker offers: fault hooks, restarts and inspection, plus topic routing.
@Suite("InProcessBroker")
struct InProcessBrokerTests {
    @Test("failNext fails the next N matching operations, then the broker works again")
    func failNext() async throws {
        let broker = InProcessBroker()
        broker.failNext(2, with: BrokerError(.timeout, message: "slow"), operations: [.queueStatus])
        try await broker.declareQueue("q", durable: true)  // not targeted
        for _ in 0..<2 {
            let error = await #expect(throws: BrokerError.self) { _ = try await broker.queueStatus("q") }
            #expect(error?.kind == .timeout)
        }
        #expect(try await broker.queueStatus("q")?.messageCount == 0)

        broker.failNext(1)
        await #expect(throws: BrokerError.self) { try await broker.publish(OutgoingMessage(text: "x"), toQueue: "q") }
        try await broker.publish(OutgoingMessage(text: "x"), toQueue: "q")
        #expect(broker.messages(in: "q")?.map(\.body) == [Array("x".utf8)])
    }

    @Test("dropConsumers ends streams with a connection error and requeues what was unacknowledged")
    func dropConsumers() async throws {
        let broker = InProcessBroker()
        try await broker.declareQueue("q", durable: true)
        try await broker.publish(OutgoingMessage(text: "a", messageID: "a"), toQueue: "q")
        var iterator = broker.consume(queue: "q", prefetch: 1).makeAsyncIterator()
        _ = try await next(1, from: &iterator)
        broker.dropConsumers()
        let error = await #expect(throws: BrokerError.self) { _ = try await iterator.next() }
        #expect(error?.kind == .connection)
        #expect(try await broker.queueStatus("q") == QueueStatus(name: "q", messageCount: 1, consumerCount: 0))
        var again = broker.consume(queue: "q", prefetch: 1).makeAsyncIterator()
        let redelivered = try #require(try await next(1, from: &again).first)
        #expect(redelivered.redelivered)
        #expect(redelivered.messageID == "a")
    }

    @Test("a restart keeps durable queues and persistent messages only")
    func restart() async throws {
        let broker = InProcessBroker()
        try await broker.declareExchange("x", type: .fanout, durable: true)
        try await broker.declareExchange("tx", type: .fanout, durable: false)
        try await broker.declareQueue("durable", durable: true)
        try await broker.declareQueue("transient", durable: false)
        try await broker.bindQueue("durable", exchange: "x")
        try await broker.publish(OutgoingMessage(text: "keep", persistent: true), exchange: "x", routingKey: "")
        try await broker.publish(OutgoingMessage(text: "lose", persistent: false), exchange: "x", routingKey: "")
        broker.restart()
        #expect(broker.queueNames == ["durable"])
        #expect(broker.exchangeType(of: "x") == .fanout)
        #expect(broker.exchangeType(of: "tx") == nil)
        #expect(broker.messages(in: "durable")?.count == 1)
        #expect(broker.bindings(of: "durable").map(\.exchange) == ["x"])
    }

    @Test("topic bindings match words with * and #", arguments: [
        ("orders.*", "orders.created", true),
        ("orders.*", "orders.created.eu", false),
        ("orders.#", "orders", true),
        ("orders.#", "orders.created.eu", true),
        ("#.eu", "orders.created.eu", true),
        ("*.created.*", "orders.created.eu", true),
        ("*.created", "orders.deleted", false),
    ])
    func topicRouting(pattern: String, key: String, routed: Bool) async throws {
        let broker = InProcessBroker()
        try await broker.declareExchange("topics", type: .topic, durable: false)
        try await broker.declareQueue("q", durable: false)
        try await broker.bindQueue("q", exchange: "topics", routingKey: pattern)
        try await broker.publish(OutgoingMessage(text: "m"), exchange: "topics", routingKey: key)
        #expect(try await broker.queueStatus("q")?.messageCount == (routed ? 1 : 0))
    }

    @Test("consumers share a queue round-robin")
    func roundRobin() async throws {
        let broker = InProcessBroker()
        try await broker.declareQueue("q", durable: false)
        var first = broker.consume(queue: "q", prefetch: 10).makeAsyncIterator()
        var second = broker.consume(queue: "q", prefetch: 10).makeAsyncIterator()
        for index in 0..<4 { try await broker.publish(OutgoingMessage(text: "\(index)"), toQueue: "q") }
        #expect(try await next(2, from: &first).map(\.text) == ["0", "2"])
        #expect(try await next(2, from: &second).map(\.text) == ["1", "3"])
    }

    @Test("the connector gives one broker per URL, ignoring credentials, and rejects other schemes")
    func connector() async throws {
        let connector = InProcessBrokerConnector()
        let a = try connector.broker(for: "amqp://user:pw@Rabbit:5672/")
        let b = try connector.broker(for: "amqp://other@rabbit:5672")
        let c = try connector.broker(for: "amqp://rabbit:5672/vh")
        #expect(a === b)
        #expect(a !== c)
        let fromPort = try await connector.broker(url: "amqp://rabbit:5672", credentials: nil)
        #expect((fromPort as? InProcessBroker) === a)
        #expect(throws: BrokerError.self) { _ = try connector.broker(for: "http://rabbit") }
    }

    @Test("reserved and default-exchange operations are refused as RabbitMQ refuses them")
    func reservedNames() async throws {
        let broker = InProcessBroker()
        let reserved = await #expect(throws: BrokerError.self) {
            try await broker.declareExchange("amq.mine", type: .direct, durable: true)
        }
        #expect(reserved?.kind == .accessRefused)
        try await broker.declareQueue("q", durable: false)
        let defaultExchange = await #expect(throws: BrokerError.self) { try await broker.bindQueue("q", exchange: "") }
        #expect(defaultExchange?.kind == .accessRefused)
    }
}
