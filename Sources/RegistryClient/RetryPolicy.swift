/// How often and how patiently to retry a registry operation that failed transiently (connection errors,
/// timeouts, 5xx, 429): exponential backoff with jitter.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    public static let `default` = RetryPolicy()
    /// One attempt only.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The pause before attempt `attempt + 1` (after `attempt` failures, counting from 1).
    func delay(afterFailure attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) where delay < maxDelay { delay *= 2 }
        delay = min(delay, maxDelay)
        return delay * Double.random(in: 0.5...1.0)
    }

    func sleep(afterFailure attempt: Int) async throws {
        try await Task.sleep(for: delay(afterFailure: attempt))
    }
}
