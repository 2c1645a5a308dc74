/// Which channel of a connection does what, and which channel numbers are free.
///
/// Work is spread over channels so that a channel-level error closes only the channel that caused it:
/// one channel for declares, binds and deletes; one scratch channel for passive queue declares (a missing
/// queue closes it with 404); publisher channels in confirm mode, each with at most one publish in flight so
/// a refused publish fails only itself; and one channel per consumer, whose prefetch and delivery tags are its
/// own. Closed channels are reopened on next use.
///
/// Channel numbers are handed out round-robin rather than lowest-first, so a late frame for a closed
/// channel (a confirm, a delivery) cannot be mistaken for one on a newly opened channel.
struct AMQPChannelTable {
    /// A publisher channel and how many messages it has published (its next confirm's delivery tag).
    struct Publisher {
        var channel: UInt16
        var published: UInt64 = 0
    }

    /// The channel for declares, binds, unbinds and deletes, when open.
    var admin: UInt16?
    /// The channel for passive declares (queue status), when open.
    var scratch: UInt16?
    /// Open confirm-mode channels, idle or with a publish in flight.
    var publishers: [UInt16: Publisher] = [:]
    /// Publisher channels with nothing in flight, most recently used last.
    var idlePublishers: [UInt16] = []

    private var inUse: Set<UInt16> = []
    private var lastAllocated: UInt16 = 0
    private let channelMax: UInt16

    init(channelMax: UInt16 = 2047) {
        self.channelMax = channelMax
    }

    /// A free channel number, or nil when all are in use.
    mutating func allocate() -> UInt16? {
        guard inUse.count < Int(channelMax) else { return nil }
        var candidate = lastAllocated
        repeat {
            candidate = candidate >= channelMax ? 1 : candidate + 1
        } while inUse.contains(candidate)
        inUse.insert(candidate)
        lastAllocated = candidate
        return candidate
    }

    /// Makes `channel` free again and forgets any role it had.
    mutating func release(_ channel: UInt16) {
        inUse.remove(channel)
        if admin == channel { admin = nil }
        if scratch == channel { scratch = nil }
        publishers[channel] = nil
        idlePublishers.removeAll { $0 == channel }
    }

    /// Forgets everything (the connection is gone).
    mutating func reset() {
        self = AMQPChannelTable(channelMax: channelMax)
    }
}
