public import Logging
public import OperatorCore
import Synchronization

/// The MS2M sample stateful workload: counts the messages of a queue, each distinct message id once, and
/// follows the migration engine's control messages.
///
/// It always consumes its control queue `ms2m.control.<pod>` (durable, declared at connect), and either the
/// primary queue or a replay queue:
///
/// - `START_REPLAY {queue}`: consume only the replay queue.
/// - `END_REPLAY`: finish the message being applied, cancel the replay consumer (what it had prefetched goes
///   back to the replay queue), consume the primary queue.
/// - anything else: logged and acknowledged.
///
/// Each data message is applied (``CounterState/count`` + 1, its id recorded) and then acknowledged; a message
/// whose id was applied before is acknowledged and counted in ``CounterState/duplicatesSkipped``. So replayed
/// messages, and messages redelivered after a lost connection, are applied once.
///
/// A consumer created with `restoring:` state is a CRIU-restored process: it consumes only its control queue
/// until `START_REPLAY` arrives (or ``CounterConsumerConfiguration/restoreControlTimeout`` passes; then the
/// primary queue), so it never competes with the source pod for the primary queue. A running consumer whose
/// `hostname` changes between connections (a process restored in another pod) does the same.
///
/// Messages are handled one at a time, in the order their deliveries and control messages arrive.
public actor CounterConsumer {
    /// Where a consumer is in its life with respect to migrations.
    private enum Phase: Equatable {
        /// Restored: only the control queue until `START_REPLAY` or the deadline.
        case awaitingStartReplay(deadline: ContinuousClock.Instant)
        /// Consuming the data queue of ``CounterState/mode``.
        case consuming
    }

    /// What the consumers and timers of one connection tell the session loop.
    private enum SessionEvent: Sendable {
        case control(Delivery)
        case controlEnded((any Error)?)
        case data(Delivery, generation: Int)
        case dataEnded((any Error)?, generation: Int)
        case restoreDeadlinePassed
        case stopRequested
    }

    /// The consumers of the current connection.
    private struct Session {
        var broker: any MessageBroker & MessageConsuming
        var events: AsyncStream<SessionEvent>.Continuation
        var controlConsumer: Task<Void, Never>
        var dataConsumer: Task<Void, Never>?
        var dataGeneration = 0
        var restoreTimer: Task<Void, Never>?

        func cancelAll() {
            controlConsumer.cancel()
            dataConsumer?.cancel()
            restoreTimer?.cancel()
            events.finish()
        }
    }

    private let configuration: CounterConsumerConfiguration
    private let brokers: any MessageBrokerConnecting
    private let hostname: @Sendable () -> String
    private let logger: Logger
    private var counter: CounterState
    private var phase: Phase
    private var session: Session?
    private var lastHostname: String?
    private var connections = 0
    private var isRunning = false
    private var stopRequested = false
    private let backoffSleep = InterruptibleSleep()
    private let statusBoard: Mutex<CounterStatus>

    /// A consumer of `configuration`'s queues through `brokers`.
    ///
    /// - Parameters:
    ///   - hostname: the pod name, re-read on every (re)connect: a restored process learns its new pod name
    ///     from `/etc/hostname`. It names the control queue.
    ///   - restoring: the state a checkpoint captured; the consumer then waits for `START_REPLAY`.
    ///     Its ``CounterState/configuration`` is replaced by `configuration`.
    public init(
        configuration: CounterConsumerConfiguration, brokers: any MessageBrokerConnecting,
        hostname: @escaping @Sendable () -> String, restoring: CounterState? = nil,
        logger: Logger = Logger(label: "ms2m.sample-consumer")
    ) {
        self.configuration = configuration
        self.brokers = brokers
        self.hostname = hostname
        self.logger = logger
        var counter = restoring ?? CounterState(configuration: configuration)
        counter.configuration = configuration
        self.counter = counter
        // The deadline is set again when the first connection is made.
        self.phase = restoring == nil ? .consuming : .awaitingStartReplay(deadline: .now)
        self.statusBoard = Mutex(
            CounterStatus(
                count: counter.count, duplicatesSkipped: counter.duplicatesSkipped, mode: counter.mode,
                awaitingStartReplay: restoring != nil))
    }

    /// Everything a checkpoint must carry, consistent between messages.
    public var state: CounterState { counter }

    /// Connected, with the consumers of the current mode started (for a restored consumer still waiting for
    /// `START_REPLAY`: the control consumer).
    public var isReady: Bool { session != nil }

    /// The latest progress, readable from any thread without awaiting the actor.
    public nonisolated var status: CounterStatus { statusBoard.withLock { $0 } }

    /// Consumes until ``stop()`` or the task's cancellation, reconnecting (with capped exponential backoff)
    /// after a lost connection and resuming in the same mode.
    ///
    /// Throws only what retrying cannot fix: an invalid broker URL, refused credentials or permissions, or a
    /// queue or exchange that exists with other properties; or ``CounterConsumerError/alreadyRunning``.
    public func run() async throws {
        guard !isRunning else { throw CounterConsumerError.alreadyRunning }
        isRunning = true
        defer { isRunning = false }
        var backoff = ReconnectBackoff()
        while !stopRequested, !Task.isCancelled {
            var established = false
            do {
                let broker = try await brokers.broker(url: configuration.brokerURL, credentials: nil)
                guard !stopRequested, !Task.isCancelled else { break }
                try await runSession(broker, established: &established)
            } catch {
                endSession()
                if stopRequested || Task.isCancelled { break }
                if let error = error as? BrokerError, !error.isRetryable {
                    logger.error("Stopped consuming: broker refused", metadata: ["error": "\(error)"])
                    throw error
                }
                if established { backoff.reset() }
                let delay = backoff.next()
                logger.warning(
                    "Lost broker connection; reconnecting",
                    metadata: [
                        "error": "\(error)", "delay": "\(delay)",
                    ])
                await backoffSleep.sleep(for: delay)
                continue
            }
            endSession()
        }
        logger.info("Stopped consuming", metadata: ["count": "\(counter.count)"])
    }

    /// Stops gracefully: the message being applied is finished and acknowledged, then ``run()`` returns.
    /// Deliveries prefetched but not applied go back to their queue. A stopped consumer does not run again.
    public func stop() {
        stopRequested = true
        backoffSleep.interrupt()
        session?.events.yield(.stopRequested)
    }

    // MARK: One connection

    /// Declares the queues, starts the consumers of the current phase and handles their events until the
    /// connection is lost (throws) or the consumer stops (returns).
    private func runSession(
        _ broker: any MessageBroker & MessageConsuming, established: inout Bool
    ) async throws {
        let pod = hostname()
        if let lastHostname, lastHostname != pod, phase == .consuming {
            logger.info(
                "Pod name changed; waiting for START_REPLAY",
                metadata: ["from": "\(lastHostname)", "pod": "\(pod)"])
            phase = .awaitingStartReplay(deadline: .now)
        }
        if case .awaitingStartReplay = phase, lastHostname != pod {
            // The wait starts when the restored process first reaches the broker under its new name.
            phase = .awaitingStartReplay(deadline: .now + configuration.restoreControlTimeout)
        }
        lastHostname = pod

        let controlQueue = MigrationControlMessage.controlQueue(forPod: pod)
        try await broker.declareQueue(controlQueue, durable: true)
        try await broker.declareQueue(configuration.queueName, durable: true)
        if let exchange = configuration.exchangeName {
            try await broker.declareExchange(exchange, type: .fanout, durable: true)
            try await broker.bindQueue(configuration.queueName, exchange: exchange)
        }
        guard !stopRequested, !Task.isCancelled else { return }

        let (events, sink) = AsyncStream.makeStream(of: SessionEvent.self)
        let controlConsumer = Self.pump(
            broker.consume(queue: controlQueue, prefetch: 1), into: sink,
            delivery: { .control($0) }, end: { .controlEnded($0) })
        session = Session(broker: broker, events: sink, controlConsumer: controlConsumer)
        established = true
        connections += 1
        switch phase {
        case .awaitingStartReplay(let deadline):
            session?.restoreTimer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                sink.yield(.restoreDeadlinePassed)
            }
        case .consuming:
            startDataConsumer()
        }
        logger.info(
            "Started consuming",
            metadata: [
                "pod": "\(pod)", "controlQueue": "\(controlQueue)", "mode": "\(counter.mode)",
                "awaitingStartReplay": "\(phase != .consuming)",
            ])
        publishStatus()

        for await event in events {
            if stopRequested { break }
            try await handle(event)
        }
    }

    private func handle(_ event: SessionEvent) async throws {
        switch event {
        case .data(let delivery, let generation):
            // A delivery of a consumer cancelled since is not applied: the broker requeues it.
            guard generation == session?.dataGeneration else { return }
            try await apply(delivery)
        case .control(let delivery):
            await obey(delivery)
        case .dataEnded(let error, let generation):
            guard generation == session?.dataGeneration else { return }
            if case .replaying(let queue) = counter.mode, let error, BrokerError.is(error, .notFound) {
                logger.warning(
                    "Replay queue is gone; consuming the primary queue",
                    metadata: [
                        "queue": "\(queue)", "error": "\(error)",
                    ])
                switchMode(to: .primary)
                return
            }
            throw error
                ?? BrokerError(.connection, message: "the broker ended the consumer of the data queue")
        case .controlEnded(let error):
            throw error
                ?? BrokerError(.connection, message: "the broker ended the consumer of the control queue")
        case .restoreDeadlinePassed:
            guard case .awaitingStartReplay = phase else { return }
            logger.warning(
                "No START_REPLAY in time; consuming the primary queue",
                metadata: [
                    "timeout": "\(configuration.restoreControlTimeout)"
                ])
            switchMode(to: .primary)
        case .stopRequested:
            break
        }
    }

    /// Applies a data message (or counts it as a duplicate), then acknowledges it.
    private func apply(_ delivery: Delivery) async throws {
        if configuration.applyDelay > .zero { try await Task.sleep(for: configuration.applyDelay) }
        counter.apply(messageID: delivery.messageID)
        publishStatus()
        do {
            try await session?.broker.ack(delivery)
        } catch {
            // The message comes back (redelivered) and its id is then skipped; if the connection is gone, the
            // consumer's stream ends and the session reconnects.
            logger.warning(
                "Failed to acknowledge message",
                metadata: [
                    "messageID": "\(delivery.messageID ?? "-")", "error": "\(error)",
                ])
        }
    }

    /// Acts on a control message, then acknowledges it.
    private func obey(_ delivery: Delivery) async {
        switch MigrationControlMessage(body: delivery.body) {
        case .startReplay(let queue):
            logger.info("Received START_REPLAY", metadata: ["queue": "\(queue)"])
            if phase != .consuming || counter.mode != .replaying(queue: queue) {
                switchMode(to: .replaying(queue: queue))
            }
        case .endReplay:
            logger.info("Received END_REPLAY", metadata: ["mode": "\(counter.mode)"])
            if phase != .consuming || counter.mode != .primary {
                switchMode(to: .primary)
            }
        case nil:
            logger.warning(
                "Ignored unknown control message", metadata: ["body": "\(delivery.text.prefix(200))"])
        }
        do {
            try await session?.broker.ack(delivery)
        } catch {
            logger.warning("Failed to acknowledge control message", metadata: ["error": "\(error)"])
        }
    }

    /// Consumes `mode`'s data queue instead of the current one.
    private func switchMode(to mode: ConsumptionMode) {
        phase = .consuming
        counter.mode = mode
        session?.restoreTimer?.cancel()
        session?.restoreTimer = nil
        startDataConsumer()
        publishStatus()
    }

    /// Cancels the data consumer, if any, and starts one on the queue of the current mode.
    private func startDataConsumer() {
        guard var session else { return }
        session.dataConsumer?.cancel()
        session.dataGeneration += 1
        let generation = session.dataGeneration
        let queue: String
        switch counter.mode {
        case .primary: queue = configuration.queueName
        case .replaying(let replayQueue): queue = replayQueue
        }
        session.dataConsumer = Self.pump(
            session.broker.consume(queue: queue, prefetch: configuration.prefetch), into: session.events,
            delivery: { .data($0, generation: generation) },
            end: { .dataEnded($0, generation: generation) })
        self.session = session
    }

    private func endSession() {
        session?.cancelAll()
        session = nil
        publishStatus()
    }

    private func publishStatus() {
        let status = CounterStatus(
            count: counter.count, duplicatesSkipped: counter.duplicatesSkipped, mode: counter.mode,
            isReady: session != nil, awaitingStartReplay: phase != .consuming, connections: connections)
        statusBoard.withLock { $0 = status }
    }

    /// Forwards a consumer's deliveries, then how it ended, into the session's events. Cancelling the task
    /// ends the stream, which cancels the consumer.
    private static func pump(
        _ deliveries: AsyncThrowingStream<Delivery, any Error>,
        into sink: AsyncStream<SessionEvent>.Continuation,
        delivery: @escaping @Sendable (Delivery) -> SessionEvent,
        end: @escaping @Sendable ((any Error)?) -> SessionEvent
    ) -> Task<Void, Never> {
        Task {
            do {
                for try await element in deliveries { sink.yield(delivery(element)) }
                if !Task.isCancelled { sink.yield(end(nil)) }
            } catch {
                sink.yield(end(error))
            }
        }
    }
}

/// Misuse of a ``CounterConsumer``.
public enum CounterConsumerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// ``CounterConsumer/run()`` was called while it was already running.
    case alreadyRunning

    public var description: String {
        switch self {
        case .alreadyRunning: "the consumer is already running"
        }
    }
}
