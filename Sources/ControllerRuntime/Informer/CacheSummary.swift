public import KubeModel
import Synchronization

/// A value kept in step with an informer cache (a running aggregate, such as the resources requested on each
/// node): every object the cache stores, replaces or drops is folded into it under the cache's lock, with
/// exactly the object that was stored before, so the value always describes the cached objects — however the
/// informer got there (watch events, re-lists after 410, late registration) — and reading it costs nothing
/// like a pass over the cache.
///
/// Attach it to one cache, once (`InformerCache.addSummary(_:)`); the update function must undo a removal
/// of an object exactly as it counted its addition, and must not call back into the cache.
public final class CacheSummary<Object: KubernetesObject, Value: Sendable>: Sendable {
    /// How the value changes when `removed` leaves the cache and/or `added` enters it (both for a
    /// replacement: the previous state and the new one).
    public typealias Update = @Sendable (_ value: inout Value, _ removed: Object?, _ added: Object?) -> Void

    private let state: Mutex<Value>
    private let update: Update

    /// A summary starting at `initial` (the value of an empty cache), changed by `update`.
    public init(_ initial: Value, update: @escaping Update) {
        self.state = Mutex(initial)
        self.update = update
    }

    /// The current value.
    public var value: Value { state.withLock { $0 } }

    /// Folds one change in (called by the cache under its lock).
    func apply(removed: Object?, added: Object?) {
        state.withLock { update(&$0, removed, added) }
    }
}
