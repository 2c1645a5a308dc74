import OperatorCore

/// Everything an ``InProcessBroker`` holds: exchanges, queues, bindings and consumers, with AMQP 0-9-1's
/// routing, prefetch and redelivery rules. Only ever touched under the broker's lock.
struct InProcessBrokerState {
    struct Exchange {
        var type: ExchangeType
        var durable: Bool
    }

    struct Binding: Hashable {
        var queue: String
        var exchange: String
        var routingKey: String
    }

    struct StoredMessage {
        var message: OutgoingMessage
        var exchange: String
        var routingKey: String
        var redelivered: Bool
    }

    struct Queue {
        var durable: Bool
        var arguments: [String: BrokerFieldValue]
        var ready = MessageBuffer<StoredMessage>()
        /// Consumer tags in round-robin order; the next delivery goes to the first one with room.
        var consumers: [String] = []
    }

    struct Consumer {
        var queue: String
        var prefetch: Int
        var continuation: AsyncThrowingStream<Delivery, any Error>.Continuation
        var nextDeliveryTag: UInt64 = 1
        /// Delivered and not yet acknowledged, by delivery tag (ascending = delivery order).
        var unacked: [UInt64: StoredMessage] = [:]
    }

    /// A consumer stream to finish once the lock is released (finishing runs its termination handler).
    struct EndedConsumer {
        var continuation: AsyncThrowingStream<Delivery, any Error>.Continuation
        var error: BrokerError?
    }

    /// The exchanges every AMQP broker has (the default exchange is the empty name and is implicit).
    static let predeclaredExchanges: [String: Exchange] = [
        "amq.direct": Exchange(type: .direct, durable: true),
        "amq.fanout": Exchange(type: .fanout, durable: true),
        "amq.topic": Exchange(type: .topic, durable: true),
    ]

    var exchanges = predeclaredExchanges
    var queues: [String: Queue] = [:]
    var bindings: Set<Binding> = []
    var consumers: [String: Consumer] = [:]
    /// Deliveries handed to consumers but not yet yielded to their streams. They are yielded by the broker
    /// after the lock is released: yielding resumes the consuming task, which takes that task's status lock,
    /// while cancelling a consumer's task holds it and takes this state's lock (lock-order inversion).
    var outbox: [(continuation: AsyncThrowingStream<Delivery, any Error>.Continuation, delivery: Delivery)] = []
    var nextConsumerNumber = 1

    // MARK: Topology

    mutating func declareExchange(_ name: String, type: ExchangeType, durable: Bool) throws(BrokerError) {
        try Self.validateName(name, what: "exchange")
        guard !name.isEmpty, !name.hasPrefix("amq.") else {
            throw BrokerError(
                .accessRefused, code: 403,
                message: "ACCESS_REFUSED - exchange name '\(name)' contains reserved prefix 'amq.*'")
        }
        if let existing = exchanges[name] {
            if existing.type != type {
                throw Self.inequivalent("type", of: "exchange '\(name)'", received: type.rawValue,
                                        current: existing.type.rawValue)
            }
            if existing.durable != durable {
                throw Self.inequivalent("durable", of: "exchange '\(name)'", received: "\(durable)",
                                        current: "\(existing.durable)")
            }
            return
        }
        exchanges[name] = Exchange(type: type, durable: durable)
    }

    mutating func declareQueue(
        _ name: String, durable: Bool, arguments: [String: BrokerFieldValue]
    ) throws(BrokerError) {
        try Self.validateName(name, what: "queue")
        guard !name.isEmpty else { throw BrokerError(.invalidArgument, message: "a queue name is required") }
        guard !name.hasPrefix("amq.") else {
            throw BrokerError(
                .accessRefused, code: 403,
                message: "ACCESS_REFUSED - queue name '\(name)' contains reserved prefix 'amq.*'")
        }
        if let existing = queues[name] {
            if existing.durable != durable {
                throw Self.inequivalent("durable", of: "queue '\(name)'", received: "\(durable)",
                                        current: "\(existing.durable)")
            }
            for key in Set(existing.arguments.keys).union(arguments.keys).sorted()
            where existing.arguments[key] != arguments[key] {
                throw Self.inequivalent(
                    key, of: "queue '\(name)'", received: arguments[key]?.description ?? "none",
                    current: existing.arguments[key]?.description ?? "none")
            }
            return
        }
        queues[name] = Queue(durable: durable, arguments: arguments)
    }

