import Synchronization
import Unstructured

/// An object as stored: its value, its JSON encoding (made once per write and shared by every reader), and its key.
final class StoredObject: Sendable {
    let value: JSONValue
    /// The full encoding (GET, watch events).
    let bytes: [UInt8]
    /// The list-item encoding is `{` followed by `bytes[itemStart...]` (built-in list items omit apiVersion/kind).
    let itemStart: Int
    let rv: Int64
    let namespace: String
    let name: String
    let uid: String
    let key: String

    /// Stores `value` (whose metadata.resourceVersion is already `rv`), putting apiVersion, kind, metadata first.
    init(value raw: JSONValue, rv: Int64, omitTypeInItems: Bool) {
        var value = raw
        if var object = raw.objectValue, let apiVersion = object["apiVersion"], let kind = object["kind"] {
            if object.keys.first != "apiVersion" || object.keys.dropFirst().first != "kind" {
                object.removeValue(forKey: "apiVersion")
                object.removeValue(forKey: "kind")
                var ordered: JSONObject = ["apiVersion": apiVersion, "kind": kind]
                ordered.reserveCapacity(object.count + 2)
                for (k, v) in object { ordered[k] = v }
                object = ordered
                value = .object(object)
            }
        }
        self.value = value
        self.bytes = value.jsonBytes()
        self.rv = rv
        let metadata = value["metadata"]
        self.name = metadata?["name"]?.stringValue ?? ""
        self.namespace = metadata?["namespace"]?.stringValue ?? ""
        self.uid = metadata?["uid"]?.stringValue ?? ""
        self.key = namespace.isEmpty ? name : namespace + "/" + name
        if omitTypeInItems, let apiVersion = value["apiVersion"], let kind = value["kind"],
            (value.objectValue?.count ?? 0) > 2
        {
            // `{"apiVersion":…,"kind":…,` → skip to the third member.
            itemStart = 1 + 13 + apiVersion.jsonBytes().count + 1 + 7 + kind.jsonBytes().count + 1
        } else {
            itemStart = 1
        }
    }

    /// Appends the list-item form to `out`.
    func appendItem(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        out.append(contentsOf: bytes[itemStart...])
    }
}

/// A stored object's address.
struct ObjectRef: Hashable, Sendable {
    var id: ResourceID
    var key: String
}

/// The type of a watch event.
enum WatchEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// One write, as retained for watch resumption and snapshot reads.
struct HistoryEvent: Sendable {
    let rv: Int64
    let resource: ResourceID
    let type: WatchEventType
    /// The new state; for DELETED the last state stamped with the deletion's resourceVersion.
    let object: StoredObject
    /// The state before this write (nil for ADDED).
    let prev: StoredObject?
}

/// Work for the in-process controllers (garbage collector, namespace and CRD finalization).
enum ControllerWork: Sendable {
    case removed(ResourceID, StoredObject)
    case changed(ResourceID, StoredObject)
    /// Pods or budgets of a namespace changed: recompute PodDisruptionBudget status.
    case disruption(namespace: String)
    /// A Node's conditions, cordon or taints changed: the node lifecycle controller's NoSchedule pass.
    case nodeTaints(name: String)
}

/// One resource's objects as of a revision: keys in order (including keys whose object did not exist then),
/// each resolved on access (nil for such a key).
struct SnapshotView {
    let bucket: Bucket
    let keys: ArraySlice<String>
    /// The state at the revision of keys written since (nil: absent then).
    let overrides: [String: StoredObject?]

    /// How many keys the view has.
    var count: Int { keys.count }

    /// The `position`th key (from 0).
    func key(at position: Int) -> String { keys[keys.startIndex + position] }

    /// The object of the `position`th key at the view's revision; nil when it did not exist then.
    func object(at position: Int) -> StoredObject? {
        let key = key(at: position)
        if let override = overrides[key] { return override }
        return bucket.objects[key]
    }
}

/// Objects of one resource, with keys kept sorted (namespace/name byte order, like etcd's key order).
struct Bucket {
    var objects: [String: StoredObject] = [:]
    var keys: [String] = []

