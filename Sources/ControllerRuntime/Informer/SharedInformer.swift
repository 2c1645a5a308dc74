public import KubeModel
public import Logging
public import OperatorCore
import Synchronization

/// Lists and watches one resource type into an indexed in-memory cache and tells handlers what changed
/// (client-go's `SharedIndexInformer`: reflector, store and processor in one).
///
/// - The initial list is paged; `hasSynced`/`waitForSync()` report when it has been cached and delivered.
/// - Watches resume from the last resourceVersion seen (bookmarks advance it), so a broken or ended watch
///   loses no event. Failed attempts back off (capped, jittered); a 410 Expired triggers a re-list whose
///   differences against the cache are delivered: adds, updates for changed objects, and deletions with
///   `finalStateUnknown` for objects that vanished meanwhile.
/// - Objects pass the `transform` before they are cached, so memory holds only what the operator reads.
///
/// Handlers run on the informer's task, in event order, and must not block: enqueue a key and return.
public final class SharedInformer<Object: KubernetesObject>: InformerRunning {
    /// The cache; read it from anywhere.
    public let cache: InformerCache<Object>
    /// The options the informer was made with.
    public let options: InformerOptions<Object>
    private let api: any KubernetesReading & KubernetesWatching
    private let logger: Logger
    private let synced = AsyncLatch()
    private let handlers = Mutex<[Int: @Sendable (InformerEvent<Object>) -> Void]>([:])
    private let nextHandlerID = Atomic<Int>(0)
    private let counters = Mutex(InformerStatistics())
    private let resourceVersion = Mutex<String?>(nil)

    /// An informer over `Object` reached through `api`.
    public init(
        _ type: Object.Type = Object.self,
        api: any KubernetesReading & KubernetesWatching,
        options: InformerOptions<Object> = InformerOptions(),
        logger: Logger = Logger(label: "ms2m.informer")
    ) {
        self.api = api
        self.options = options
        self.cache = InformerCache(indexes: options.indexes)
        var logger = logger
        logger[metadataKey: "resource"] = "\(Object.gvr)"
        self.logger = logger
    }

    /// The resource watched (`pods.v1`).
    public var resourceName: String { Object.gvr.description }

    /// Whether the initial list has been cached and delivered to handlers.
    public var hasSynced: Bool { synced.isOpen }

    /// Waits until the initial list has been cached and delivered (returns early if the task is cancelled).
    public func waitForSync() async { await synced.wait() }

    /// The resourceVersion the cache is at (the last list, watch event or bookmark applied).
    public var lastSyncResourceVersion: String? { resourceVersion.withLock { $0 } }

    /// What the informer has done so far.
    public var statistics: InformerStatistics { counters.withLock { $0 } }

    // MARK: Handlers

    /// A registered handler, for removing it.
    public struct HandlerRegistration: Sendable, Hashable {
        let id: Int
    }

    /// Registers `handler` for every later change. Objects already cached are delivered to it as `.added`
    /// first (client-go's late-handler replay); a change racing the registration may arrive twice, never not
    /// at all.
    @discardableResult
    public func addEventHandler(
        _ handler: @escaping @Sendable (InformerEvent<Object>) -> Void
    ) -> HandlerRegistration {
        let id = nextHandlerID.wrappingAdd(1, ordering: .relaxed).newValue
        let existing = cache.store.withLock { store -> [Object] in
            handlers.withLock { $0[id] = handler }
            return store.objects
        }
        for object in existing { handler(.added(object)) }
        return HandlerRegistration(id: id)
    }

    /// Stops delivering events to a handler.
    public func removeEventHandler(_ registration: HandlerRegistration) {
        _ = handlers.withLock { $0.removeValue(forKey: registration.id) }
    }

    private func dispatch(_ events: [InformerEvent<Object>]) {
        guard !events.isEmpty else { return }
        let current = handlers.withLock { Array($0.values) }
        for event in events {
            for handler in current { handler(event) }
        }
    }

    // MARK: Running

    /// Lists and watches until the task is cancelled. Errors are logged and retried with backoff; this never
    /// returns for any other reason.
    public func run() async {
        await withDiscardingTaskGroup { group in
            if let period = options.resyncPeriod {
                group.addTask { await self.resync(every: period) }
            }
            await listAndWatch()
            group.cancelAll()
        }
    }

