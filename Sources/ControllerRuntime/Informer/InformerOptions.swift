public import KubeModel

/// What an informer watches and how it caches it.
public struct InformerOptions<Object: KubernetesObject>: Sendable {
    /// Only this namespace; nil for all namespaces.
    public var namespace: String?
    /// Only objects whose labels match.
    public var labelSelector: String?
    /// Only objects whose fields match.
    public var fieldSelector: String?
    /// Applied to every object before it is cached and handed to handlers; drop what the operator never
    /// reads (see `ObjectTransforms`). Nil caches objects as received.
    public var transform: (@Sendable (Object) -> Object)?
    /// Secondary indexes of the cache.
    public var indexes: [CacheIndex<Object>]
    /// When set, every cached object is re-delivered to handlers as an update this often.
    public var resyncPeriod: Duration?
    /// Objects per list request when (re-)listing.
    public var pageSize: Int
    /// The wait between failed list or watch attempts.
    public var backoff: ReconnectBackoff
    /// The server ends each watch after a random number of seconds in this range (client-go: 5–10 minutes).
    public var watchTimeoutSeconds: ClosedRange<Int>

    /// Options for an informer over all namespaces, with metadata noise stripped.
    public init(
        namespace: String? = nil,
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        transform: (@Sendable (Object) -> Object)? = ObjectTransforms.stripMetadataNoise,
        indexes: [CacheIndex<Object>] = [],
        resyncPeriod: Duration? = nil,
        pageSize: Int = 500,
        backoff: ReconnectBackoff = ReconnectBackoff(),
        watchTimeoutSeconds: ClosedRange<Int> = 300...600
    ) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.transform = transform
        self.indexes = indexes
        self.resyncPeriod = resyncPeriod
        self.pageSize = pageSize
        self.backoff = backoff
        self.watchTimeoutSeconds = watchTimeoutSeconds
    }
}

/// Counters describing what an informer did, for tests and diagnostics.
public struct InformerStatistics: Sendable, Equatable {
    /// Complete (possibly paginated) lists, the initial one included.
    public var lists = 0
    /// Re-lists forced by a 410 Expired answer.
    public var expiredRelists = 0
    /// Watch requests opened.
    public var watches = 0
    /// Watches that ended with an error (other than 410).
    public var watchErrors = 0
    /// Events applied from watches.
    public var watchEvents = 0
}

/// An informer as the manager runs it, whatever its object type.
public protocol InformerRunning: Sendable {
    /// Lists and watches until the task is cancelled; never gives up on errors.
    func run() async
    /// Whether the initial list has been cached and delivered to handlers.
    var hasSynced: Bool { get }
    /// Waits for `hasSynced` (or the task's cancellation).
    func waitForSync() async
    /// The resource watched, for logs and readiness reports (`pods.v1`).
    var resourceName: String { get }
}
