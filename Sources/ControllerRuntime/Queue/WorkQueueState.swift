/// The work queue's bookkeeping as a value (client-go's `workqueue.Type` plus its delaying and rate-limiting
/// layers): every input is a `mutating` method that returns what the owner must do outside its lock.
///
/// Invariants, as in client-go: a key is in `dirty` while it waits to be processed; it is in `processing`
/// while a worker holds it; a key in both was added during processing and is queued again by `done`. So a
/// key is never handed to two workers at once, and any number of adds while it waits collapse into one.
struct WorkQueueState<Key: Hashable & Sendable>: Sendable {
    /// A worker waiting in `next()` that should now be resumed with a key (nil: the queue shut down).
    struct Handoff: Sendable {
        var waiter: Int
        var key: Key?
    }

    /// What the owner does after a mutation.
    struct Effects: Sendable {
        var handoffs: [Handoff] = []
        /// Re-arm the delay timer for this deadline.
        var timer: ContinuousClock.Instant?
        /// Resume `drain()` callers: nothing is processing any more.
        var drained: [Int] = []
        /// Whether a key was newly queued (adds metric).
        var added = 0
        /// Time keys spent queued before a worker took them (queue-latency metric).
        var queuedDurations: [Duration] = []
    }

    private(set) var queue = FIFO<Key>()
    private(set) var dirty: Set<Key> = []
    private(set) var processing: Set<Key> = []
    private var waiters = FIFO<Int>()
    private var waiting: Set<Int> = []
    private var drainWaiters: [Int] = []
    private var delayed = DeadlineHeap<Key>()
    private var armedTimer: ContinuousClock.Instant?
    private var queuedSince: [Key: ContinuousClock.Instant] = [:]
    private var startedAt: [Key: ContinuousClock.Instant] = [:]
    var rateLimiter: ControllerRateLimiter<Key>
    private(set) var isShuttingDown = false

    init(rateLimiter: ControllerRateLimiter<Key>) {
        self.rateLimiter = rateLimiter
    }

    /// Keys waiting to be handed out (the depth metric).
    var depth: Int { queue.count }
    /// Keys waiting for a delay to pass.
    var delayedCount: Int { delayed.count }

    // MARK: Inputs

    /// Marks `key` as needing processing.
    mutating func add(_ key: Key, at now: ContinuousClock.Instant) -> Effects {
        var effects = Effects()
        add(key, at: now, into: &effects)
        return effects
    }

    /// Adds `key` once `delay` has passed (at once for a zero or negative delay).
    mutating func add(_ key: Key, after delay: Duration, at now: ContinuousClock.Instant) -> Effects {
        guard !isShuttingDown else { return Effects() }
        guard delay > .zero else { return add(key, at: now) }
        delayed.schedule(key, at: now + delay)
        var effects = Effects()
        armTimerIfNeeded(into: &effects)
        return effects
    }

    /// Adds `key` after its rate-limited backoff; returns the delay chosen too.
    mutating func addRateLimited(_ key: Key, at now: ContinuousClock.Instant) -> (Effects, Duration) {
        guard !isShuttingDown else { return (Effects(), .zero) }
        let delay = rateLimiter.nextDelay(for: key, at: now)
        return (add(key, after: delay, at: now), delay)
    }

    /// Moves keys whose delay passed into the queue (the timer fired).
    mutating func timerFired(at now: ContinuousClock.Instant) -> Effects {
        var effects = Effects()
        armedTimer = nil
        guard !isShuttingDown else { return effects }
        for key in delayed.popDue(at: now) { add(key, at: now, into: &effects) }
        armTimerIfNeeded(into: &effects)
        return effects
    }

    /// A worker asks for a key: it gets one now, or waits as `waiter` (returns nil then).
    mutating func next(waiter: Int, at now: ContinuousClock.Instant) -> (key: Key?, effects: Effects, shutDown: Bool) {
        var effects = Effects()
        if isShuttingDown { return (nil, effects, true) }
        if let key = take(at: now, into: &effects) { return (key, effects, false) }
        waiters.push(waiter)
        waiting.insert(waiter)
        return (nil, effects, false)
    }

    /// A waiting worker was cancelled; true when it was still waiting (its continuation must be resumed).
    mutating func cancelWaiter(_ waiter: Int) -> Bool {
        waiting.remove(waiter) != nil
    }

    /// A worker finished `key`; returns the work duration too.
    mutating func done(_ key: Key, at now: ContinuousClock.Instant) -> (Effects, Duration?) {
        var effects = Effects()
        processing.remove(key)
        let worked = startedAt.removeValue(forKey: key).map { now - $0 }
        if dirty.contains(key) && !isShuttingDown { enqueue(key, at: now, into: &effects) }
        if processing.isEmpty {
            effects.drained = drainWaiters
            drainWaiters = []
        }
        return (effects, worked)
    }

    /// Someone waits for in-flight work to finish; true when nothing is in flight (no need to wait).
    mutating func waitForDrain(_ waiter: Int) -> Bool {
        if processing.isEmpty { return true }
        drainWaiters.append(waiter)
        return false
    }

    /// Stops handing out work: waiting workers get nil, queued and delayed keys are dropped, later adds are
    /// ignored. Keys in flight stay in `processing` until their `done`.
    mutating func shutDown() -> Effects {
        var effects = Effects()
        guard !isShuttingDown else { return effects }
        isShuttingDown = true
        while let waiter = waiters.pop() {
            if waiting.remove(waiter) == nil { continue }
            effects.handoffs.append(Handoff(waiter: waiter, key: nil))
        }
        queue.removeAll()
        for key in dirty where !processing.contains(key) { queuedSince.removeValue(forKey: key) }
        dirty.removeAll()
        delayed.removeAll()
        if processing.isEmpty {
            effects.drained = drainWaiters
            drainWaiters = []
        }
        return effects
    }

    // MARK: Internals

    private mutating func add(_ key: Key, at now: ContinuousClock.Instant, into effects: inout Effects) {
        guard !isShuttingDown, dirty.insert(key).inserted else { return }
        effects.added += 1
        queuedSince[key] = now
        if processing.contains(key) { return }
        enqueue(key, at: now, into: &effects)
    }

    /// Puts a dirty key in line, or hands it straight to a waiting worker.
    private mutating func enqueue(_ key: Key, at now: ContinuousClock.Instant, into effects: inout Effects) {
        while let waiter = waiters.pop() {
            if waiting.remove(waiter) == nil { continue }
            queue.push(key)
            let taken = take(at: now, into: &effects)
            effects.handoffs.append(Handoff(waiter: waiter, key: taken))
            return
        }
        queue.push(key)
    }

    private mutating func take(at now: ContinuousClock.Instant, into effects: inout Effects) -> Key? {
        guard let key = queue.pop() else { return nil }
        processing.insert(key)
        dirty.remove(key)
        startedAt[key] = now
        if let since = queuedSince.removeValue(forKey: key) { effects.queuedDurations.append(now - since) }
        return key
    }

    private mutating func armTimerIfNeeded(into effects: inout Effects) {
        guard let earliest = delayed.earliest else { return }
        if let armedTimer, armedTimer <= earliest { return }
        armedTimer = earliest
        effects.timer = earliest
    }
}
