public import KubeModel
public import Logging
public import OperatorCore
import Synchronization

/// One shared informer per resource type (client-go's `SharedInformerFactory`): every controller that asks
/// for pods gets the same cache and the same single watch.
///
/// `run()` runs every informer, including ones requested after it started, until the task is cancelled.
public final class InformerFactory: Sendable {
    private let api: any KubernetesReading & KubernetesWatching
    private let logger: Logger

    private struct State: Sendable {
        var informers: [ObjectIdentifier: any InformerRunning] = [:]
        var order: [any InformerRunning] = []
        var started: AsyncStream<any InformerRunning>.Continuation?
    }
    private let state = Mutex(State())

    /// A factory whose informers read through `api`.
    public init(api: any KubernetesReading & KubernetesWatching, logger: Logger = Logger(label: "ms2m.informer")) {
        self.api = api
        self.logger = logger
    }

    /// The informer for `type`, made with `options` on first request. Later requests return the same
    /// informer; indexes they name that it lacks are added to its cache, other options are ignored.
    public func informer<Object: KubernetesObject>(
        for type: Object.Type, options: InformerOptions<Object> = InformerOptions()
    ) -> SharedInformer<Object> {
        let (informer, newlyMade) = state.withLock { s -> (SharedInformer<Object>, Bool) in
            if let existing = s.informers[ObjectIdentifier(type)] as? SharedInformer<Object> {
                return (existing, false)
            }
            let made = SharedInformer(Object.self, api: api, options: options, logger: logger)
            s.informers[ObjectIdentifier(type)] = made
            s.order.append(made)
            s.started?.yield(made)
            return (made, true)
        }
        if !newlyMade {
            let known = Set(informer.cache.store.withLock { $0.indexNames })
            for index in options.indexes where !known.contains(index.name) { informer.cache.addIndex(index) }
        }
        return informer
    }

    /// Every informer made so far.
    public var informers: [any InformerRunning] { state.withLock { $0.order } }

    /// Whether every informer made so far has synced.
    public var hasSynced: Bool { informers.allSatisfy(\.hasSynced) }

    /// Waits until every informer made so far has synced (or the task is cancelled).
    public func waitForSync() async {
        for informer in informers { await informer.waitForSync() }
    }

    /// Runs every informer, and those requested later, until the task is cancelled.
    public func run() async {
        let (stream, continuation) = AsyncStream<any InformerRunning>.makeStream()
        let existing = state.withLock { s -> [any InformerRunning] in
            s.started = continuation
            return s.order
        }
        for informer in existing { continuation.yield(informer) }
        await withDiscardingTaskGroup { group in
            for await informer in stream {
                group.addTask { await informer.run() }
            }
            group.cancelAll()
        }
        state.withLock { $0.started = nil }
    }
}
