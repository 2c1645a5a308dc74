/// How long a failed key waits before it is retried: the longer of its per-key exponential backoff and the
/// overall token bucket's wait (client-go's `DefaultControllerRateLimiter`, a `MaxOfRateLimiter`).
public struct ControllerRateLimiter<Key: Hashable & Sendable>: Sendable {
    /// Per-key backoff.
    public var backoff: ItemExponentialBackoff<Key>
    /// The overall bucket; nil for none.
    public var bucket: TokenBucket?

    /// The client-go defaults: 5 ms doubling to 1000 s per key, and 10 qps with bursts of 100 overall.
    public init(
        backoff: ItemExponentialBackoff<Key> = ItemExponentialBackoff(),
        bucket: TokenBucket? = TokenBucket(qps: 10, burst: 100)
    ) {
        self.backoff = backoff
        self.bucket = bucket
    }

    /// Records a failure of `key` and returns its delay.
    public mutating func nextDelay(for key: Key, at now: ContinuousClock.Instant) -> Duration {
        let itemDelay = backoff.nextDelay(for: key)
        let bucketDelay = bucket?.reserve(at: now) ?? .zero
        return max(itemDelay, bucketDelay)
    }

    /// Failures recorded for `key`.
    public func failureCount(of key: Key) -> Int { backoff.failureCount(of: key) }

    /// Forgets `key`'s failures.
    public mutating func forget(_ key: Key) { backoff.forget(key) }
}
