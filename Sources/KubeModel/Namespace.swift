public import Unstructured

/// A scope for names of namespaced objects (core/v1 `Namespace`).
public struct Namespace: KubernetesObject, Hashable, HasStatus {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Namespace"
    public static let plural = "namespaces"
    public static let isNamespaced = false

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `Namespace`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The namespace's finalizers.
    public var spec: NamespaceSpec?
    /// The observed state.
    public var status: NamespaceStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Namespace.apiVersion,
        kind: String? = Namespace.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: NamespaceSpec? = nil,
        status: NamespaceStatus? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case spec
        case status
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Namespace.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Namespace.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(NamespaceSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(NamespaceStatus.self, forKey: .status)
    }
}

/// The spec of a namespace.
public struct NamespaceSpec: Codable, Hashable, Sendable {
    /// Finalizers run before the namespace is removed.
    public var finalizers: [String]?

    /// Creates a value; every optional field defaults to absent.
    public init(finalizers: [String]? = nil) {
        self.finalizers = finalizers
    }
}

/// The observed state of a namespace.
public struct NamespaceStatus: Codable, Hashable, Sendable {
    /// `Active` or `Terminating`.
    public var phase: String?
    /// Conditions, kept raw.
    public var conditions: [JSONValue]?

    /// Creates a value; every optional field defaults to absent.
    public init(phase: String? = nil, conditions: [JSONValue]? = nil) {
        self.phase = phase
        self.conditions = conditions
    }
}
