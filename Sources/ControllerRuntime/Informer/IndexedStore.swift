import KubeModel

/// The informer cache's contents as a value: objects by key plus secondary indexes kept in step
/// (client-go's `threadSafeStore` without the lock). Mutations return the informer events they imply.
struct IndexedStore<Object: KubernetesObject>: Sendable {
    /// One heap box per object: the table then holds 40-byte entries instead of inline structs (a `Pod` is
    /// ~1 KB inline), which wastes far less on empty buckets and makes growing the table cheap.
    final class Box: Sendable {
        let object: Object
        init(_ object: Object) { self.object = object }
    }

    private var boxes: [ObjectKey: Box] = [:]
    private var indexes: [String: CacheIndex<Object>] = [:]
    /// index name → indexed value → keys filed under it.
    private var entries: [String: [String: Set<ObjectKey>]] = [:]
    /// Told of every change with the object before and after (see `CacheSummary`).
    private var observers: [@Sendable (_ removed: Object?, _ added: Object?) -> Void] = []

    var count: Int { boxes.count }

    subscript(key: ObjectKey) -> Object? { boxes[key]?.object }

    /// Every object. (A closure, not the `\.object` key path: a key path is applied through the runtime for
    /// each element, which cost more than copying the objects.)
    var objects: [Object] { boxes.values.map { $0.object } }

    /// Every key.
    var keys: [ObjectKey] { Array(boxes.keys) }

    /// The objects in `namespace`.
    func objects(inNamespace namespace: String) -> [Object] {
        boxes.compactMap { $0.key.namespace == namespace ? $0.value.object : nil }
    }

    /// Adds an index and files every stored object under it; replaces an index of the same name.
    mutating func addIndex(_ index: CacheIndex<Object>) {
        indexes[index.name] = index
        var filed: [String: Set<ObjectKey>] = [:]
        for (key, box) in boxes {
            for value in index.values(box.object) { filed[value, default: []].insert(key) }
        }
        entries[index.name] = filed
    }

    var indexNames: [String] { Array(indexes.keys) }

    /// Tells `observer` of every later change, after handing it every stored object as an addition.
    mutating func addObserver(_ observer: @escaping @Sendable (_ removed: Object?, _ added: Object?) -> Void) {
        for box in boxes.values { observer(nil, box.object) }
        observers.append(observer)
    }

    /// Keys filed under `value` in index `name`; nil when there is no such index.
    func keys(index name: String, value: String) -> Set<ObjectKey>? {
        guard indexes[name] != nil else { return nil }
        return entries[name]?[value] ?? []
    }

    /// The values of index `name` that have objects filed under them.
    func indexedValues(index name: String) -> [String] {
        entries[name].map { Array($0.keys) } ?? []
    }

    /// Stores `object` under `key` and returns the event: added, or updated with the previous state.
    @discardableResult
    mutating func upsert(_ object: Object, key: ObjectKey) -> InformerEvent<Object> {
        let old = boxes.updateValue(Box(object), forKey: key)?.object
        reindex(key: key, old: old, new: object)
        for observer in observers { observer(old, object) }
        if let old { return .updated(old: old, new: object) }
        return .added(object)
    }

    /// Removes `key`; returns the removed object.
    @discardableResult
    mutating func remove(_ key: ObjectKey) -> Object? {
        guard let old = boxes.removeValue(forKey: key)?.object else { return nil }
        reindex(key: key, old: old, new: nil)
        for observer in observers { observer(old, nil) }
        return old
    }

    /// Replaces the contents with a fresh list and returns what changed, as events: adds for new keys,
    /// updates for keys whose resourceVersion changed, deletes (final state unknown) for keys that vanished.
    mutating func replace(with listed: [Object]) -> [InformerEvent<Object>] {
        var events: [InformerEvent<Object>] = []
        var seen: Set<ObjectKey> = []
        seen.reserveCapacity(listed.count)
        for object in listed {
            let key = ObjectKey(of: object)
            seen.insert(key)
            if let old = boxes[key]?.object, old.metadata.resourceVersion == object.metadata.resourceVersion,
                old.metadata.uid == object.metadata.uid
            {
                continue
            }
            events.append(upsert(object, key: key))
        }
        let vanished = boxes.keys.filter { !seen.contains($0) }
        for key in vanished {
            if let old = remove(key) { events.append(.deleted(old, finalStateUnknown: true)) }
        }
        return events
    }

    private mutating func reindex(key: ObjectKey, old: Object?, new: Object?) {
        for (name, index) in indexes {
            let before = old.map(index.values) ?? []
            let after = new.map(index.values) ?? []
            if before == after { continue }
            for value in before where !after.contains(value) {
                entries[name]?[value]?.remove(key)
                if entries[name]?[value]?.isEmpty == true { entries[name]?[value] = nil }
            }
            for value in after where !before.contains(value) {
                entries[name, default: [:]][value, default: []].insert(key)
            }
        }
    }
}