    func insertionIndex(_ key: String) -> Int {
        var lo = 0
        var hi = keys.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The sorted keys of one namespace (all when nil).
    func keys(namespace: String?) -> ArraySlice<String> {
        guard let namespace, !namespace.isEmpty else { return keys[...] }
        let start = insertionIndex(namespace + "/")
        let end = insertionIndex(namespace + "0")  // "0" follows "/" in ASCII
        return keys[start..<end]
    }
}

/// Everything the store guards with one lock: objects, the revision counter, history, indexes and watchers.
struct StoreState {
    var rv: Int64 = 0
    var buckets: [ResourceID: Bucket] = [:]
    var history: [HistoryEvent] = []
    var historyStart = 0
    /// The newest revision no longer in the history (watches and snapshots older than this are 410).
    var compactedRV: Int64 = 0
    let historyLimit: Int
    var uidIndex: [String: ObjectRef] = [:]
    /// Owner UID → dependents referencing it.
    var dependents: [String: Set<ObjectRef>] = [:]
    var watchers: [ResourceID: [Int: Watcher]] = [:]
    var work: [ControllerWork] = []

    init(historyLimit: Int) { self.historyLimit = max(1, historyLimit) }

    func get(_ id: ResourceID, _ key: String) -> StoredObject? { buckets[id]?.objects[key] }

    func object(uid: String) -> (ObjectRef, StoredObject)? {
        guard let ref = uidIndex[uid], let obj = buckets[ref.id]?.objects[ref.key] else { return nil }
        return (ref, obj)
    }

    /// Writes `value` (created when `prev` is nil) at a new revision, records and broadcasts the event.
    @discardableResult
    mutating func put(_ info: ResourceInfo, _ value: JSONValue, prev: StoredObject?) -> StoredObject {
        rv += 1
        var value = value
        value[path: ["metadata", "resourceVersion"]] = .string(String(rv))
        let stored = StoredObject(value: value, rv: rv, omitTypeInItems: !info.isCustom)
        let id = info.id
        var bucket = buckets[id] ?? Bucket()
        buckets[id] = nil  // keep the bucket uniquely referenced while mutating
        if bucket.objects.updateValue(stored, forKey: stored.key) == nil {
            bucket.keys.insert(stored.key, at: bucket.insertionIndex(stored.key))
        }
        buckets[id] = bucket
        index(stored, ref: ObjectRef(id: id, key: stored.key), old: prev)
        record(HistoryEvent(rv: rv, resource: id, type: prev == nil ? .added : .modified, object: stored, prev: prev))
        if !stored.value.ownerReferences.isEmpty || stored.value.isDeleting || prev?.value.isDeleting == true {
            work.append(.changed(id, stored))
        }
        noteDisruption(id, stored)
        if id == BuiltinResources.nodes.id && NodeLifecycle.needsTaintingPass(stored.value) {
            work.append(.nodeTaints(name: stored.name))
        }
        return stored
    }

    /// Removes an object at a new revision; returns its last state stamped with that revision.
    @discardableResult
    mutating func remove(_ info: ResourceInfo, _ prev: StoredObject, finalValue: JSONValue? = nil) -> StoredObject {
        rv += 1
        var value = finalValue ?? prev.value
        value[path: ["metadata", "resourceVersion"]] = .string(String(rv))
        let final = StoredObject(value: value, rv: rv, omitTypeInItems: !info.isCustom)
        let id = info.id
        var bucket = buckets[id] ?? Bucket()
        buckets[id] = nil
        if bucket.objects.removeValue(forKey: prev.key) != nil {
            let i = bucket.insertionIndex(prev.key)
            if i < bucket.keys.count && bucket.keys[i] == prev.key { bucket.keys.remove(at: i) }
        }
        buckets[id] = bucket
        unindex(prev, ref: ObjectRef(id: id, key: prev.key))
        record(HistoryEvent(rv: rv, resource: id, type: .deleted, object: final, prev: prev))
        work.append(.removed(id, final))
        noteDisruption(id, final)
        return final
    }

    /// Queues a budget recomputation when pods change in a namespace that has PodDisruptionBudgets.
    private mutating func noteDisruption(_ id: ResourceID, _ obj: StoredObject) {
        let pdbs = BuiltinResources.podDisruptionBudgets.id
        if id == pdbs
            || (id == BuiltinResources.pods.id && !(buckets[pdbs]?.keys(namespace: obj.namespace).isEmpty ?? true))
        {
            work.append(.disruption(namespace: obj.namespace))
        }
    }

    private mutating func index(_ obj: StoredObject, ref: ObjectRef, old: StoredObject?) {
        if let old { unindex(old, ref: ref) }
        if !obj.uid.isEmpty { uidIndex[obj.uid] = ref }
        for owner in obj.value.ownerReferences {
            if let uid = owner["uid"]?.stringValue { dependents[uid, default: []].insert(ref) }
        }
    }

