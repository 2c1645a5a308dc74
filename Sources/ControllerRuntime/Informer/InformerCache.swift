public import KubeModel
import Synchronization

/// The thread-safe, indexed, read-only view of what an informer has observed (client-go's `Indexer` /
/// lister). Reads return copies of the cached values and never call the API server.
///
/// The informer is the only writer. Objects are stored as its transform left them, so fields the transform
/// drops are absent here; read the object from the API when you need them.
public final class InformerCache<Object: KubernetesObject>: Sendable {
    let store: Mutex<IndexedStore<Object>>

    init(indexes: [CacheIndex<Object>]) {
        var store = IndexedStore<Object>()
        for index in indexes { store.addIndex(index) }
        self.store = Mutex(store)
    }

    /// The cached object with `key`.
    public func get(_ key: ObjectKey) -> Object? { store.withLock { $0[key] } }

    /// The cached object `name` in `namespace` (empty for cluster-scoped kinds).
    public func get(namespace: String = "", name: String) -> Object? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// Every cached object, or those in `namespace`.
    public func list(namespace: String? = nil) -> [Object] {
        store.withLock { store in
            guard let namespace else { return store.objects }
            return store.objects(inNamespace: namespace)
        }
    }

    /// Every cached key.
    public func keys() -> [ObjectKey] { store.withLock { $0.keys } }

    /// Objects filed under `value` in the index `indexName` (client-go `ByIndex`); empty for an unknown index.
    public func list(index indexName: String, value: String) -> [Object] {
        store.withLock { store in
            guard let keys = store.keys(index: indexName, value: value) else { return [] }
            return keys.compactMap { store[$0] }
        }
    }

    /// Objects filed under `value` in `index`.
    public func list(index: CacheIndex<Object>, value: String) -> [Object] { list(index: index.name, value: value) }

    /// The values of `indexName` that have objects (client-go `ListIndexFuncValues`).
    public func indexedValues(index indexName: String) -> [String] {
        store.withLock { $0.indexedValues(index: indexName) }
    }

    /// Adds a secondary index, filing the objects already cached under it.
    public func addIndex(_ index: CacheIndex<Object>) { store.withLock { $0.addIndex(index) } }

    /// Adds `index` unless the cache already has an index of that name (an informer shared by controllers
    /// gets the indexes each of them needs, whoever created it).
    public func ensureIndex(_ index: CacheIndex<Object>) {
        store.withLock { store in
            if !store.indexNames.contains(index.name) { store.addIndex(index) }
        }
    }

    /// Keeps `summary` in step with the cache from now on, folding in the objects already cached first.
    /// Attach a summary to one cache, once.
    public func addSummary<Value>(_ summary: CacheSummary<Object, Value>) {
        store.withLock { store in
            store.addObserver { removed, added in summary.apply(removed: removed, added: added) }
        }
    }

    /// How many objects are cached.
    public var count: Int { store.withLock { $0.count } }
}
