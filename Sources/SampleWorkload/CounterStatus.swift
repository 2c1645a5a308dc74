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
}
