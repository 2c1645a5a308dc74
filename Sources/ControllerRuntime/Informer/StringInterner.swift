import Synchronization

/// Shares one copy of strings that repeat across cached objects (label keys and values, annotation keys,
/// images, owner uids): Swift strings are copy-on-write, so handing out the canonical instance makes every
/// object that holds it share one buffer. Strings of up to 15 UTF-8 bytes are stored inline and skipped.
///
/// Bounded: once `capacity` distinct strings are held, new ones are returned as they are.
public final class StringInterner: Sendable {
    private let strings: Mutex<Set<String>>
    /// The most distinct strings kept.
    public let capacity: Int

    /// An interner keeping up to `capacity` strings.
    public init(capacity: Int = 200_000) {
        self.capacity = capacity
        self.strings = Mutex([])
    }

    /// The canonical instance equal to `string`.
    public func intern(_ string: String) -> String {
        guard string.utf8.count > 15 else { return string }
        return strings.withLock { set in
            if let existing = set.firstIndex(of: string) { return set[existing] }
            if set.count < capacity { set.insert(string) }
            return string
        }
    }

    /// `dictionary` with interned keys and values.
    public func intern(_ dictionary: [String: String]?) -> [String: String]? {
        guard let dictionary else { return nil }
        var interned: [String: String] = [:]
        interned.reserveCapacity(dictionary.count)
        for (key, value) in dictionary { interned[intern(key)] = intern(value) }
        return interned
    }

    /// How many strings are held.
    public var count: Int { strings.withLock { $0.count } }
}
