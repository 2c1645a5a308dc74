/// Which data queue a ``CounterConsumer`` takes messages from (besides its control queue, always).
public enum ConsumptionMode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The primary queue of its configuration.
    case primary
    /// The replay queue named in `START_REPLAY`, until `END_REPLAY`.
    case replaying(queue: String)

    /// `primary` or `replay`, as `/count` reports it.
    public var name: String {
        switch self {
        case .primary: "primary"
        case .replaying: "replay"
        }
    }

    public var description: String {
        switch self {
        case .primary: "primary"
        case .replaying(let queue): "replay(\(queue))"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case mode, queue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .mode) {
        case "primary":
            self = .primary
        case "replay":
            self = .replaying(queue: try container.decode(String.self, forKey: .queue))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .mode, in: container, debugDescription: "unknown consumption mode '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .mode)
        if case .replaying(let queue) = self { try container.encode(queue, forKey: .queue) }
    }
}
