/// A change an informer observed and applied to its cache, as delivered to event handlers.
public enum InformerEvent<Object: Sendable>: Sendable {
    /// An object appeared (listed at start, created, or found by a re-list).
    case added(Object)
    /// An object changed; `old` is the cached state before. During a periodic resync both are the same.
    case updated(old: Object, new: Object)
    /// An object disappeared. `finalStateUnknown` is true when a re-list found it gone, so `object` is its
    /// last cached state rather than its state at deletion (client-go's `DeletedFinalStateUnknown`).
    case deleted(Object, finalStateUnknown: Bool)

    /// The object the event is about (the new state for updates).
    public var object: Object {
        switch self {
        case .added(let object), .updated(_, let object), .deleted(let object, _): return object
        }
    }
}
