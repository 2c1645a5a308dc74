/// The `scale` subresource of a scalable object (autoscaling/v1 `Scale`).
public struct Scale: Codable, Hashable, Sendable {
    /// `autoscaling/v1`.
    public var apiVersion: String?
    /// `Scale`.
    public var kind: String?
    /// The metadata of the scaled object.
    public var metadata: ObjectMeta
    /// The desired replica count.
    public var spec: ScaleSpec?
    /// The observed replica count.
    public var status: ScaleStatus?

    /// Creates a value; every optional field defaults to absent.
    public init(
        apiVersion: String? = Scale.apiVersion,
        kind: String? = Scale.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: ScaleSpec? = nil,
        status: ScaleStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Scale.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Scale.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(ScaleSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(ScaleStatus.self, forKey: .status)
    }

    /// `autoscaling/v1`.
    public static let apiVersion = "autoscaling/v1"
    /// `Scale`.
    public static let kind = "Scale"
}

/// The desired state of a scale subresource.
public struct ScaleSpec: Codable, Hashable, Sendable {
    /// The desired number of replicas.
    public var replicas: Int?

    /// Creates a value; every optional field defaults to absent.
    public init(replicas: Int? = nil) {
        self.replicas = replicas
    }
}

/// The observed state of a scale subresource.
public struct ScaleStatus: Codable, Hashable, Sendable {
    /// The actual number of replicas.
    public var replicas: Int
    /// The pods' label selector, in query-string syntax.
    public var selector: String?

    /// Creates a value; every optional field defaults to absent.
    public init(replicas: Int = 0, selector: String? = nil) {
        self.replicas = replicas
        self.selector = selector
    }

    private enum CodingKeys: String, CodingKey {
        case replicas
        case selector
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.replicas = try c.decodeIfPresent(Int.self, forKey: .replicas) ?? 0
        self.selector = try c.decodeIfPresent(String.self, forKey: .selector)
    }
}
