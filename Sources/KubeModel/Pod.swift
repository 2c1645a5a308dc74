/// A pod: one or more containers scheduled together on a node (core/v1 `Pod`).
public struct Pod: KubernetesObject, Hashable, HasStatus, Evictable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Pod"
    public static let plural = "pods"
    public static let isNamespaced = true

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `Pod`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: PodSpec?
    /// The observed state.
    public var status: PodStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Pod.apiVersion,
        kind: String? = Pod.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: PodSpec? = nil,
        status: PodStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Pod.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Pod.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(PodSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(PodStatus.self, forKey: .status)
    }

    /// Whether the pod's `Ready` condition is `True`.
    public var isReady: Bool {
        status?.conditions?.first { $0.type == .ready }?.status == .true
    }

    /// Whether the pod has finished for good (phase `Succeeded` or `Failed`).
    public var isTerminal: Bool {
        status?.phase == .succeeded || status?.phase == .failed
    }

    /// The resources the scheduler reserves for the pod; see `PodSpec.totalRequests`.
    public var totalRequests: [String: Quantity] { spec?.totalRequests ?? [:] }
}
