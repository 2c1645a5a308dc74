public import Logging
public import OperatorCore

/// A RabbitMQ (AMQP 0-9-1) broker reached through librabbitmq over one connection, implementing
/// ``MessageBroker`` and ``MessageConsuming``.
///
/// The connection lives on a dedicated thread; every method hops to it and back, so nothing blocks Swift's
/// cooperative pool. A channel-level error (404, 406, …) fails only the call that caused it. When the
/// connection drops (broker restart, network failure, an operator closing it), what was in flight fails with
/// ``BrokerError/Kind/connection``, consumers' streams end with that error, and the next call reconnects —
/// waiting up to ``RabbitMQBrokerOptions/operationTimeout`` for the broker to come back.
///
/// Get one from ``connect(url:credentials:options:)`` and ``close()`` it when done, or share one per URL
/// through ``RabbitMQBrokerPool``, whose brokers are closed only by the pool.
public final class RabbitMQBroker: MessageBroker, MessageConsuming, Sendable {
    /// The URL this broker connects to (its `description` masks the password).
    public let url: AMQPURL
    /// The options in effect (URL query parameters applied).
    public let options: RabbitMQBrokerOptions
    private let loop: AMQPConnectionLoop

    private init(url: AMQPURL, options: RabbitMQBrokerOptions, logger: Logger) throws(BrokerError) {
        self.url = url
        self.options = options
        loop = try AMQPConnectionLoop(url: url, options: options, logger: logger)
    }

    deinit {
        loop.requestShutdown()
    }

    /// Connects to `url` and logs in; `credentials` replace the URL's user and password. Throws a
    /// ``BrokerError`` when the URL is invalid (``BrokerError/Kind/invalidArgument``), the broker is
    /// unreachable (``BrokerError/Kind/connection``) or refuses the login
    /// (``BrokerError/Kind/authentication``, ``BrokerError/Kind/accessRefused`` for a virtual host).
    /// Connection losses and reconnections are logged to `logger`.
    public static func connect(
        url: String, credentials: BrokerCredentials? = nil, options: RabbitMQBrokerOptions = RabbitMQBrokerOptions(),
        logger: Logger = Logger(label: "ms2m.amqp")
    ) async throws -> RabbitMQBroker {
        try await connect(url: AMQPURL(url).applying(credentials), options: options, logger: logger)
    }

    /// Connects to a parsed URL.
    public static func connect(
        url: AMQPURL, options: RabbitMQBrokerOptions = RabbitMQBrokerOptions(),
        logger: Logger = Logger(label: "ms2m.amqp")
    ) async throws -> RabbitMQBroker {
        let broker = try RabbitMQBroker(url: url, options: try url.resolvedOptions(options), logger: logger)
        do {
            try await broker.loop.perform(needsConnection: false) { session throws(BrokerError) in
                try session.connectNow()
            }
        } catch {
            await broker.close()
            throw error
        }
        return broker
    }

    /// Closes the connection: consumers' streams end, later calls fail with ``BrokerError/Kind/connection``.
    public func close() async {
        await loop.shutdown()
    }

    // MARK: MessageBroker

    public func declareExchange(_ name: String, type: ExchangeType, durable: Bool) async throws {
        try Self.validate(name, "exchange name")
        try await loop.perform { session throws(BrokerError) in
            try session.declareExchange(name, type: type, durable: durable)
        }
    }

    public func declareQueue(_ name: String, durable: Bool, arguments: [String: BrokerFieldValue]) async throws {
        try Self.validate(name, "queue name")
        guard !name.isEmpty else { throw BrokerError(.invalidArgument, message: "a queue name is required") }
        try await loop.perform { session throws(BrokerError) in
            try session.declareQueue(name, durable: durable, arguments: arguments)
        }
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try Self.validate(queue, "queue name")
        try Self.validate(exchange, "exchange name")
        try Self.validate(routingKey, "routing key")
        try await loop.perform { session throws(BrokerError) in
            try session.bindQueue(queue, exchange: exchange, routingKey: routingKey)
        }
    }

    public func unbindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try Self.validate(queue, "queue name")
        try Self.validate(exchange, "exchange name")
        try Self.validate(routingKey, "routing key")
        try await loop.perform { session throws(BrokerError) in
            try session.unbindQueue(queue, exchange: exchange, routingKey: routingKey)
        }
    }

    public func queueStatus(_ name: String) async throws -> QueueStatus? {
        try Self.validate(name, "queue name")
        return try await loop.perform { session throws(BrokerError) in try session.queueStatus(name) }
    }

    public func deleteQueue(_ name: String, ifUnused: Bool, ifEmpty: Bool) async throws {
        try Self.validate(name, "queue name")
        try await loop.perform { session throws(BrokerError) in
            try session.deleteQueue(name, ifUnused: ifUnused, ifEmpty: ifEmpty)
        }
    }

    public func publish(_ message: OutgoingMessage, exchange: String, routingKey: String) async throws {
        try Self.validate(exchange, "exchange name")
        try Self.validate(routingKey, "routing key")
        for value in [message.contentType, message.messageID].compactMap({ $0 }) {
            try Self.validate(value, "message property")
        }
        try await loop.performDeferred { (session, deadline, complete: @escaping @Sendable (Result<Void, BrokerError>) -> Void) in
            session.publish(AMQPSession.PublishRequest(
                message: message, exchange: exchange, routingKey: routingKey, deadline: deadline,
                completion: complete))
        }
    }

    // MARK: MessageConsuming

    public func consume(queue: String, prefetch: Int) -> AsyncThrowingStream<Delivery, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Delivery.self, throwing: (any Error).self)
        do {
            try Self.validate(queue, "queue name")
        } catch {
            continuation.finish(throwing: error)
            return stream
        }
        let consumerTag = "ms2m-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let loop = self.loop
        loop.submit(AMQPConnectionLoop.Command(
            deadline: .now + options.operationTimeout, needsConnection: true, cancellation: nil,
            run: { session in
                do throws(BrokerError) {
                    try session.startConsumer(
                        consumerTag: consumerTag, queue: queue, prefetch: prefetch, continuation: continuation)
                } catch {
                    continuation.finish(throwing: error)
                }
            },
            fail: { continuation.finish(throwing: $0) }))
        continuation.onTermination = { _ in
            loop.submit(AMQPConnectionLoop.Command(
                deadline: .now, needsConnection: false, cancellation: nil,
                run: { session in session.stopConsumer(consumerTag: consumerTag) },
                fail: { _ in }))
        }
        return stream
    }

    public func ack(_ delivery: Delivery) async throws {
        try await loop.perform { session throws(BrokerError) in try session.ack(delivery) }
    }

    public func reject(_ delivery: Delivery, requeue: Bool) async throws {
        try await loop.perform { session throws(BrokerError) in try session.reject(delivery, requeue: requeue) }
    }

    // MARK: Validation

    /// AMQP short strings (names, keys, properties) hold at most 255 bytes; longer ones would break the
    /// frame encoding, so they are refused before reaching the connection.
    private static func validate(_ value: String, _ what: String) throws(BrokerError) {
        guard value.utf8.count <= 255 else {
            throw BrokerError(.invalidArgument, message: "\(what) '\(value.prefix(32))…' is longer than 255 bytes")
        }
    }
}