    private func listAndWatch() async {
        var backoff = options.backoff
        var version: String?
        var mustList = true
        let clock = ContinuousClock()
        while !Task.isCancelled {
            if mustList {
                do {
                    version = try await relist()
                    mustList = false
                } catch {
                    if Task.isCancelled { return }
                    let delay = backoff.failed()
                    logger.warning("Failed to list objects", metadata: [
                        "error": "\(error)", "retryIn": "\(delay)",
                    ])
                    try? await Task.sleep(for: delay)
                    continue
                }
            }
            let started = clock.now
            var delivered = 0
            do {
                counters.withLock { $0.watches += 1 }
                let query = WatchOptions(
                    labelSelector: options.labelSelector, fieldSelector: options.fieldSelector,
                    resourceVersion: version, allowWatchBookmarks: true,
                    timeoutSeconds: Int.random(in: options.watchTimeoutSeconds))
                for try await event in api.watch(Object.self, namespace: options.namespace, options: query) {
                    delivered += 1
                    if let next = try apply(event) {
                        version = next
                        resourceVersion.withLock { $0 = next }
                    }
                }
                if Task.isCancelled { return }
                if delivered > 0 || clock.now - started >= .seconds(1) {
                    backoff.succeeded()
                    logger.debug("Watch ended; resuming", metadata: ["resourceVersion": "\(version ?? "")"])
                } else {
                    try? await Task.sleep(for: backoff.failed())
                }
            } catch {
                if Task.isCancelled { return }
                if KubernetesErrors.isResourceExpired(error) {
                    counters.withLock { $0.expiredRelists += 1 }
                    logger.info("Watch resourceVersion expired; re-listing", metadata: [
                        "resourceVersion": "\(version ?? "")",
                    ])
                    mustList = true
                    continue
                }
                counters.withLock { $0.watchErrors += 1 }
                if delivered > 0 { backoff.succeeded() }
                let delay = delivered > 0 ? Duration.zero : backoff.failed()
                logger.warning("Watch failed; resuming", metadata: [
                    "error": "\(error)", "resourceVersion": "\(version ?? "")", "retryIn": "\(delay)",
                ])
                if delay > .zero { try? await Task.sleep(for: delay) }
            }
        }
    }

    /// Lists everything page by page (transforming each page as it arrives, so full objects never pile up),
    /// replaces the cache, delivers the differences, and returns the list's resourceVersion.
    private func relist() async throws -> String? {
        var query = ListOptions(
            labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: options.pageSize)
        var items: [Object] = []
        var page = try await api.list(Object.self, namespace: options.namespace, options: query)
        let version = page.metadata.resourceVersion
        append(&items, page.items)
        while let token = page.metadata.continueToken, !token.isEmpty {
            query.continueToken = token
            do {
                page = try await api.list(Object.self, namespace: options.namespace, options: query)
            } catch where KubernetesErrors.isResourceExpired(error) {
                // The snapshot behind the token is gone: fall back to one unpaginated list.
                query.limit = nil
                query.continueToken = nil
                page = try await api.list(Object.self, namespace: options.namespace, options: query)
                items.removeAll()
                append(&items, page.items)
                return try finishList(items, version: page.metadata.resourceVersion)
            }
            append(&items, page.items)
        }
        return try finishList(items, version: version)
    }

    private func append(_ items: inout [Object], _ page: [Object]) {
        if let transform = options.transform {
            items.reserveCapacity(items.count + page.count)
            for object in page { items.append(transform(object)) }
        } else {
            items += page
        }
    }

    private func finishList(_ items: [Object], version: String?) throws -> String? {
        let events = cache.store.withLock { $0.replace(with: items) }
        counters.withLock { $0.lists += 1 }
        resourceVersion.withLock { $0 = version }
        logger.debug("Listed objects", metadata: [
            "count": "\(items.count)", "changes": "\(events.count)", "resourceVersion": "\(version ?? "")",
        ])
        dispatch(events)
        synced.open()
        return version
    }

    /// Applies one watch event to the cache and delivers it; returns the resourceVersion it carries.
    private func apply(_ event: TypedWatchEvent<Object>) throws -> String? {
        switch event {
        case .added(let object), .modified(let object):
            let object = options.transform?(object) ?? object
            let change = cache.store.withLock { $0.upsert(object, key: ObjectKey(of: object)) }
            counters.withLock { $0.watchEvents += 1 }
            dispatch([change])
            return object.metadata.resourceVersion
        case .deleted(let object):
            let object = options.transform?(object) ?? object
            _ = cache.store.withLock { $0.remove(ObjectKey(of: object)) }
            counters.withLock { $0.watchEvents += 1 }
            dispatch([.deleted(object, finalStateUnknown: false)])
            return object.metadata.resourceVersion
        case .bookmark(let marker):
            return marker.resourceVersion
        case .error(let status):
            throw status
        }
    }

    private func resync(every period: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            let objects = cache.list()
            dispatch(objects.map { .updated(old: $0, new: $0) })
        }
    }
}