    private mutating func unindex(_ obj: StoredObject, ref: ObjectRef) {
        if !obj.uid.isEmpty, uidIndex[obj.uid] == ref { uidIndex[obj.uid] = nil }
        for owner in obj.value.ownerReferences {
            if let uid = owner["uid"]?.stringValue {
                dependents[uid]?.remove(ref)
                if dependents[uid]?.isEmpty == true { dependents[uid] = nil }
            }
        }
    }

    private mutating func record(_ event: HistoryEvent) {
        history.append(event)
        if history.count - historyStart > historyLimit {
            compactedRV = history[historyStart].rv
            historyStart += 1
            if historyStart > 4096 && historyStart * 2 > history.count {
                history.removeFirst(historyStart)
                historyStart = 0
            }
        }
        if let watchers = watchers[event.resource], !watchers.isEmpty {
            let dropped = WatchHub.dispatch(event, to: watchers.values)
            for id in dropped { self.watchers[event.resource]?[id] = nil }
        }
    }

    /// Retained events after `rv` for one resource, oldest first.
    func events(after rv: Int64, resource: ResourceID) -> [HistoryEvent] {
        var out: [HistoryEvent] = []
        var i = history.count - 1
        while i >= historyStart && history[i].rv > rv {
            if history[i].resource == resource { out.append(history[i]) }
            i -= 1
        }
        return out.reversed()
    }

    /// The objects of a resource (in key order, one namespace or all) as of revision `at` (now when nil).
    /// Throws 410 Expired when the history no longer reaches back to `at`.
    func snapshot(_ id: ResourceID, namespace: String?, at: Int64?) -> [StoredObject]? {
        snapshotView(id, namespace: namespace, at: at).map { view in (0..<view.count).compactMap(view.object(at:)) }
    }

    /// The objects of `id` (in `namespace`, all when nil) as of revision `at` (now when nil), in key order,
    /// resolved on access: taking the view copies nothing (the bucket is shared copy-on-write), so a paged
    /// LIST reads only the page it serves. Nil when `at` was compacted.
    func snapshotView(_ id: ResourceID, namespace: String?, at: Int64?) -> SnapshotView? {
        let bucket = buckets[id] ?? Bucket()
        guard let at, at < rv else {
            return SnapshotView(bucket: bucket, keys: bucket.keys(namespace: namespace), overrides: [:])
        }
        if at < compactedRV { return nil }
        // Undo the writes after `at`, newest first, so the oldest undo wins.
        var overrides: [String: StoredObject?] = [:]
        var i = history.count - 1
        while i >= historyStart && history[i].rv > at {
            let e = history[i]
            if e.resource == id && (namespace == nil || namespace!.isEmpty || e.object.namespace == namespace) {
                overrides[e.object.key] = .some(e.prev)
            }
            i -= 1
        }
        var keys = bucket.keys(namespace: namespace)
        let extra = overrides.keys.filter { bucket.objects[$0] == nil }
        if !extra.isEmpty { keys = ArraySlice((Array(keys) + extra).sorted()) }
        return SnapshotView(bucket: bucket, keys: keys, overrides: overrides)
    }
}

/// The object store: one lock over `StoreState`, plus the wake-up signal of the controllers.
final class ObjectStore: Sendable {
    let state: Mutex<StoreState>
    private let wake: AsyncStream<Void>.Continuation
    let wakeups: AsyncStream<Void>

    init(historyLimit: Int) {
        state = Mutex(StoreState(historyLimit: historyLimit))
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs `body` under the store lock; wakes the controllers when it queued work.
    func locked<R: Sendable>(_ body: (inout StoreState) throws -> R) throws -> R {
        let (result, hasWork): (Result<R, any Error>, Bool) = state.withLock { s in
            let r = Result { try body(&s) }
            return (r, !s.work.isEmpty)
        }
        if hasWork { wake.yield() }
        return try result.get()
    }

    /// Takes the queued controller work.
    func takeWork() -> [ControllerWork] {
        state.withLock { s in
            let w = s.work
            s.work = []
            return w
        }
    }

    /// Ends the wake-up stream (shutdown).
    func finish() { wake.finish() }

    var currentRV: Int64 { state.withLock { $0.rv } }
}
