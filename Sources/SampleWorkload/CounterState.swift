import Foundation

/// Everything a checkpoint of a ``CounterConsumer`` must carry: the counters, the ids applied, the
/// configuration and the queue it was consuming. A restored consumer continues from it.
public struct CounterState: Sendable, Codable, Hashable {
    /// Messages applied, each distinct id once.
    public var count: Int64
    /// Deliveries acknowledged without applying them because their id had been applied before.
    public var duplicatesSkipped: Int64
    /// The consumer's configuration.
    public var configuration: CounterConsumerConfiguration
    /// The ids applied, compacted per prefix.
    public var appliedMessageIDs: AppliedMessageIDs
    /// The data queue being consumed.
    public var mode: ConsumptionMode

    /// A fresh state: nothing applied, consuming the primary queue.
    public init(configuration: CounterConsumerConfiguration) {
        self.count = 0
        self.duplicatesSkipped = 0
        self.configuration = configuration
        self.appliedMessageIDs = AppliedMessageIDs()
        self.mode = .primary
    }

    /// The state as JSON bytes (keys sorted, so equal states encode equally).
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Every member encodes to JSON without failing (no floats, no non-string dictionary keys).
        return Array(try! encoder.encode(self))
    }

    /// Decodes bytes written by ``encoded()``.
    public init(decoding bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(CounterState.self, from: Data(bytes))
    }

    /// Whether a message with `messageID` has been applied.
    public func hasApplied(_ messageID: String) -> Bool { appliedMessageIDs.contains(messageID) }

    /// Applies a message: counts it and records its id, unless the id was applied before (then counts a
    /// duplicate). Returns whether it was applied. Messages without an id are always applied.
    @discardableResult
    public mutating func apply(messageID: String?) -> Bool {
        if let messageID, !appliedMessageIDs.insert(messageID) {
            duplicatesSkipped += 1
            return false
        }
        count += 1
        return true
    }
}
