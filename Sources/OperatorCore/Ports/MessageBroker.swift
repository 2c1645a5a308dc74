/// The broker operations an MS2M migration needs, and nothing more (an AMQP 0-9-1 subset).
///
/// The engine declares a durable fan-out exchange and a durable replay queue, binds both the primary and the
/// replay queue to the exchange, publishes control messages to the target pod's control queue, watches the
/// replay queue drain with `queueStatus`, and finally unbinds and deletes the replay queue.
///
/// Every operation is idempotent where AMQP is: declaring an existing entity with the same arguments, binding
/// twice, unbinding a missing binding and deleting a missing queue all succeed. Errors are ``BrokerError``s.
/// A failed operation (for example a redeclare with different arguments) affects only that call; the broker
/// stays usable for every other caller.
public protocol MessageBroker: Sendable {
    /// Declares an exchange, or checks that an existing one has the same type and durability
    /// (``BrokerError/Kind/preconditionFailed`` if not).
    func declareExchange(_ name: String, type: ExchangeType, durable: Bool) async throws

    /// Declares a queue, or checks that an existing one has the same durability and arguments
    /// (``BrokerError/Kind/preconditionFailed`` if not). `arguments` are AMQP queue arguments such as
    /// `x-message-ttl` or `x-queue-type`.
    func declareQueue(_ name: String, durable: Bool, arguments: [String: BrokerFieldValue]) async throws

    /// Binds `queue` to `exchange`; fan-out exchanges ignore `routingKey`.
    /// ``BrokerError/Kind/notFound`` when either does not exist.
    func bindQueue(_ queue: String, exchange: String, routingKey: String) async throws

    /// Removes a binding; removing a binding that does not exist succeeds.
    func unbindQueue(_ queue: String, exchange: String, routingKey: String) async throws

    /// The depth of a queue, or nil when the queue does not exist. Asking about a missing queue never
    /// disturbs other callers of the same connection.
    func queueStatus(_ name: String) async throws -> QueueStatus?

    /// Deletes a queue and the messages in it; deleting a missing queue succeeds.
    /// With `ifUnused` (`ifEmpty`) the call fails with ``BrokerError/Kind/preconditionFailed`` when the queue
    /// has consumers (messages).
    func deleteQueue(_ name: String, ifUnused: Bool, ifEmpty: Bool) async throws

    /// Publishes one message and returns once the broker has confirmed it (publisher confirms): a persistent
    /// message routed to a durable queue is then on the broker's disk. The empty `exchange` is the default
    /// exchange, which routes to the queue named `routingKey`; a message no queue receives is dropped, as in
    /// AMQP. ``BrokerError/Kind/notFound`` when a named exchange does not exist.
    func publish(_ message: OutgoingMessage, exchange: String, routingKey: String) async throws
}

extension MessageBroker {
    /// Declares a queue without arguments.
    public func declareQueue(_ name: String, durable: Bool) async throws {
        try await declareQueue(name, durable: durable, arguments: [:])
    }

    /// Binds with an empty routing key (fan-out bindings).
    public func bindQueue(_ queue: String, exchange: String) async throws {
        try await bindQueue(queue, exchange: exchange, routingKey: "")
    }

    /// Unbinds a binding made with an empty routing key.
    public func unbindQueue(_ queue: String, exchange: String) async throws {
        try await unbindQueue(queue, exchange: exchange, routingKey: "")
    }

    /// Deletes a queue unconditionally.
    public func deleteQueue(_ name: String) async throws {
        try await deleteQueue(name, ifUnused: false, ifEmpty: false)
    }

    /// Publishes to a queue through the default exchange (routing key = queue name).
    public func publish(_ message: OutgoingMessage, toQueue queue: String) async throws {
        try await publish(message, exchange: "", routingKey: queue)
    }
}

/// Consumes messages with manual acknowledgements (the sample workload's side of the broker).
public protocol MessageConsuming: Sendable {
    /// Starts a consumer on `queue` with at most `prefetch` unacknowledged deliveries in flight (at least 1).
    ///
    /// The stream ends with a ``BrokerError`` when the consumer cannot start (``BrokerError/Kind/notFound``
    /// for a missing queue), when the queue is deleted, or when the connection is lost (then consume again:
    /// unacknowledged messages are redelivered with `redelivered` set). Ending the stream — cancelling the
    /// consuming task or dropping the iterator — cancels the consumer and requeues what it had not
    /// acknowledged; acknowledging its deliveries afterwards fails with ``BrokerError/Kind/channelClosed``.
    func consume(queue: String, prefetch: Int) -> AsyncThrowingStream<Delivery, any Error>

    /// Acknowledges a delivery: the broker forgets the message.
    func ack(_ delivery: Delivery) async throws

    /// Rejects a delivery: the broker requeues it (`requeue`, redelivered later with `redelivered` set) or
    /// drops it.
    func reject(_ delivery: Delivery, requeue: Bool) async throws
}

/// User name and password for a broker, for example from a Kubernetes Secret. They take precedence over
/// any user information in the broker URL.
public struct BrokerCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// Hands out brokers by URL (`messageQueueConfig.brokerUrl`), so each migration reaches the broker its
/// workload uses. Implementations may share one connection among every caller of the same URL and
/// credentials; callers never close what they are given.
public protocol MessageBrokerConnecting: Sendable {
    /// A broker for `url` (`amqp://user:pass@host:port/vhost` or `amqps://…`); `credentials`, when given,
    /// replace the URL's user and password. Throws ``BrokerError`` when the URL is invalid or the broker
    /// cannot be reached or refuses the login.
    func broker(url: String, credentials: BrokerCredentials?) async throws -> any MessageBroker & MessageConsuming
}
