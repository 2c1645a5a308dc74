/// How a controller processes its queue.
public struct ControllerOptions: Sendable {
    /// Reconciles that may run at once (each on a different object).
    public var workers: Int
    /// The retry backoff of failed reconciles.
    public var rateLimiter: ControllerRateLimiter<ReconcileRequest>

    /// One worker and client-go's default rate limiter.
    public init(workers: Int = 1, rateLimiter: ControllerRateLimiter<ReconcileRequest> = ControllerRateLimiter()) {
        precondition(workers > 0, "a controller needs at least one worker")
        self.workers = workers
        self.rateLimiter = rateLimiter
    }
}
