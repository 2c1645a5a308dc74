import Synchronization

/// A sleep that another method of its owner (``CounterConsumer/stop()``, ``Producer/stop()``) can cut short
/// without cancelling the task that sleeps.
final class InterruptibleSleep: Sendable {
    private let sleeper = Mutex<Task<Void, Never>?>(nil)
    private let interrupted = Mutex(false)

    /// Sleeps until `deadline`, ``interrupt()`` or the calling task's cancellation, whichever comes first.
    /// Returns at once after an ``interrupt()``.
    func sleep(until deadline: ContinuousClock.Instant) async {
        let task = Task { _ = try? await Task.sleep(until: deadline, clock: .continuous) }
        let alreadyInterrupted = interrupted.withLock { interrupted in
            sleeper.withLock { $0 = task }
            return interrupted
        }
        if alreadyInterrupted { task.cancel() }
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        sleeper.withLock { if $0 == task { $0 = nil } }
    }

    /// Sleeps for `duration` (see ``sleep(until:)``).
    func sleep(for duration: Duration) async {
        await sleep(until: .now + duration)
    }

    /// Ends the current sleep and makes every later one return at once.
    func interrupt() {
        interrupted.withLock { interrupted in
            interrupted = true
            sleeper.withLock { $0?.cancel() }
        }
    }
}