    mutating func bindQueue(_ queue: String, exchange: String, routingKey: String) throws(BrokerError) {
        try Self.validateName(routingKey, what: "routing key")
        guard !exchange.isEmpty else {
            throw BrokerError(
                .accessRefused, code: 403,
                message: "ACCESS_REFUSED - operation not permitted on the default exchange")
        }
        guard queues[queue] != nil else { throw Self.noQueue(queue) }
        guard exchanges[exchange] != nil else { throw Self.noExchange(exchange) }
        bindings.insert(Binding(queue: queue, exchange: exchange, routingKey: routingKey))
    }

    mutating func unbindQueue(_ queue: String, exchange: String, routingKey: String) throws(BrokerError) {
        guard !exchange.isEmpty else {
            throw BrokerError(
                .accessRefused, code: 403,
                message: "ACCESS_REFUSED - operation not permitted on the default exchange")
        }
        bindings.remove(Binding(queue: queue, exchange: exchange, routingKey: routingKey))
    }

    func queueStatus(_ name: String) -> QueueStatus? {
        guard let queue = queues[name] else { return nil }
        return QueueStatus(name: name, messageCount: queue.ready.count, consumerCount: queue.consumers.count)
    }

    mutating func deleteQueue(
        _ name: String, ifUnused: Bool, ifEmpty: Bool, ended: inout [EndedConsumer]
    ) throws(BrokerError) {
        guard let queue = queues[name] else { return }
        if ifUnused, !queue.consumers.isEmpty {
            throw BrokerError(
                .preconditionFailed, code: 406, message: "PRECONDITION_FAILED - queue '\(name)' in use")
        }
        if ifEmpty, !queue.ready.isEmpty {
            throw BrokerError(
                .preconditionFailed, code: 406, message: "PRECONDITION_FAILED - queue '\(name)' not empty")
        }
        // The broker cancels the queue's consumers; their unacknowledged messages die with the queue.
        for tag in queue.consumers {
            if let consumer = consumers.removeValue(forKey: tag) {
                ended.append(EndedConsumer(
                    continuation: consumer.continuation,
                    error: BrokerError(.notFound, message: "consumer cancelled: queue '\(name)' was deleted")))
            }
        }
        queues[name] = nil
        bindings = bindings.filter { $0.queue != name }
    }

    // MARK: Publishing

    mutating func publish(_ message: OutgoingMessage, exchange: String, routingKey: String) throws(BrokerError) {
        try Self.validateName(routingKey, what: "routing key")
        let targets: [String]
        if exchange.isEmpty {
            targets = queues[routingKey] == nil ? [] : [routingKey]
        } else {
            guard let type = exchanges[exchange]?.type else { throw Self.noExchange(exchange) }
            targets = Set(bindings.lazy.filter { binding in
                guard binding.exchange == exchange else { return false }
                switch type {
                case .fanout: return true
                case .direct: return binding.routingKey == routingKey
                case .topic: return TopicPattern.matches(pattern: binding.routingKey, routingKey: routingKey)
                }
            }.map(\.queue)).sorted()
        }
        for target in targets {
            queues[target]?.ready.append(
                StoredMessage(message: message, exchange: exchange, routingKey: routingKey, redelivered: false))
            dispatch(queue: target)
        }
    }

    // MARK: Consuming

    mutating func addConsumer(
        queue: String, prefetch: Int, continuation: AsyncThrowingStream<Delivery, any Error>.Continuation
    ) throws(BrokerError) -> String {
        guard queues[queue] != nil else { throw Self.noQueue(queue) }
        let tag = "ms2m-inprocess-\(nextConsumerNumber)"
        nextConsumerNumber += 1
        consumers[tag] = Consumer(queue: queue, prefetch: max(1, prefetch), continuation: continuation)
        queues[queue]?.consumers.append(tag)
        dispatch(queue: queue)
        return tag
    }

    /// Removes a consumer and requeues what it had not acknowledged, as closing its channel does.
    mutating func removeConsumer(_ tag: String) -> AsyncThrowingStream<Delivery, any Error>.Continuation? {
        guard let consumer = consumers.removeValue(forKey: tag) else { return nil }
        queues[consumer.queue]?.consumers.removeAll { $0 == tag }
        requeue(consumer.unacked, on: consumer.queue)
        dispatch(queue: consumer.queue)
        return consumer.continuation
    }

