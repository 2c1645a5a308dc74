public import Unstructured

/// A piece of storage in the cluster (core/v1 `PersistentVolume`), as the operator reads it: which claim it is
/// bound to, how it may be mounted and where it can be reached (`nodeAffinity`). The volume source (`csi`,
/// `local`, …) is kept raw. The operator never writes PersistentVolumes.
public struct PersistentVolume: KubernetesObject, Hashable, HasStatus {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "PersistentVolume"
    public static let plural = "persistentvolumes"
    public static let isNamespaced = false

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `PersistentVolume`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The volume's description.
    public var spec: PersistentVolumeSpec?
    /// The observed state, kept raw (`phase`, `message`, `reason`).
    public var status: JSONValue?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = PersistentVolume.apiVersion, kind: String? = PersistentVolume.kind,
        metadata: ObjectMeta = ObjectMeta(), spec: PersistentVolumeSpec? = nil, status: JSONValue? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? PersistentVolume.apiVersion
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? PersistentVolume.kind
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(PersistentVolumeSpec.self, forKey: .spec)
        status = try c.decodeIfPresent(JSONValue.self, forKey: .status)
    }
}

/// What a PersistentVolume is and where it can be used.
public struct PersistentVolumeSpec: Codable, Hashable, Sendable {
    /// `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany`, `ReadWriteOncePod`.
    public var accessModes: [String]?
    /// The nodes the volume can be reached from (`required` node selector): a local volume's node, a zonal
    /// disk's zone.
    public var nodeAffinity: VolumeNodeAffinity?
    /// The claim bound to the volume, kept raw (`namespace`, `name`, `uid`).
    public var claimRef: JSONValue?
    /// The storage class.
    public var storageClassName: String?
    /// The capacity, e.g. `storage: 10Gi`.
    public var capacity: [String: Quantity]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        accessModes: [String]? = nil, nodeAffinity: VolumeNodeAffinity? = nil, claimRef: JSONValue? = nil,
        storageClassName: String? = nil, capacity: [String: Quantity]? = nil
    ) {
        self.accessModes = accessModes
        self.nodeAffinity = nodeAffinity
        self.claimRef = claimRef
        self.storageClassName = storageClassName
        self.capacity = capacity
    }
}

/// The nodes a volume can be reached from.
public struct VolumeNodeAffinity: Codable, Hashable, Sendable {
    /// A node must match one of its terms.
    public var required: NodeSelector?

    /// Creates a value.
    public init(required: NodeSelector? = nil) { self.required = required }
}
