public import Logging
public import OperatorCore

/// Hands out one shared ``RabbitMQBroker`` — one connection — per broker URL and credentials, for the many
/// migrations that talk to the same broker.
///
/// Users never close what they get: a failed operation affects only its caller (channel errors close only
/// their channel), a dropped connection is re-established by the broker on the next call, and the
/// connections are closed only by ``shutdown()``. Concurrent first requests for one URL share a single
/// connection attempt; a failed attempt is not cached, so the next request tries again.
public actor RabbitMQBrokerPool: MessageBrokerConnecting {
    private let options: RabbitMQBrokerOptions
    private let logger: Logger
    private var brokers: [String: Task<RabbitMQBroker, any Error>] = [:]
    private var isShutDown = false

    /// A pool whose connections use `options` (each URL's query parameters override them).
    public init(options: RabbitMQBrokerOptions = RabbitMQBrokerOptions(), logger: Logger = Logger(label: "ms2m.amqp")) {
        self.options = options
        self.logger = logger
    }

    public func broker(url: String, credentials: BrokerCredentials?) async throws
        -> any MessageBroker & MessageConsuming
    {
        try await sharedBroker(url: url, credentials: credentials)
    }

    /// The shared broker for `url` and `credentials`, connecting on first use.
    public func sharedBroker(url: String, credentials: BrokerCredentials? = nil) async throws -> RabbitMQBroker {
        guard !isShutDown else {
            throw BrokerError(.connection, message: "the broker pool has been shut down")
        }
        let parsed = try AMQPURL(url).applying(credentials)
        let key = Self.key(for: parsed)
        let task: Task<RabbitMQBroker, any Error>
        if let existing = brokers[key] {
            task = existing
        } else {
            let (options, logger) = (self.options, self.logger)
            task = Task { try await RabbitMQBroker.connect(url: parsed, options: options, logger: logger) }
            brokers[key] = task
        }
        do {
            return try await task.value
        } catch {
            if brokers[key] == task { brokers[key] = nil }
            throw error
        }
    }

    /// How many connections the pool holds.
    public var connectionCount: Int { brokers.count }

    /// Closes every connection; later requests fail with ``BrokerError/Kind/connection``.
    public func shutdown() async {
        isShutDown = true
        let tasks = Array(brokers.values)
        brokers = [:]
        for task in tasks {
            if let broker = try? await task.value { await broker.close() }
        }
    }

    /// Everything that makes connections differ: endpoint, virtual host, identity and URL options.
    private static func key(for url: AMQPURL) -> String {
        let parameters = url.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return [
            url.usesTLS ? "amqps" : "amqp", url.host.lowercased(), String(url.port), url.virtualHost, url.username,
            url.password, parameters.joined(separator: "&"),
        ].map { $0.replacingOccurrences(of: "\u{0}", with: "") }.joined(separator: "\u{0}")
    }
}
