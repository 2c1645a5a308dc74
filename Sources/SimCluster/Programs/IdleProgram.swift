import Synchronization

/// A container that only waits, like the `pause` image or a stateless web server between requests: ready at
/// once, running until it is stopped, with no state to checkpoint. Stands for the workloads a drain evicts
/// (Deployment pods no policy covers) beside the stateful ones it migrates.
public enum IdleProgram {
    /// The image matcher: repository `pause` or ending in `/pause` (e.g. `registry.k8s.io/pause:3.9`).
    public static let matcher = SimImageMatcher.repositorySuffix("pause")

    /// The program.
    public static let program: SimulatedProgram = { _ in IdleProcess() }
}

/// A running idle container.
final class IdleProcess: SimulatedProcess {
    private enum State {
        case running(waiter: CheckedContinuation<Void, Never>?)
        case stopped
    }
    private let state = Mutex(State.running(waiter: nil))

    func run() async -> Int32 {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let stoppedAlready = state.withLock { state -> Bool in
                    guard case .running = state else { return true }
                    state = .running(waiter: continuation)
                    return false
                }
                if stoppedAlready { continuation.resume() }
            }
        } onCancel: {
            stop()
        }
        return 0
    }

    func terminate() async { stop() }

    private func stop() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state = .stopped }
            if case .running(let waiter) = state { return waiter }
            return nil
        }
        waiter?.resume()
    }

    func checkpoint() async throws -> [UInt8] { [] }

    func isReady() async -> Bool { true }
}
