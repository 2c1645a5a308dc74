@testable import ControllerRuntime
import Testing

@Suite("WorkQueue")
struct WorkQueueTests {
    @Test("adds of a waiting key collapse into one")
    func deduplicates() async {
        let queue = WorkQueue<String>(name: "test")
        for _ in 0..<10 { queue.add("a") }
        queue.add("b")
        #expect(queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(queue.depth == 0)
    }

    @Test("a key added while in flight is handed out again once, only after done")
    func inFlightReadd() async {
        let queue = WorkQueue<String>(name: "test")
        queue.add("a")
        let key = await queue.next()
        #expect(key == "a")
        for _ in 0..<100 { queue.add("a") }
        #expect(queue.depth == 0, "a key in flight must not be handed to a second worker")
        queue.done("a")
        #expect(queue.depth == 1)
        #expect(await queue.next() == "a")
        queue.done("a")
        #expect(queue.depth == 0)
    }

    @Test("a waiting worker is woken by an add")
    func wakesWaiter() async {
        let queue = WorkQueue<Int>(name: "test")
        let worker = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        queue.add(7)
        #expect(await worker.value == 7)
    }

    @Test("delayed adds come back after the delay, earliest first, and the earlier of two delays wins")
    func delayedAdds() async {
        let queue = WorkQueue<String>(name: "test")
        let start = ContinuousClock.now
        queue.add("late", after: .milliseconds(800))
        queue.add("early", after: .milliseconds(60))
        queue.add("late", after: .milliseconds(150))
        #expect(queue.depth == 0)
        #expect(await queue.next() == "early")
        let early = ContinuousClock.now - start
        #expect(await queue.next() == "late")
        let late = ContinuousClock.now - start
        #expect(early >= .milliseconds(60))
        #expect(late >= .milliseconds(150) && late < .milliseconds(800), "the earlier of the two delays wins")
    }

    @Test("rate-limited retries back off exponentially per key until forgotten")
    func backoff() {
        var limiter = ItemExponentialBackoff<String>(baseDelay: .milliseconds(5), maxDelay: .seconds(1000))
        let delays = (0..<5).map { _ in limiter.nextDelay(for: "a") }
        #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])
        #expect(limiter.nextDelay(for: "b") == .milliseconds(5))
        #expect(limiter.failureCount(of: "a") == 5)
        limiter.forget("a")
        #expect(limiter.nextDelay(for: "a") == .milliseconds(5))
        for _ in 0..<40 { _ = limiter.nextDelay(for: "c") }
        #expect(limiter.nextDelay(for: "c") == .seconds(1000))
    }

    @Test("the overall token bucket allows its burst, then spaces admissions at its rate")
    func tokenBucket() {
        var bucket = TokenBucket(qps: 10, burst: 100)
        let now = ContinuousClock.now
        for _ in 0..<100 { #expect(bucket.reserve(at: now) == .zero) }
        #expect(bucket.reserve(at: now) == .milliseconds(100))
        #expect(bucket.reserve(at: now) == .milliseconds(200))
        // One second later ten tokens have come back, but two were already promised.
        #expect(bucket.reserve(at: now + .seconds(1)) == .zero)
    }

    @Test("numRequeues counts rate-limited adds and forget resets it")
    func requeues() async {
        let queue = WorkQueue<String>(name: "test", rateLimiter: ControllerRateLimiter(bucket: nil))
        queue.addRateLimited("a")
        queue.addRateLimited("a")
        #expect(queue.numRequeues("a") == 2)
        queue.forget("a")
        #expect(queue.numRequeues("a") == 0)
    }

    @Test("shutdown wakes waiting workers with nil, ignores new adds, and drain waits for work in flight")
    func shutdownAndDrain() async {
        let queue = WorkQueue<String>(name: "test")
        queue.add("busy")
        #expect(await queue.next() == "busy")
        let idle = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        queue.shutDown()
        #expect(await idle.value == nil)
        queue.add("late")
        #expect(await queue.next() == nil)
        let drained = Shared(false)
        let drainer = Task {
            await queue.drain()
            drained.withLock { $0 = true }
        }
        try? await Task.sleep(for: .milliseconds(30))
        #expect(drained.current == false, "drain must wait for the key in flight")
        queue.done("busy")
        await drainer.value
        #expect(drained.current)
    }

    @Test("a cancelled waiting worker returns nil and does not swallow a later key")
    func cancelledWaiter() async {
        let queue = WorkQueue<String>(name: "test")
        let cancelled = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        #expect(await cancelled.value == nil)
        queue.add("a")
        #expect(await queue.next() == "a")
    }

    @Test("many workers never hold the same key at once")
    func exclusiveKeys() async {
        let queue = WorkQueue<Int>(name: "test")
        let holding = Shared<[Int: Int]>([:])
        let violations = Shared(0)
        let processed = Shared(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    while let key = await queue.next() {
                        let overlapping = holding.withLock { h -> Bool in
                            h[key, default: 0] += 1
                            return h[key]! > 1
                        }
                        if overlapping { violations.withLock { $0 += 1 } }
                        await Task.yield()
                        holding.withLock { $0[key]! -= 1 }
                        processed.withLock { $0 += 1 }
                        queue.done(key)
                    }
                }
            }
            for round in 0..<2000 {
                queue.add(round % 5)
                if round % 50 == 0 { await Task.yield() }
            }
            _ = await eventually { queue.depth == 0 && queue.inFlightCount == 0 }
            queue.shutDown()
        }
        #expect(violations.current == 0)
        #expect(processed.current >= 5)
    }
}
