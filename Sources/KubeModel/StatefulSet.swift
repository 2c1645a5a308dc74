/// A set of pods with stable names and storage, created in order (apps/v1 `StatefulSet`).
public struct StatefulSet: KubernetesObject, Hashable, HasStatus, Scalable {
    public static let group = "apps"
    public static let version = "v1"
    public static let kind = "StatefulSet"
    public static let plural = "statefulsets"
    public static let isNamespaced = true

    /// The API version; `apps/v1`.
    public var apiVersion: String?
    /// The kind; `StatefulSet`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: StatefulSetSpec?
    /// The observed state.
    public var status: StatefulSetStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = StatefulSet.apiVersion,
        kind: String? = StatefulSet.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: StatefulSetSpec? = nil,
        status: StatefulSetStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? StatefulSet.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? StatefulSet.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(StatefulSetSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(StatefulSetStatus.self, forKey: .status)
    }
}
