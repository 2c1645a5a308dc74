/// Delays between reconnection attempts: exponential from `initial`, capped at `maximum`, with up to 20 %
/// jitter so that many consumers that lost one broker do not return in lockstep.
struct ReconnectBackoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private var current: Duration

    init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
        self.current = initial
    }

    /// The delay before the next attempt; each call doubles the following one.
    mutating func next() -> Duration {
        let delay = current
        current = min(current * 2, maximum)
        return delay * Double.random(in: 0.8...1.0)
    }

    /// Starts over from `initial` (after a success).
    mutating func reset() { current = initial }
}
