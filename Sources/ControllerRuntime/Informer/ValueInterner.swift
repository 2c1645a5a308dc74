import Synchronization

/// Shares one copy of equal values that many cached objects hold, such as the slimmed container list or the
/// annotations and owner references of a workload's replicas: arrays and dictionaries are copy-on-write, so
/// handing out the canonical instance makes every object that holds it share one buffer.
///
/// Bounded: once `capacity` distinct values are held, new ones are returned as they are. Values stay held
/// until the interner goes away, so intern only values that repeat.
public final class ValueInterner<Value: Hashable & Sendable>: Sendable {
    private let values: Mutex<Set<Value>>
    /// The most distinct values kept.
    public let capacity: Int

    /// An interner keeping up to `capacity` values.
    public init(capacity: Int = 50_000) {
        self.capacity = capacity
        self.values = Mutex([])
    }

    /// The canonical instance equal to `value`.
    public func intern(_ value: Value) -> Value {
        values.withLock { set in
            if let existing = set.firstIndex(of: value) { return set[existing] }
            if set.count < capacity { set.insert(value) }
            return value
        }
    }

    /// How many values are held.
    public var count: Int { values.withLock { $0.count } }
}
