/// A value kept on the heap behind one reference, copied on write: a large, mostly-absent group of fields
/// costs one pointer in the struct that holds it (and nothing when the holder keeps it `nil`).
///
/// Equality and hashing are the value's, so a struct holding an `OutOfLine` keeps value semantics.
struct OutOfLine<Value: Hashable & Sendable>: Hashable, Sendable {
    /// The heap cell; only ever mutated while uniquely referenced, hence Sendable.
    private final class Storage: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    init(_ value: Value) {
        storage = Storage(value)
    }

    var value: Value {
        get { storage.value }
        set {
            if isKnownUniquelyReferenced(&storage) {
                storage.value = newValue
            } else {
                storage = Storage(newValue)
            }
        }
    }

    static func == (lhs: OutOfLine, rhs: OutOfLine) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.value == rhs.storage.value
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(storage.value)
    }
}
