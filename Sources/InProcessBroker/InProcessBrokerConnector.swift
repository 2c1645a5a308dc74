public import OperatorCore
import Synchronization

/// Hands out ``InProcessBroker``s by URL: every caller of the same `amqp://` or `amqps://` host, port and
/// virtual host gets the same broker, whatever the credentials, as a shared connection would.
///
/// `ms2m simulate` and engine tests give this to the engine in place of the RabbitMQ pool; tests reach the
/// broker behind a URL with ``broker(for:)`` to inspect it or inject faults.
public final class InProcessBrokerConnector: MessageBrokerConnecting, Sendable {
    private let brokers = Mutex<[String: InProcessBroker]>([:])

    public init() {}

    public func broker(url: String, credentials: BrokerCredentials?) async throws
        -> any MessageBroker & MessageConsuming
    {
        try broker(for: url)
    }

    /// The broker behind `url`, created on first use. Throws ``BrokerError/Kind/invalidArgument`` unless the
    /// URL is `amqp://` or `amqps://` with a host.
    public func broker(for url: String) throws(BrokerError) -> InProcessBroker {
        let key = try Self.key(for: url)
        return brokers.withLock { brokers in
            if let broker = brokers[key] { return broker }
            let broker = InProcessBroker()
            brokers[key] = broker
            return broker
        }
    }

    /// `scheme://host:port/vhost`, without user information.
    static func key(for url: String) throws(BrokerError) -> String {
        let scheme: String
        let rest: Substring
        if url.hasPrefix("amqp://") {
            (scheme, rest) = ("amqp", url.dropFirst("amqp://".count))
        } else if url.hasPrefix("amqps://") {
            (scheme, rest) = ("amqps", url.dropFirst("amqps://".count))
        } else {
            throw BrokerError(.invalidArgument, message: "broker URL must start with amqp:// or amqps://")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty else { throw BrokerError(.invalidArgument, message: "broker URL has no host") }
        var path = rest[authorityEnd...]
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        return "\(scheme)://\(authority.lowercased())\(path.isEmpty ? "/" : path)"
    }
}
