import Foundation
import Glibc
import Logging
import OperatorCore
import Synchronization

/// The dedicated thread that owns one broker connection, and the inbox through which async callers reach it.
///
/// librabbitmq connections are not thread-safe and their reads block, so each connection lives on its own
/// `Thread` (never on Swift's cooperative pool). Callers submit commands — closures over the thread-confined
/// ``AMQPSession`` — and await a continuation the command resumes. Between commands the thread polls the
/// socket together with a wake-up pipe, so a new command interrupts the wait at once and deliveries,
/// confirms and broker-initiated closes are handled as they arrive.
///
/// Commands run in submission order. While the connection is down, commands that need it wait (in order)
/// until it is re-established or their deadline passes; reconnection is attempted only while something is
/// waiting, with capped exponential backoff between failed attempts.
final class AMQPConnectionLoop: Sendable {
    /// A unit of work for the loop's thread. Exactly one of `run` and `fail` is called, exactly once.
    struct Command: Sendable {
        var deadline: ContinuousClock.Instant
        /// Commands that need no connection (stopping a consumer, the first connect) run even while down.
        var needsConnection: Bool
        var cancellation: CommandCancellation?
        var run: @Sendable (AMQPSession) -> Void
        var fail: @Sendable (any Error) -> Void
    }

    private struct Inbox {
        var commands: [Command] = []
        var isShuttingDown = false
        var hasExited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let url: AMQPURL
    let options: RabbitMQBrokerOptions
    let logger: Logger
    private let inbox = Mutex(Inbox())
    private let wakeReadDescriptor: Int32
    private let wakeWriteDescriptor: Int32

    /// Starts the thread; it stays up until ``shutdown()``.
    init(url: AMQPURL, options: RabbitMQBrokerOptions, logger: Logger) throws(BrokerError) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw BrokerError(
                .connection, code: Int(errno), message: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        self.url = url
        self.options = options
        self.logger = logger
        wakeReadDescriptor = descriptors[0]
        wakeWriteDescriptor = descriptors[1]
        let thread = Thread { [self] in run() }
        thread.name = "ms2m-amqp \(url.host):\(url.port)"
        thread.start()
    }

    deinit {
        close(wakeReadDescriptor)
        close(wakeWriteDescriptor)
    }

    // MARK: Submitting

    /// Queues `command`; fails it at once when the loop is shutting down.
    func submit(_ command: Command) {
        let accepted = inbox.withLock { inbox in
            guard !inbox.isShuttingDown else { return false }
            inbox.commands.append(command)
            return true
        }
        guard accepted else {
            command.fail(BrokerError(.connection, message: "the broker connection to \(url) was closed"))
            return
        }
        wake()
    }

    /// Runs `body` on the loop's thread and returns its result. Cancelling the calling task fails the
    /// command if it has not started.
    func perform<Result: Sendable>(
        needsConnection: Bool = true, _ body: @escaping @Sendable (AMQPSession) throws(BrokerError) -> Result
    ) async throws -> Result {
        let cancellation = CommandCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                submit(Command(
                    deadline: .now + options.operationTimeout, needsConnection: needsConnection,
                    cancellation: cancellation,
                    run: { session in
                        do throws(BrokerError) {
                            continuation.resume(returning: try body(session))
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    },
                    fail: { continuation.resume(throwing: $0) }))
            }
        } onCancel: {
            cancellation.cancel()
            wake()
        }
    }

    /// Runs `body` on the loop's thread, which completes later through the callback it is given.
    func performDeferred<Result: Sendable>(
        _ body: @escaping @Sendable (
            AMQPSession, ContinuousClock.Instant, @escaping @Sendable (Swift.Result<Result, BrokerError>) -> Void
        ) -> Void
    ) async throws -> Result {
        let cancellation = CommandCancellation()
        let deadline = ContinuousClock.now + options.operationTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                submit(Command(
                    deadline: deadline, needsConnection: true, cancellation: cancellation,
                    run: { session in
                        body(session, deadline) { result in continuation.resume(with: result) }
                    },
                    fail: { continuation.resume(throwing: $0) }))
            }
        } onCancel: {
            cancellation.cancel()
            wake()
        }
    }

    /// Stops the thread: waiting commands fail, consumers' streams end, the connection is closed. Returns
    /// once the thread has finished.
    func shutdown() async {
        requestShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = inbox.withLock { inbox in
                if inbox.hasExited { return true }
                inbox.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }

    /// Asks the thread to stop without waiting for it.
    func requestShutdown() {
        inbox.withLock { $0.isShuttingDown = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWriteDescriptor, &byte, 1)
    }

    // MARK: The thread

    private func run() {
        let session = AMQPSession(url: url, options: options, logger: logger)
        var waiting: [Command] = []
        while true {
            let (incoming, shuttingDown) = inbox.withLock { inbox in
                defer { inbox.commands.removeAll() }
                return (inbox.commands, inbox.isShuttingDown)
            }
            waiting += incoming
            if shuttingDown { break }

            let now = ContinuousClock.now
            waiting.removeAll { command in
                if command.cancellation?.isCancelled == true {
                    command.fail(CancellationError())
                    return true
                }
                if command.needsConnection, !session.isConnected, command.deadline <= now {
                    command.fail(session.unavailableError)
                    return true
                }
                return false
            }
            if !session.isConnected, waiting.contains(where: \.needsConnection), now >= session.nextConnectAttempt {
                session.connect()
            }
            while let command = waiting.first, !command.needsConnection || session.isConnected {
                waiting.removeFirst()
                command.run(session)
            }
            session.expireConfirms(now: .now)
            session.waitAndPump(wakeDescriptor: wakeReadDescriptor, timeout: waitLimit(session, waiting))
        }

        let closed = BrokerError(.connection, message: "the broker connection to \(url) was closed")
        for command in waiting { command.fail(closed) }
        session.shutdown()
        let (late, waiters) = inbox.withLock { inbox in
            inbox.hasExited = true
            defer { inbox.commands.removeAll(); inbox.exitWaiters.removeAll() }
            return (inbox.commands, inbox.exitWaiters)
        }
        for command in late { command.fail(closed) }
        for waiter in waiters { waiter.resume() }
    }

    /// How long the thread may wait for input before it has something to do by the clock.
    private func waitLimit(_ session: AMQPSession, _ waiting: [Command]) -> Duration? {
        let now = ContinuousClock.now
        var wakeAt: ContinuousClock.Instant? = session.nextConfirmDeadline
        if session.isConnected {
            // Heartbeats are sent, and TLS-buffered input is noticed, when the thread comes round.
            wakeAt = min(wakeAt ?? .now + .milliseconds(250), .now + .milliseconds(250))
        } else if let earliest = waiting.filter(\.needsConnection).map(\.deadline).min() {
            wakeAt = min(earliest, max(session.nextConnectAttempt, now))
        }
        return wakeAt.map { max(.zero, $0 - now) }
    }
}

/// Marks a queued command as abandoned by its caller.
final class CommandCancellation: Sendable {
    private let flag = Atomic(false)

    var isCancelled: Bool { flag.load(ordering: .acquiring) }

    func cancel() { flag.store(true, ordering: .releasing) }
}
