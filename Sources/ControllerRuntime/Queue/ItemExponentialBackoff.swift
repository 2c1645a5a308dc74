/// Per-key exponential failure backoff (client-go's `ItemExponentialFailureRateLimiter`): the n-th retry of a
/// key waits `baseDelay · 2ⁿ`, capped at `maxDelay`, until the key is forgotten.
///
/// A pure value: the work queue owns one and mutates it under its lock.
public struct ItemExponentialBackoff<Key: Hashable & Sendable>: Sendable {
    /// The delay of a key's first retry.
    public var baseDelay: Duration
    /// The longest delay.
    public var maxDelay: Duration
    private var failures: [Key: Int] = [:]

    /// client-go's defaults: 5 ms doubling up to 1000 s.
    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000)) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Records one more failure of `key` and returns how long it should wait before its retry.
    public mutating func nextDelay(for key: Key) -> Duration {
        let exponent = failures[key, default: 0]
        failures[key] = exponent + 1
        // 2^exponent overflows long before the cap matters; stop doubling once past it.
        var delay = baseDelay
        for _ in 0..<min(exponent, 62) {
            delay = delay * 2
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }

    /// How many failures of `key` were recorded since it was last forgotten.
    public func failureCount(of key: Key) -> Int { failures[key, default: 0] }

    /// Forgets `key`'s failures: its next retry starts at `baseDelay` again.
    public mutating func forget(_ key: Key) { failures.removeValue(forKey: key) }
}
