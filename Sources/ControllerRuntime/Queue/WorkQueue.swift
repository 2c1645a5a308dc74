import Synchronization

/// A de-duplicating, rate-limited, delaying work queue with in-flight tracking (client-go's
/// `RateLimitingInterface` over the delaying and basic queues).
///
/// Workers loop on `next()` and call `done(_:)` for every key they got. A key is handed to one worker at a
/// time; adds while it waits collapse into one, and an add while it is processed queues it once more after
/// `done`. `addRateLimited` retries with per-key exponential backoff bounded by an overall token bucket;
/// `forget` resets a key's backoff after a success. `shutDown()` stops handing out work and `drain()` waits
/// for the keys in flight.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    /// The queue's name (metrics label).
    public let name: String
    private let metrics: WorkQueueMetrics?
    private let clock = ContinuousClock()

    private struct Locked: Sendable {
        var state: WorkQueueState<Key>
        var workers: [Int: CheckedContinuation<Key?, Never>] = [:]
        var drainers: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
        var timer: Task<Void, Never>?
    }
    private let locked: Mutex<Locked>

    /// A queue using `rateLimiter` for `addRateLimited`; `metrics` nil records none.
    public init(
        name: String,
        rateLimiter: ControllerRateLimiter<Key> = ControllerRateLimiter(),
        metrics: WorkQueueMetrics? = nil
    ) {
        self.name = name
        self.metrics = metrics
        self.locked = Mutex(Locked(state: WorkQueueState(rateLimiter: rateLimiter)))
    }

    deinit {
        locked.withLock { $0.timer?.cancel() }
    }

    // MARK: Adding

    /// Marks `key` as needing processing.
    public func add(_ key: Key) {
        let now = clock.now
        apply(locked.withLock { $0.state.add(key, at: now) })
    }

    /// Adds `key` once `delay` has passed (client-go `AddAfter`; the earliest pending delay wins).
    public func add(_ key: Key, after delay: Duration) {
        let now = clock.now
        apply(locked.withLock { $0.state.add(key, after: delay, at: now) })
    }

    /// Adds `key` after its backoff: the per-key exponential delay or the overall bucket's, whichever is
    /// longer. Counts as a retry.
    public func addRateLimited(_ key: Key) {
        let now = clock.now
        let (effects, _) = locked.withLock { $0.state.addRateLimited(key, at: now) }
        metrics?.retries.increment()
        apply(effects)
    }

    /// Resets `key`'s backoff (after it was processed successfully or given up on).
    public func forget(_ key: Key) {
        locked.withLock { $0.state.rateLimiter.forget(key) }
    }

    /// How often `key` was retried since it was last forgotten.
    public func numRequeues(_ key: Key) -> Int {
        locked.withLock { $0.state.rateLimiter.failureCount(of: key) }
    }

    // MARK: Processing

    /// The next key to process, waiting until one is ready; nil once the queue shuts down. The caller owns
    /// the key until it calls `done(_:)`. A cancelled caller gets nil, unless a key was already handed to it.
    public func next() async -> Key? {
        // Fast path: a key is ready (or the queue is shut down), so no suspension is needed.
        let now = clock.now
        let (ready, readyEffects, id) = locked.withLock { l -> (Key??, WorkQueueState<Key>.Effects, Int) in
            l.nextID += 1
            guard l.state.depth > 0 || l.state.isShuttingDown else { return (nil, WorkQueueState<Key>.Effects(), l.nextID) }
            let result = l.state.next(waiter: l.nextID, at: now)
            return (.some(result.key), result.effects, l.nextID)
        }
        if let ready {
            apply(readyEffects)
            return ready
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let now = clock.now
                // Registering in the state and parking the continuation happen under one lock, so an add
                // can only hand a key to a worker whose continuation is stored.
                let (answer, effects) = locked.withLock { l -> (Key??, WorkQueueState<Key>.Effects) in
                    if Task.isCancelled { return (.some(nil), WorkQueueState<Key>.Effects()) }
                    let result = l.state.next(waiter: id, at: now)
                    if result.shutDown { return (.some(nil), result.effects) }
                    if let key = result.key { return (.some(key), result.effects) }
                    l.workers[id] = continuation
                    return (nil, result.effects)
                }
                apply(effects)
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let continuation = locked.withLock { l -> CheckedContinuation<Key?, Never>? in
                guard l.state.cancelWaiter(id) else { return nil }
                return l.workers.removeValue(forKey: id)
            }
            continuation?.resume(returning: nil)
        }
    }

    /// Marks `key` as processed; if it was added meanwhile, it is queued again.
    public func done(_ key: Key) {
        let now = clock.now
        let (effects, worked) = locked.withLock { $0.state.done(key, at: now) }
        if let worked { metrics?.workDuration.record(worked) }
        apply(effects)
    }

    // MARK: Shutting down

    /// Stops handing out work: waiting and later `next()` calls return nil; queued and delayed keys are
    /// dropped and new adds ignored. Keys in flight finish normally.
    public func shutDown() {
        let effects = locked.withLock { l -> WorkQueueState<Key>.Effects in
            l.timer?.cancel()
            l.timer = nil
            return l.state.shutDown()
        }
        apply(effects)
    }

    /// Waits until no key is in flight.
    public func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = locked.withLock { l -> Bool in
                l.nextID += 1
                let id = l.nextID
                if l.state.waitForDrain(id) { return true }
                l.drainers[id] = continuation
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Whether `shutDown()` was called.
    public var isShuttingDown: Bool { locked.withLock { $0.state.isShuttingDown } }

    /// Keys waiting to be handed out.
    public var depth: Int { locked.withLock { $0.state.depth } }

    /// Keys waiting for a delay (requeue-after or backoff) to pass.
    public var delayedCount: Int { locked.withLock { $0.state.delayedCount } }

    /// Keys being processed now.
    public var inFlightCount: Int { locked.withLock { $0.state.processing.count } }

    // MARK: Effects

    private func apply(_ effects: WorkQueueState<Key>.Effects) {
        var resumptions: [(CheckedContinuation<Key?, Never>, Key?)] = []
        var drained: [CheckedContinuation<Void, Never>] = []
        let depth = locked.withLock { l -> Int in
            for handoff in effects.handoffs {
                // The state lists a waiter only once its continuation is parked (same lock), so it is here.
                if let continuation = l.workers.removeValue(forKey: handoff.waiter) {
                    resumptions.append((continuation, handoff.key))
                }
            }
            for id in effects.drained {
                if let continuation = l.drainers.removeValue(forKey: id) { drained.append(continuation) }
            }
            if let deadline = effects.timer {
                l.timer?.cancel()
                l.timer = Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    guard !Task.isCancelled else { return }
                    self?.timerFired()
                }
            }
            return l.state.depth
        }
        for (continuation, key) in resumptions { continuation.resume(returning: key) }
        for continuation in drained { continuation.resume() }
        if let metrics {
            if effects.added > 0 { metrics.adds.increment(by: Int64(effects.added)) }
            for duration in effects.queuedDurations { metrics.queueDuration.record(duration) }
            metrics.depth.set(Double(depth))
        }
    }

    private func timerFired() {
        let now = clock.now
        apply(locked.withLock { $0.state.timerFired(at: now) })
    }
}
