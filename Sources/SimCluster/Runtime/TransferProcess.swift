import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The real `checkpoint-transfer` binary running as a local child process for a simulated container.
///
/// ``run()`` starts the child and suspends until it exits — the wait is a `Process.terminationHandler`
/// resuming a continuation, and the output pipes are drained by two dedicated threads, so no thread of the
/// cooperative pool ever blocks. Cancelling the task running ``run()`` kills the child (SIGKILL).
/// ``run()`` returns once the child has exited *and* both pipes reached EOF, so the logs are complete; a
/// grandchild that inherits the pipes and outlives the child would hold it (checkpoint-transfer spawns none).
public final class TransferProcess: SimulatedProcess {
    private enum Phase {
        case notStarted
        case running(pid: Int32)
        case exited(Int32)
    }

    private struct State {
        var phase = Phase.notStarted
        var terminateRequested = false
        var killRequested = false
        var exitStatus: Int32?
        var openStreams = 2
        var waiter: CheckedContinuation<Int32, Never>?
        /// Kept alive until it exits, so its termination handler fires.
        var process: Process?
    }

    public let executable: String
    public let arguments: [String]
    public let environment: [String: String]
    private let output = OutputTail()
    private let state = Mutex(State())

    /// A process that will run `executable` with `arguments` and exactly `environment`.
    public init(executable: String, arguments: [String], environment: [String: String]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// The last 64 KiB of the child's stdout and stderr (and the runtime's note if it could not start).
    public var logs: String { output.text }

    public func run() async -> Int32 {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                start(resuming: continuation)
            }
        } onCancel: {
            signal(SIGKILL, markKill: true)
        }
    }

    public func terminate() async {
        let stoppedBeforeStart = state.withLock { state -> Bool in
            state.terminateRequested = true
            if case .notStarted = state.phase { return true }
            return false
        }
        if !stoppedBeforeStart { signal(SIGTERM, markKill: false) }
    }

    public func checkpoint() async throws -> [UInt8] {
        throw SimRuntimeError.runtime("checkpoint-transfer runs as a Job and cannot be checkpointed")
    }

    public func isReady() async -> Bool {
        state.withLock { state in
            if case .running = state.phase { return true }
            return false
        }
    }

    // MARK: - Process lifecycle

    private func start(resuming continuation: CheckedContinuation<Int32, Never>) {
        let early = state.withLock { state -> Int32? in
            if state.killRequested { return 137 }
            if state.terminateRequested { return 143 }
            state.waiter = continuation
            return nil
        }
        if let early {
            continuation.resume(returning: early)
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.terminationHandler = { [weak self] finished in
            let status = finished.terminationReason == .uncaughtSignal ? 128 + finished.terminationStatus : finished.terminationStatus
            self?.exited(status)
        }
        do {
            try process.run()
        } catch {
            output.append(line: "failed to start \(executable): \(error)")
            let waiter = state.withLock { state -> CheckedContinuation<Int32, Never>? in
                state.phase = .exited(127)
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: 127)
            return
        }
        let pid = process.processIdentifier
        let pendingSignal = state.withLock { state -> Int32? in
            if state.exitStatus == nil { state.process = process }
            if case .notStarted = state.phase { state.phase = .running(pid: pid) }
            if state.killRequested { return SIGKILL }
            if state.terminateRequested { return SIGTERM }
            return nil
        }
        for pipe in [stdout, stderr] { drain(pipe.fileHandleForReading) }
        if let pendingSignal { kill(pid, pendingSignal) }
    }

    /// Reads a pipe to EOF on its own thread, keeping the tail of what it carried.
    private func drain(_ handle: FileHandle) {
        let output = self.output
        let thread = Thread { [weak self] in
            let fd = handle.fileDescriptor
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 8)
            defer { buffer.deallocate() }
            while true {
                let count = read(fd, buffer.baseAddress, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                output.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
            try? handle.close()
            self?.streamClosed()
        }
        thread.name = "ms2m.transfer-output"
        thread.start()
    }

    private func exited(_ status: Int32) {
        finishIfComplete { state in
            state.phase = .exited(status)
            state.exitStatus = status
            state.process = nil
        }
    }

    private func streamClosed() {
        finishIfComplete { state in state.openStreams -= 1 }
    }

    /// Applies `change`, then resumes `run()` once the child has exited and both pipes reached EOF (so the
    /// logs are complete when the runtime reads them).
    private func finishIfComplete(_ change: (inout State) -> Void) {
        let resume = state.withLock { state -> (CheckedContinuation<Int32, Never>, Int32)? in
            change(&state)
            guard let status = state.exitStatus, state.openStreams == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, status)
        }
        if let (waiter, status) = resume { waiter.resume(returning: status) }
    }

    /// Signals the child if it runs; `markKill` records a SIGKILL request made before it started.
    private func signal(_ number: Int32, markKill: Bool) {
        let pid = state.withLock { state -> Int32? in
            if markKill { state.killRequested = true }
            if case .running(let pid) = state.phase { return pid }
            return nil
        }
        if let pid { kill(pid, number) }
    }
}
