/// A worker machine of the cluster (core/v1 `Node`).
public struct Node: KubernetesObject, Hashable, HasStatus {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Node"
    public static let plural = "nodes"
    public static let isNamespaced = false

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `Node`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The node's configuration.
    public var spec: NodeSpec?
    /// The node's observed state.
    public var status: NodeStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Node.apiVersion,
        kind: String? = Node.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: NodeSpec? = nil,
        status: NodeStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Node.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Node.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(NodeSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(NodeStatus.self, forKey: .status)
    }

    /// Whether the node's `Ready` condition is `True`.
    public var isReady: Bool {
        status?.conditions?.first { $0.type == .ready }?.status == .true
    }

    /// Whether the node is cordoned (`spec.unschedulable`).
    public var isUnschedulable: Bool { spec?.unschedulable ?? false }

    /// The node's taints.
    public var taints: [Taint] { spec?.taints ?? [] }

    /// The fields node selector `matchFields` can test: `metadata.name`.
    public var selectableFields: [String: String] {
        metadata.name.map { ["metadata.name": $0] } ?? [:]
    }

    /// The first address of the given type (`InternalIP`, `Hostname`, …).
    public func address(ofType type: String) -> String? {
        status?.addresses?.first { $0.type == type }?.address
    }
}
