import Logging
import Synchronization

/// Runs one reconciler: watches turn into requests on a de-duplicating, rate-limited work queue, and a
/// fixed number of workers reconcile them, never two of the same request at once
/// (controller-runtime's `controller.Controller`). Made by `ControllerBuilder`, run by `ControllerManager`.
public final class Controller: Sendable {
    /// The controller's name (metrics, logs).
    public let name: String
    let sources: [WatchSource]
    let options: ControllerOptions
    let reconciler: any Reconciler

    private struct Runtime: Sendable {
        var queue: WorkQueue<ReconcileRequest>
        var metrics: ReconcileMetrics?
        var logger: Logger
    }
    private let runtime = Mutex<Runtime?>(nil)
    private let stopped = AsyncLatch()

    init(name: String, sources: [WatchSource], options: ControllerOptions, reconciler: any Reconciler) {
        self.name = name
        self.sources = sources
        self.options = options
        self.reconciler = reconciler
    }

    /// The queue of the current run, if running (tests and diagnostics).
    public var queue: WorkQueue<ReconcileRequest>? { runtime.withLock { $0?.queue } }

    /// Requests every watched informer, so they start and sync with the manager.
    func prepare(_ factory: InformerFactory) -> [any InformerRunning] {
        sources.map { $0.prepare(factory) }
    }

    /// Runs until `stop()` (finishing reconciles in flight) or cancellation: waits for the watched informers
    /// to sync, attaches the watches (every cached object is enqueued once), and runs the workers. A
    /// controller runs once; after `stop()` it does not start again.
    func run(factory: InformerFactory, metrics: RuntimeMetrics?, logger baseLogger: Logger) async {
        var logger = baseLogger
        logger[metadataKey: LogKeys.controller] = .string(name)
        let queue = WorkQueue<ReconcileRequest>(
            name: name, rateLimiter: options.rateLimiter, metrics: metrics?.workQueue(named: name))
        let reconcileMetrics = metrics?.controller(named: name)
        let alreadyRunning = runtime.withLock { r -> Bool in
            if r != nil { return true }
            r = Runtime(queue: queue, metrics: reconcileMetrics, logger: logger)
            return false
        }
        guard !alreadyRunning, !stopped.isOpen else { return }
        defer { runtime.withLock { $0 = nil } }

        let informers = prepare(factory)
        let synced = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for informer in informers { await informer.waitForSync() }
                return !Task.isCancelled
            }
            group.addTask {
                await self.stopped.wait()
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !synced || Task.isCancelled || stopped.isOpen { return }
        let detachers = sources.map { $0.attach(factory, queue) }
        defer { for detach in detachers { detach() } }
        logger.info("Starting workers", metadata: ["workers": "\(options.workers)"])
        let workerLogger = logger
        await withDiscardingTaskGroup { group in
            for _ in 0..<options.workers {
                group.addTask {
                    while let request = await queue.next() {
                        await self.process(request, queue: queue, metrics: reconcileMetrics, logger: workerLogger)
                    }
                }
            }
        }
        logger.info("Stopped workers")
    }

    /// Stops taking work; reconciles in flight finish and `run` returns after them.
    func stop() {
        stopped.open()
        runtime.withLock { $0?.queue }?.shutDown()
    }

    private func process(
        _ request: ReconcileRequest, queue: WorkQueue<ReconcileRequest>, metrics: ReconcileMetrics?,
        logger baseLogger: Logger
    ) async {
        let scope = ReconcileScope(controller: name, request: request, reconcileID: ReconcileScope.makeID())
        var logger = baseLogger
        for (key, value) in scope.metadata { logger[metadataKey: key] = value }
        metrics?.activeWorkers.increment()
        let clock = ContinuousClock()
        let started = clock.now
        defer {
            metrics?.activeWorkers.decrement()
            metrics?.duration.record(clock.now - started)
            queue.done(request)
        }
        do {
            let result = try await ReconcileScope.$current.withValue(scope) {
                try await reconciler.reconcile(request)
            }
            queue.forget(request)
            switch result {
            case .done:
                metrics?.success.increment()
                logger.debug("Reconciled object")
            case .requeue(let delay):
                metrics?.requeueAfter.increment()
                logger.debug("Reconciled object; requeueing", metadata: ["after": "\(delay)"])
                queue.add(request, after: delay)
            }
        } catch let error as TerminalError {
            queue.forget(request)
            metrics?.error.increment()
            metrics?.errors.increment()
            metrics?.terminalErrors.increment()
            logger.error("Reconciler failed terminally; not retrying", metadata: [LogKeys.error: "\(error.underlying)"])
        } catch {
            metrics?.error.increment()
            metrics?.errors.increment()
            if Task.isCancelled { return }
            queue.addRateLimited(request)
            logger.error("Reconciler error", metadata: [
                LogKeys.error: "\(error)", "retries": "\(queue.numRequeues(request))",
            ])
        }
    }
}
