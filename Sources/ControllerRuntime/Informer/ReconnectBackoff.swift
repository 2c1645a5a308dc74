/// How long an informer waits before its next list or watch attempt: nothing after a healthy watch, then
/// capped exponential backoff with jitter while attempts keep failing (client-go's reflector backoff).
///
/// A pure value; the jitter source is injectable so tests can pin it.
public struct ReconnectBackoff: Sendable {
    /// The wait after the first failure.
    public var initial: Duration
    /// The longest wait.
    public var maximum: Duration
    /// The fraction of each wait that is randomised (0.2 = +0–20 %).
    public var jitter: Double
    private var failures = 0

    /// Backoff from `initial` doubling to `maximum`.
    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Consecutive failed attempts so far.
    public var consecutiveFailures: Int { failures }

    /// Records a failed (or useless) attempt and returns the wait before the next one.
    public mutating func failed(random: Double = Double.random(in: 0...1)) -> Duration {
        failures += 1
        var delay = initial
        for _ in 1..<failures {
            delay = delay * 2
            if delay >= maximum { break }
        }
        return min(delay, maximum) * (1 + jitter * random)
    }

    /// Records a healthy attempt: the next failure starts from `initial` again.
    public mutating func succeeded() { failures = 0 }
}
