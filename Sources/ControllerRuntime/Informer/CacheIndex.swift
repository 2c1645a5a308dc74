public import KubeModel

/// A named secondary index of an informer cache: a function from an object to the values it is filed under
/// (client-go's `IndexFunc`). An object may be filed under several values, or none.
public struct CacheIndex<Object: KubernetesObject>: Sendable {
    /// The index name used for lookups.
    public let name: String
    /// The values `object` is filed under.
    public let values: @Sendable (Object) -> [String]

    /// An index called `name` computed by `values`.
    public init(name: String, values: @escaping @Sendable (Object) -> [String]) {
        self.name = name
        self.values = values
    }
}

extension CacheIndex {
    /// Objects by namespace.
    public static var byNamespace: CacheIndex {
        CacheIndex(name: "namespace") { object in object.metadata.namespace.map { [$0] } ?? [] }
    }

    /// Objects by the uid of every owner in their ownerReferences.
    public static var byOwnerUID: CacheIndex {
        CacheIndex(name: "metadata.ownerReferences.uid") { object in
            object.metadata.ownerReferences?.map(\.uid) ?? []
        }
    }

    /// Objects by the uid of their controlling owner (the reference with `controller: true`).
    public static var byControllerUID: CacheIndex {
        CacheIndex(name: "metadata.ownerReferences.controller.uid") { object in
            object.metadata.controllerReference.map { [$0.uid] } ?? []
        }
    }
}

extension CacheIndex where Object == Pod {
    /// Pods by the node they are bound to (`spec.nodeName`); unscheduled pods are not filed.
    public static var podsByNode: CacheIndex {
        CacheIndex(name: "spec.nodeName") { pod in
            guard let node = pod.spec?.nodeName, !node.isEmpty else { return [] }
            return [node]
        }
    }
}
