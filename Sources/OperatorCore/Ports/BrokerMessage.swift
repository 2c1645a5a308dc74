/// A value in message headers or queue arguments (the subset of AMQP field types MS2M uses).
///
/// Literals work: `["x-message-ttl": 60_000, "x-ms2m-migration": "abc", "x-replay": true]`.
public enum BrokerFieldValue: Sendable, Hashable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
    case string(String)
    case integer(Int64)
    case boolean(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }

    /// The value as text (integers in decimal, booleans as `true`/`false`).
    public var description: String {
        switch self {
        case .string(let value): value
        case .integer(let value): String(value)
        case .boolean(let value): String(value)
        }
    }
}

/// A message to publish.
public struct OutgoingMessage: Sendable, Hashable {
    /// The payload.
    public var body: [UInt8]
    /// The MIME type of `body`, such as `application/json`.
    public var contentType: String?
    /// An application-chosen id; MS2M consumers de-duplicate replayed messages by it.
    public var messageID: String?
    /// Persistent messages (AMQP `delivery_mode` 2) survive a broker restart in durable queues.
    public var persistent: Bool
    /// Application headers.
    public var headers: [String: BrokerFieldValue]

    public init(
        body: [UInt8], contentType: String? = nil, messageID: String? = nil, persistent: Bool = true,
        headers: [String: BrokerFieldValue] = [:]
    ) {
        self.body = body
        self.contentType = contentType
        self.messageID = messageID
        self.persistent = persistent
        self.headers = headers
    }

    /// A message whose body is the UTF-8 bytes of `text`.
    public init(
        text: String, contentType: String? = "text/plain", messageID: String? = nil, persistent: Bool = true,
        headers: [String: BrokerFieldValue] = [:]
    ) {
        self.init(
            body: Array(text.utf8), contentType: contentType, messageID: messageID, persistent: persistent,
            headers: headers)
    }
}

/// A message delivered to a consumer, to be acknowledged or rejected through the ``MessageConsuming`` that
/// delivered it.
public struct Delivery: Sendable, Hashable {
    /// The payload.
    public var body: [UInt8]
    /// The publisher's message id, if it set one.
    public var messageID: String?
    /// The publisher's content type, if it set one.
    public var contentType: String?
    /// Whether the message was published persistent (`delivery_mode` 2).
    public var persistent: Bool
    /// Application headers (field types outside ``BrokerFieldValue`` are left out).
    public var headers: [String: BrokerFieldValue]
    /// Whether this message was delivered before and not acknowledged (a consumer may have seen it).
    public var redelivered: Bool
    /// The exchange the message was published to (empty: the default exchange).
    public var exchange: String
    /// The routing key it was published with.
    public var routingKey: String
    /// The broker's tag for this delivery, unique within its consumer.
    public var deliveryTag: UInt64
    /// The consumer that received it; identifies where `ack` and `reject` go.
    public var consumerTag: String

    public init(
        body: [UInt8], messageID: String?, contentType: String?, persistent: Bool,
        headers: [String: BrokerFieldValue], redelivered: Bool, exchange: String, routingKey: String,
        deliveryTag: UInt64, consumerTag: String
    ) {
        self.body = body
        self.messageID = messageID
        self.contentType = contentType
        self.persistent = persistent
        self.headers = headers
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.deliveryTag = deliveryTag
        self.consumerTag = consumerTag
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
