public import KubeModel

/// The object a reconcile is about: only its namespace and name, never the event that caused it
/// (controller-runtime's `reconcile.Request`). The reconciler reads the current state itself.
public struct ReconcileRequest: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The namespace; empty for cluster-scoped kinds.
    public var namespace: String
    /// The name.
    public var name: String

    /// A request for `name` in `namespace` (empty for cluster-scoped kinds).
    public init(namespace: String = "", name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// A request for `object`.
    public init<Object: KubernetesObject>(for object: Object) {
        self.init(namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "")
    }

    /// The cache key of the object.
    public var key: ObjectKey { ObjectKey(namespace: namespace, name: name) }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var description: String { key.description }

    public static func < (lhs: ReconcileRequest, rhs: ReconcileRequest) -> Bool { lhs.key < rhs.key }
}

/// When a reconcile wants to run again (controller-runtime's `reconcile.Result`, without the deprecated
/// `Requeue` flag: a rate limiter is not a poll interval).
public enum ReconcileResult: Sendable, Hashable {
    /// Nothing more to do until something changes.
    case done
    /// Reconcile again after this long, e.g. to poll something external.
    case requeue(after: Duration)
}

/// Wraps an error that retrying will not fix (an invalid spec): the runtime logs it, counts it and does not
/// requeue the object (controller-runtime's `reconcile.TerminalError`). Any other thrown error is retried
/// with per-object exponential backoff.
public struct TerminalError: Error, CustomStringConvertible {
    /// The error that cannot be recovered from by retrying.
    public let underlying: any Error

    /// Marks `error` as terminal.
    public init(_ error: any Error) { self.underlying = error }

    public var description: String { "terminal error: \(underlying)" }
}

/// Brings the world in line with one object's desired state.
///
/// Reconciles must be idempotent and level-based: read what is, decide one next step, act, report. The runtime
/// never runs two reconciles of the same request at once, retries thrown errors with backoff (not
/// `TerminalError`s), and honours `.requeue(after:)`.
public protocol Reconciler: Sendable {
    /// Reconciles the object named by `request`.
    func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult
}

/// A reconciler made from a closure, for small controllers and tests.
public struct ReconcilerFunction: Reconciler {
    private let body: @Sendable (ReconcileRequest) async throws -> ReconcileResult

    /// A reconciler running `body`.
    public init(_ body: @escaping @Sendable (ReconcileRequest) async throws -> ReconcileResult) {
        self.body = body
    }

    public func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        try await body(request)
    }
}
