/// A binary min-heap of keys by the instant they become due (the delaying queue's waiting room).
///
/// Re-adding a key with an earlier deadline pushes a second entry; `popDue` skips entries that no longer
/// match the key's current deadline, so each key comes out once, at its earliest deadline.
struct DeadlineHeap<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        var deadline: ContinuousClock.Instant
        var sequence: UInt64
        var key: Key
        func before(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var entries: [Entry] = []
    private var current: [Key: ContinuousClock.Instant] = [:]
    private var sequence: UInt64 = 0

    /// Keys waiting.
    var count: Int { current.count }

    /// The earliest deadline, if any key waits.
    var earliest: ContinuousClock.Instant? {
        mutating get {
            dropStale()
            return entries.first?.deadline
        }
    }

    /// Schedules `key` at `deadline`, unless it already waits for an earlier one.
    mutating func schedule(_ key: Key, at deadline: ContinuousClock.Instant) {
        if let existing = current[key], existing <= deadline { return }
        current[key] = deadline
        sequence &+= 1
        entries.append(Entry(deadline: deadline, sequence: sequence, key: key))
        siftUp(entries.count - 1)
    }

    /// Removes and returns the keys due at `now`, earliest first.
    mutating func popDue(at now: ContinuousClock.Instant) -> [Key] {
        var due: [Key] = []
        while let first = entries.first, first.deadline <= now {
            removeFirst()
            if current[first.key] == first.deadline {
                current.removeValue(forKey: first.key)
                due.append(first.key)
            }
        }
        return due
    }

    mutating func removeAll() {
        entries.removeAll()
        current.removeAll()
    }

    private mutating func dropStale() {
        while let first = entries.first, current[first.key] != first.deadline { removeFirst() }
    }

    private mutating func removeFirst() {
        let last = entries.removeLast()
        guard !entries.isEmpty else { return }
        entries[0] = last
        siftDown(0)
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].before(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].before(entries[smallest]) { smallest = left }
            if right < entries.count && entries[right].before(entries[smallest]) { smallest = right }
            if smallest == parent { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
