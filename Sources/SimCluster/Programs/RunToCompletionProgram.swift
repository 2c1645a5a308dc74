import Synchronization

/// A container that does a short job and exits 0, like a regular init container that prepares something
/// (`busybox` running a shell command, a schema migration): it runs for ``defaultDuration`` — or
/// `RUN_FOR_MS` milliseconds from its environment — then completes. An init container of this image lets
/// the pod's next container start once it exited
/// (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/). SIGTERM ends it early with 0;
/// it is never ready and has no state to checkpoint.
public enum RunToCompletionProgram {
    /// The image matcher: repositories ending in `ms2m-sample-init` (e.g. `registry.local/ms2m/ms2m-sample-init:1`).
    public static let matcher = SimImageMatcher.repositorySuffix("ms2m-sample-init")
    /// The image matcher for `busybox` (any registry and tag), whose init containers run a command and exit.
    public static let busyboxMatcher = SimImageMatcher.repository("busybox")

    /// How long it runs unless `RUN_FOR_MS` says otherwise.
    public static let defaultDuration = Duration.milliseconds(100)

    /// The program.
    public static let program: SimulatedProgram = { launch in
        let duration = launch.environment["RUN_FOR_MS"].flatMap(Int.init).map { Duration.milliseconds(max(0, $0)) }
        return RunToCompletionProcess(duration: duration ?? defaultDuration)
    }
}

/// A running run-to-completion container.
final class RunToCompletionProcess: SimulatedProcess {
    let duration: Duration
    private let sleeper = Mutex<Task<Void, any Error>?>(nil)
    private let terminated = Mutex(false)

    init(duration: Duration) { self.duration = duration }

    func run() async -> Int32 {
        let duration = self.duration
        let sleep = Task { try await Task.sleep(for: duration) }
        let alreadyTerminated = terminated.withLock { terminated in
            sleeper.withLock { $0 = sleep }
            return terminated
        }
        if alreadyTerminated { sleep.cancel() }
        _ = await withTaskCancellationHandler {
            await sleep.result
        } onCancel: {
            sleep.cancel()
        }
        // Killed (SIGKILL) is 137; finished or stopped by SIGTERM, it exits 0.
        return Task.isCancelled ? 137 : 0
    }

    func terminate() async {
        terminated.withLock { terminated in
            terminated = true
            sleeper.withLock { $0?.cancel() }
        }
    }

    func checkpoint() async throws -> [UInt8] { [] }

    func isReady() async -> Bool { false }
}
