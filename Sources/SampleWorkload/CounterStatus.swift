import Foundation

/// A consumer's progress at one moment, readable without awaiting the actor (HTTP handlers run on event
/// loops and must not block).
public struct CounterStatus: Sendable, Hashable {
    /// Messages applied.
    public var count: Int64
    /// Duplicate deliveries acknowledged without applying them.
    public var duplicatesSkipped: Int64
    /// The data queue consumed (or, while ``awaitingStartReplay``, the one the checkpoint had).
    public var mode: ConsumptionMode
    /// Connected, with the consumers of the current mode started.
    public var isReady: Bool
    /// A restored consumer still waiting for `START_REPLAY` on its control queue.
    public var awaitingStartReplay: Bool
    /// Connections established so far (1 + reconnections).
    public var connections: Int

    public init(
        count: Int64 = 0, duplicatesSkipped: Int64 = 0, mode: ConsumptionMode = .primary,
        isReady: Bool = false,
        awaitingStartReplay: Bool = false, connections: Int = 0
    ) {
        self.count = count
        self.duplicatesSkipped = duplicatesSkipped
        self.mode = mode
        self.isReady = isReady
        self.awaitingStartReplay = awaitingStartReplay
        self.connections = connections
    }

    /// The `/count` body: `{"count":N,"duplicatesSkipped":M,"mode":"primary"|"replay"}`.
    public var countJSON: String {
        #"{"count":\#(count),"duplicatesSkipped":\#(duplicatesSkipped),"mode":"\#(mode.name)"}"#
    }
    /// The `/status` body: every field, keys sorted —
    /// `{"awaitingStartReplay":false,"connections":1,"count":N,"duplicatesSkipped":M,"mode":"primary","ready":true}`,
    /// with `"replayQueue"` while replaying. ``init(statusJSON:)`` reads it back.
    public var statusJSON: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Integers, booleans and strings only: encoding cannot fail.
        return Array(try! encoder.encode(self))
    }

    /// Decodes a `/status` body written by ``statusJSON``.
    public init(statusJSON bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(CounterStatus.self, from: Data(bytes))
    }
}

extension CounterStatus: Codable {
    private enum CodingKeys: String, CodingKey {
        case count, duplicatesSkipped, mode, replayQueue, isReady = "ready", awaitingStartReplay, connections
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let modeName = try container.decode(String.self, forKey: .mode)
        let mode: ConsumptionMode
        switch modeName {
        case "primary": mode = .primary
        case "replay": mode = .replaying(queue: try container.decodeIfPresent(String.self, forKey: .replayQueue) ?? "")
        default:
            throw DecodingError.dataCorruptedError(forKey: .mode, in: container, debugDescription: "unknown mode '\(modeName)'")
        }
        self.init(
            count: try container.decode(Int64.self, forKey: .count),
            duplicatesSkipped: try container.decode(Int64.self, forKey: .duplicatesSkipped), mode: mode,
            isReady: try container.decodeIfPresent(Bool.self, forKey: .isReady) ?? false,
            awaitingStartReplay: try container.decodeIfPresent(Bool.self, forKey: .awaitingStartReplay) ?? false,
            connections: try container.decodeIfPresent(Int.self, forKey: .connections) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(duplicatesSkipped, forKey: .duplicatesSkipped)
        try container.encode(mode.name, forKey: .mode)
        if case .replaying(let queue) = mode { try container.encode(queue, forKey: .replayQueue) }
        try container.encode(isReady, forKey: .isReady)
        try container.encode(awaitingStartReplay, forKey: .awaitingStartReplay)
        try container.encode(connections, forKey: .connections)
    }
}
