/// A top-level Kubernetes API object: something with `apiVersion`, `kind` and `metadata` that lives at a REST
/// path of its own (`/api/v1/namespaces/{ns}/pods/{name}`, `/apis/apps/v1/statefulsets`, …).
///
/// Conforming types describe their group, version, kind and plural resource name statically, so a client can
/// build URLs for them; `apiVersion` and `gvr` are derived from those.
public protocol KubernetesObject: Codable, Sendable {
    /// The API group; empty for the core group (`v1`).
    static var group: String { get }
    /// The API version within the group, e.g. `v1`.
    static var version: String { get }
    /// The kind, e.g. `Pod`.
    static var kind: String { get }
    /// The lower-case plural resource name used in URLs, e.g. `pods`.
    static var plural: String { get }
    /// Whether objects of this kind live in a namespace.
    static var isNamespaced: Bool { get }
    /// The object's `apiVersion` as stored; nil when it was absent from decoded JSON (list items).
    var apiVersion: String? { get set }
    /// The object's `kind` as stored; nil when it was absent from decoded JSON (list items).
    var kind: String? { get set }
    /// Standard object metadata.
    var metadata: ObjectMeta { get set }
}

extension KubernetesObject {
    /// The `apiVersion` string: `v1` for the core group, otherwise `group/version`.
    public static var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The group, version and resource of this kind, for building REST paths.
    public static var gvr: GroupVersionResource {
        GroupVersionResource(group: group, version: version, resource: plural)
    }

    /// Sets `apiVersion` and `kind` to this type's values where they are nil.
    public mutating func fillTypeMeta() {
        if apiVersion == nil { apiVersion = Self.apiVersion }
        if kind == nil { kind = Self.kind }
    }

    /// The object's name (shorthand for `metadata.name`).
    public var name: String? { metadata.name }

    /// The object's namespace (shorthand for `metadata.namespace`).
    public var namespace: String? { metadata.namespace }
}

/// Identifies a resource collection in the API: group, version and plural resource name.
public struct GroupVersionResource: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    /// The API version, e.g. `v1`.
    public var version: String
    /// The plural resource name, e.g. `pods`.
    public var resource: String

    /// Creates a group/version/resource triple.
    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// The `apiVersion` string: `v1` for the core group, otherwise `group/version`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The path prefix of the group version: `/api/v1` for the core group, `/apis/{group}/{version}` otherwise.
    public var basePath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    public var description: String { group.isEmpty ? "\(resource).\(version)" : "\(resource).\(version).\(group)" }
}

/// A kind whose `status` is a separate subresource (`…/{name}/status`), written with its own verbs.
public protocol HasStatus: KubernetesObject {
    /// The type of the `status` stanza.
    associatedtype StatusType: Codable & Sendable
    /// The object's status, as last observed.
    var status: StatusType? { get set }
}

/// A kind with a `scale` subresource (`…/{name}/scale`, read and written as an autoscaling/v1 `Scale`).
public protocol Scalable: KubernetesObject {}

/// A kind with an `eviction` subresource (only `Pod`), which honours PodDisruptionBudgets.
public protocol Evictable: KubernetesObject {}

/// A list of objects of one kind, as returned by a list call (`PodList`, `NodeList`, …).
///
/// Items in a list response usually carry no `apiVersion`/`kind`; decoding fills them in from `Item`.
public struct ObjectList<Item: KubernetesObject>: Codable, Sendable {
    /// The list's API version, e.g. `v1`.
    public var apiVersion: String?
    /// The list kind, e.g. `PodList`.
    public var kind: String?
    /// List metadata: resource version and continue token.
    public var metadata: ListMeta
    /// The objects.
    public var items: [Item]

    /// Creates a list; `apiVersion` and `kind` default to those of `Item` (`kind` gets a `List` suffix).
    public init(
        apiVersion: String? = Item.apiVersion,
        kind: String? = Item.kind + "List",
        metadata: ListMeta = ListMeta(),
        items: [Item] = []
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, items
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
        for index in items.indices { items[index].fillTypeMeta() }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(apiVersion, forKey: .apiVersion)
        try c.encodeIfPresent(kind, forKey: .kind)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(items, forKey: .items)
    }
}

extension ObjectList: Equatable where Item: Equatable {}
extension ObjectList: Hashable where Item: Hashable {}
