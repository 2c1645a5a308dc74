/// An overall token bucket (client-go's `BucketRateLimiter`): on average `qps` admissions per second, bursts of
/// up to `burst`. Reservations never fail; they return how long the caller must wait for its token.
///
/// A pure value over `ContinuousClock.Instant`s passed in, so tests can drive time.
public struct TokenBucket: Sendable {
    /// Tokens added per second.
    public let qps: Double
    /// The bucket's capacity.
    public let burst: Int
    private var tokens: Double
    private var updated: ContinuousClock.Instant?

    /// A full bucket.
    public init(qps: Double, burst: Int) {
        precondition(qps > 0 && burst > 0, "a token bucket needs a positive rate and burst")
        self.qps = qps
        self.burst = burst
        self.tokens = Double(burst)
    }

    /// Takes a token at `now` and returns how long to wait before it is really available (zero while the
    /// bucket has tokens). Tokens reserved ahead make the bucket go negative, like `rate.Limiter.Reserve`.
    public mutating func reserve(at now: ContinuousClock.Instant) -> Duration {
        if let updated {
            let elapsed = now - updated
            tokens = min(Double(burst), tokens + elapsed.seconds * qps)
        }
        updated = now
        tokens -= 1
        return tokens >= 0 ? .zero : .nanoseconds(Int64((-tokens / qps * 1e9).rounded()))
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
