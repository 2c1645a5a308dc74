/// A failure reported through ``MessageBroker`` or ``MessageConsuming``.
///
/// `code` and `message` are the broker's close reason when the broker refused the operation (AMQP reply
/// codes such as 404 `NOT_FOUND` or 406 `PRECONDITION_FAILED`), or a client-side description otherwise.
public struct BrokerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in the terms a caller decides on.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The broker is unreachable, the connection dropped, or the connection was closed. Retrying later
        /// can succeed (adapters reconnect).
        case connection
        /// The broker refused the user name or password.
        case authentication
        /// The user may not do this (AMQP 403 `ACCESS_REFUSED`, 530 `NOT_ALLOWED`, 405 `RESOURCE_LOCKED`).
        case accessRefused
        /// The exchange or queue does not exist (AMQP 404).
        case notFound
        /// The entity exists with different properties, or a delete condition failed (AMQP 406).
        case preconditionFailed
        /// The channel the operation needed was closed (for example acking after the consumer ended).
        case channelClosed
        /// The broker and the client disagree on the protocol (AMQP 5xx, malformed frames).
        case protocolError
        /// The broker did not answer in time.
        case timeout
        /// The request itself is invalid (a malformed URL, an out-of-range argument).
        case invalidArgument
    }

    /// What went wrong.
    public var kind: Kind
    /// The AMQP reply code when the broker gave one, or the client library's status code.
    public var code: Int?
    /// The broker's reply text or a client-side description.
    public var message: String

    public init(_ kind: Kind, code: Int? = nil, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String {
        if let code { return "\(kind.rawValue) (\(code)): \(message)" }
        return "\(kind.rawValue): \(message)"
    }

    /// Whether `error` is a ``BrokerError`` of `kind`.
    public static func `is`(_ error: any Error, _ kind: Kind) -> Bool {
        (error as? BrokerError)?.kind == kind
    }
}
