/// How a ``CounterConsumer`` reaches its broker and which queues it uses; read from the container's environment
/// with ``fromEnvironment(_:)``.
public struct CounterConsumerConfiguration: Sendable, Codable, Hashable {
    /// The broker URL (`amqp://user:pass@host:port/vhost`); environment `AMQP_URL`, falling back to `BROKER_URL`.
    public var brokerURL: String
    /// The primary queue, declared durable at start; environment `QUEUE_NAME`.
    public var queueName: String
    /// When set, a durable fan-out exchange declared at start with the primary queue bound to it; environment
    /// `EXCHANGE_NAME` (empty means none).
    public var exchangeName: String?
    /// At most this many unacknowledged deliveries per consumer; environment `PREFETCH`, default 10.
    public var prefetch: Int
    /// How long a restored consumer waits for `START_REPLAY` on its control queue before it consumes the
    /// primary queue anyway (default 60 s); environment `RESTORE_CONTROL_TIMEOUT_SECONDS`.
    public var restoreControlTimeout: Duration
    /// Simulated processing time per data message, before it is applied (default none); environment
    /// `APPLY_DELAY_MS`. Makes a consumer as slow as real work would, so that replays take time.
    public var applyDelay: Duration = .zero

    public init(brokerURL: String, queueName: String, exchangeName: String? = nil, prefetch: Int = 10) {
        self.brokerURL = brokerURL
        self.queueName = queueName
        self.exchangeName = exchangeName
        self.prefetch = prefetch
        self.restoreControlTimeout = .seconds(60)
    }

    private enum CodingKeys: String, CodingKey {
        case brokerURL, queueName, exchangeName, prefetch, restoreControlTimeoutMilliseconds, applyDelayMilliseconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            brokerURL: try container.decode(String.self, forKey: .brokerURL),
            queueName: try container.decode(String.self, forKey: .queueName),
            exchangeName: try container.decodeIfPresent(String.self, forKey: .exchangeName),
            prefetch: try container.decodeIfPresent(Int.self, forKey: .prefetch) ?? 10)
        if let milliseconds = try container.decodeIfPresent(
            Int64.self, forKey: .restoreControlTimeoutMilliseconds)
        {
            restoreControlTimeout = .milliseconds(milliseconds)
        }
        if let milliseconds = try container.decodeIfPresent(Int64.self, forKey: .applyDelayMilliseconds) {
            applyDelay = .milliseconds(milliseconds)
        }
    }

    /// Encodes the timeout as whole milliseconds (`restoreControlTimeoutMilliseconds`), readable in a checkpoint.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(brokerURL, forKey: .brokerURL)
        try container.encode(queueName, forKey: .queueName)
        try container.encodeIfPresent(exchangeName, forKey: .exchangeName)
        try container.encode(prefetch, forKey: .prefetch)
        let (seconds, attoseconds) = restoreControlTimeout.components
        try container.encode(
            seconds * 1000 + attoseconds / 1_000_000_000_000_000,
            forKey: .restoreControlTimeoutMilliseconds)
        if applyDelay > .zero {
            let (delaySeconds, delayAttoseconds) = applyDelay.components
            try container.encode(
                delaySeconds * 1000 + delayAttoseconds / 1_000_000_000_000_000, forKey: .applyDelayMilliseconds)
        }
    }

    /// The environment variables ``fromEnvironment(_:)`` reads.
    public enum EnvironmentVariable {
        public static let brokerURL = "AMQP_URL"
        public static let fallbackBrokerURL = "BROKER_URL"
        public static let queueName = "QUEUE_NAME"
        public static let exchangeName = "EXCHANGE_NAME"
        public static let prefetch = "PREFETCH"
        public static let restoreControlTimeoutSeconds = "RESTORE_CONTROL_TIMEOUT_SECONDS"
        public static let applyDelayMilliseconds = "APPLY_DELAY_MS"
    }

    /// Reads the configuration from `environment` (for example `ProcessInfo.processInfo.environment`).
    /// Throws ``ConfigurationError`` naming the variable that is missing or malformed.
    public static func fromEnvironment(_ environment: [String: String]) throws
        -> CounterConsumerConfiguration
    {
        typealias Variable = EnvironmentVariable
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return text
        }
        guard let brokerURL = value(Variable.brokerURL) ?? value(Variable.fallbackBrokerURL) else {
            throw ConfigurationError.missingVariable(
                Variable.brokerURL, alternative: Variable.fallbackBrokerURL)
        }
        guard let queueName = value(Variable.queueName) else {
            throw ConfigurationError.missingVariable(Variable.queueName, alternative: nil)
        }
        var configuration = CounterConsumerConfiguration(
            brokerURL: brokerURL, queueName: queueName, exchangeName: value(Variable.exchangeName))
        if let text = value(Variable.prefetch) {
            guard let prefetch = Int(text), prefetch >= 1, prefetch <= 65_535 else {
                throw ConfigurationError.invalidValue(
                    Variable.prefetch, value: text, expected: "an integer from 1 to 65535")
            }
            configuration.prefetch = prefetch
        }
        if let text = value(Variable.restoreControlTimeoutSeconds) {
            guard let seconds = Double(text), seconds.isFinite, seconds >= 0 else {
                throw ConfigurationError.invalidValue(
                    Variable.restoreControlTimeoutSeconds, value: text,
                    expected: "a non-negative number of seconds")
            }
            configuration.restoreControlTimeout = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        if let text = value(Variable.applyDelayMilliseconds) {
            guard let milliseconds = Int64(text), milliseconds >= 0, milliseconds <= 60_000 else {
                throw ConfigurationError.invalidValue(
                    Variable.applyDelayMilliseconds, value: text, expected: "an integer number of milliseconds from 0 to 60000")
            }
            configuration.applyDelay = .milliseconds(milliseconds)
        }
        return configuration
    }
}

/// A configuration the environment does not provide, or provides malformed.
public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A required variable is unset or empty (`alternative`: another variable that would also do).
    case missingVariable(String, alternative: String?)
    /// A variable holds something unusable.
    case invalidValue(String, value: String, expected: String)

    public var description: String {
        switch self {
        case .missingVariable(let name, let alternative?):
            "the environment variable \(name) (or \(alternative)) is not set"
        case .missingVariable(let name, nil):
            "the environment variable \(name) is not set"
        case .invalidValue(let name, let value, let expected):
            "the environment variable \(name) is '\(value)', expected \(expected)"
        }
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else {
            return ""
        }
        return String(self[first...last])
    }
}
