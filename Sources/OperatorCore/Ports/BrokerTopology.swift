/// How an exchange routes messages to the queues bound to it.
public enum ExchangeType: String, Sendable, Hashable, CaseIterable {
    /// Every bound queue gets a copy; routing keys are ignored.
    case fanout
    /// Queues bound with exactly the message's routing key get a copy.
    case direct
    /// Queues bound with a pattern (`*` one word, `#` zero or more words) matching the routing key get a copy.
    case topic
}

/// The depth of a queue as the broker reports it.
public struct QueueStatus: Sendable, Hashable {
    /// The queue's name.
    public var name: String
    /// Messages ready for delivery (not counting those delivered and not yet acknowledged).
    public var messageCount: Int
    /// Active consumers.
    public var consumerCount: Int

    public init(name: String, messageCount: Int, consumerCount: Int) {
        self.name = name
        self.messageCount = messageCount
        self.consumerCount = consumerCount
    }
}
