public import Unstructured

/// Limits on aggregate resource use in a namespace (core/v1 `ResourceQuota`).
public struct ResourceQuota: KubernetesObject, Hashable, HasStatus {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "ResourceQuota"
    public static let plural = "resourcequotas"
    public static let isNamespaced = true

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `ResourceQuota`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The limits.
    public var spec: ResourceQuotaSpec?
    /// The enforced limits and current use.
    public var status: ResourceQuotaStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = ResourceQuota.apiVersion,
        kind: String? = ResourceQuota.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: ResourceQuotaSpec? = nil,
        status: ResourceQuotaStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ResourceQuota.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ResourceQuota.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(ResourceQuotaSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(ResourceQuotaStatus.self, forKey: .status)
    }
}

/// The limits of a resource quota.
public struct ResourceQuotaSpec: Codable, Hashable, Sendable {
    /// Limits per resource name, e.g. `requests.cpu`, `pods`.
    public var hard: [String: Quantity]?
    /// Scopes that restrict which objects count.
    public var scopes: [String]?
    /// A selector over scopes, kept raw.
    public var scopeSelector: JSONValue?

    /// Creates a value; every optional field defaults to absent.
    public init(hard: [String: Quantity]? = nil, scopes: [String]? = nil, scopeSelector: JSONValue? = nil) {
        self.hard = hard
        self.scopes = scopes
        self.scopeSelector = scopeSelector
    }
}

/// The state of a resource quota.
public struct ResourceQuotaStatus: Codable, Hashable, Sendable {
    /// The enforced limits.
    public var hard: [String: Quantity]?
    /// The current use.
    public var used: [String: Quantity]?

    /// Creates a value; every optional field defaults to absent.
    public init(hard: [String: Quantity]? = nil, used: [String: Quantity]? = nil) {
        self.hard = hard
        self.used = used
    }
}