    /// Settles a delivery: ack (`requeue` nil), or reject and requeue or drop it. An unknown delivery tag ends
    /// the consumer with 406, as a broker closes the channel.
    mutating func settle(_ delivery: Delivery, requeue: Bool?, ended: inout [EndedConsumer]) throws(BrokerError) {
        guard var consumer = consumers[delivery.consumerTag] else {
            throw BrokerError(.channelClosed, message: "consumer '\(delivery.consumerTag)' has ended")
        }
        guard var message = consumer.unacked.removeValue(forKey: delivery.deliveryTag) else {
            if let continuation = removeConsumer(delivery.consumerTag) {
                ended.append(EndedConsumer(
                    continuation: continuation,
                    error: BrokerError(
                        .preconditionFailed, code: 406,
                        message: "PRECONDITION_FAILED - unknown delivery tag \(delivery.deliveryTag)")))
            }
            return
        }
        consumers[delivery.consumerTag] = consumer
        if requeue == true {
            message.redelivered = true
            queues[consumer.queue]?.ready.prepend(message)
        }
        dispatch(queue: consumer.queue)
    }

    /// Ends every consumer (a connection loss); their unacknowledged messages go back to their queues.
    mutating func dropAllConsumers(error: BrokerError) -> [EndedConsumer] {
        var ended: [EndedConsumer] = []
        for tag in consumers.keys.sorted() {
            if let continuation = removeConsumer(tag) {
                ended.append(EndedConsumer(continuation: continuation, error: error))
            }
        }
        return ended
    }

    /// Loses what a broker restart loses: consumers, transient exchanges and queues, and transient messages.
    mutating func restart(error: BrokerError) -> [EndedConsumer] {
        let ended = dropAllConsumers(error: error)
        exchanges = exchanges.filter(\.value.durable)
        queues = queues.filter(\.value.durable)
        for name in queues.keys {
            queues[name]?.ready.removeAll { !$0.message.persistent }
        }
        bindings = bindings.filter { queues[$0.queue] != nil && exchanges[$0.exchange] != nil }
        return ended
    }

    /// Hands ready messages to consumers with room, round-robin.
    private mutating func dispatch(queue name: String) {
        guard var queue = queues[name], !queue.consumers.isEmpty else { return }
        var idleRounds = 0
        while !queue.ready.isEmpty, idleRounds < queue.consumers.count {
            let tag = queue.consumers.removeFirst()
            queue.consumers.append(tag)
            guard var consumer = consumers[tag], consumer.unacked.count < consumer.prefetch else {
                idleRounds += 1
                continue
            }
            idleRounds = 0
            let stored = queue.ready.removeFirst()
            let deliveryTag = consumer.nextDeliveryTag
            consumer.nextDeliveryTag += 1
            consumer.unacked[deliveryTag] = stored
            consumers[tag] = consumer
            outbox.append((consumer.continuation, Delivery(
                body: stored.message.body, messageID: stored.message.messageID,
                contentType: stored.message.contentType, persistent: stored.message.persistent,
                headers: stored.message.headers, redelivered: stored.redelivered, exchange: stored.exchange,
                routingKey: stored.routingKey, deliveryTag: deliveryTag, consumerTag: tag)))
        }
        queues[name] = queue
    }

    private mutating func requeue(_ unacked: [UInt64: StoredMessage], on queue: String) {
        guard queues[queue] != nil else { return }
        for tag in unacked.keys.sorted(by: >) {
            var message = unacked[tag]!
            message.redelivered = true
            queues[queue]?.ready.prepend(message)
        }
    }

    // MARK: Errors and validation

    private static func validateName(_ name: String, what: String) throws(BrokerError) {
        guard name.utf8.count <= 255 else {
            throw BrokerError(.invalidArgument, message: "\(what) '\(name.prefix(32))…' is longer than 255 bytes")
        }
    }

    private static func noQueue(_ name: String) -> BrokerError {
        BrokerError(.notFound, code: 404, message: "NOT_FOUND - no queue '\(name)' in vhost '/'")
    }

    private static func noExchange(_ name: String) -> BrokerError {
        BrokerError(.notFound, code: 404, message: "NOT_FOUND - no exchange '\(name)' in vhost '/'")
    }

    private static func inequivalent(_ argument: String, of entity: String, received: String, current: String)
        -> BrokerError
    {
        BrokerError(
            .preconditionFailed, code: 406,
            message: "PRECONDITION_FAILED - inequivalent arg '\(argument)' for \(entity) in vhost '/': "
                + "received '\(received)' but current is '\(current)'")
    }
}
