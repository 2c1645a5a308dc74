public import KubeModel

/// An object's address within its kind: namespace (empty for cluster-scoped kinds) and name, the key of
/// informer caches (client-go's `MetaNamespaceKeyFunc`).
///
/// Two short strings rather than one joined `"namespace/name"`: names up to 15 bytes then need no heap
/// allocation, which matters with 100,000 cached pods.
public struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The namespace; empty for cluster-scoped objects.
    public var namespace: String
    /// The name.
    public var name: String

    /// A key; `namespace` empty for cluster-scoped objects.
    public init(namespace: String = "", name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of `object`.
    public init<Object: KubernetesObject>(of object: Object) {
        self.init(namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "")
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var description: String { namespace.isEmpty ? name : namespace + "/" + name }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
