public import Unstructured

/// A request for storage by a pod (core/v1 `PersistentVolumeClaim`).
public struct PersistentVolumeClaim: KubernetesObject, Hashable, HasStatus {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "PersistentVolumeClaim"
    public static let plural = "persistentvolumeclaims"
    public static let isNamespaced = true

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `PersistentVolumeClaim`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The requested storage.
    public var spec: PersistentVolumeClaimSpec?
    /// The observed state.
    public var status: PersistentVolumeClaimStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = PersistentVolumeClaim.apiVersion,
        kind: String? = PersistentVolumeClaim.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: PersistentVolumeClaimSpec? = nil,
        status: PersistentVolumeClaimStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? PersistentVolumeClaim.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? PersistentVolumeClaim.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(PersistentVolumeClaimSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(PersistentVolumeClaimStatus.self, forKey: .status)
    }
}

/// The storage a claim requests.
public struct PersistentVolumeClaimSpec: Codable, Hashable, Sendable {
    /// `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany`, `ReadWriteOncePod`.
    public var accessModes: [String]?
    /// Selects existing volumes to bind to.
    public var selector: LabelSelector?
    /// The requested size (`requests.storage`).
    public var resources: VolumeResourceRequirements?
    /// The volume bound to the claim.
    public var volumeName: String?
    /// The storage class; empty string means no class.
    public var storageClassName: String?
    /// `Filesystem` (default) or `Block`.
    public var volumeMode: String?
    /// A source to populate the volume from, kept raw.
    public var dataSource: JSONValue?
    /// A populator object, kept raw.
    public var dataSourceRef: JSONValue?
    /// The volume attributes class.
    public var volumeAttributesClassName: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        accessModes: [String]? = nil,
        selector: LabelSelector? = nil,
        resources: VolumeResourceRequirements? = nil,
        volumeName: String? = nil,
        storageClassName: String? = nil,
        volumeMode: String? = nil,
        dataSource: JSONValue? = nil,
        dataSourceRef: JSONValue? = nil,
        volumeAttributesClassName: String? = nil
    ) {
        self.accessModes = accessModes
        self.selector = selector
        self.resources = resources
        self.volumeName = volumeName
        self.storageClassName = storageClassName
        self.volumeMode = volumeMode
        self.dataSource = dataSource
        self.dataSourceRef = dataSourceRef
        self.volumeAttributesClassName = volumeAttributesClassName
    }
}

/// The storage resources of a claim.
public struct VolumeResourceRequirements: Codable, Hashable, Sendable {
    /// The minimum resources, e.g. `storage: 10Gi`.
    public var requests: [String: Quantity]?
    /// The maximum resources.
    public var limits: [String: Quantity]?

    /// Creates a value; every optional field defaults to absent.
    public init(requests: [String: Quantity]? = nil, limits: [String: Quantity]? = nil) {
        self.requests = requests
        self.limits = limits
    }
}

/// The observed state of a claim.
public struct PersistentVolumeClaimStatus: Codable, Hashable, Sendable {
    /// `Pending`, `Bound` or `Lost`.
    public var phase: String?
    /// The access modes of the bound volume.
    public var accessModes: [String]?
    /// The capacity of the bound volume.
    public var capacity: [String: Quantity]?
    /// Conditions (resizing, …), kept raw.
    public var conditions: [JSONValue]?
    /// Resources allocated for resizing.
    public var allocatedResources: [String: Quantity]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        phase: String? = nil,
        accessModes: [String]? = nil,
        capacity: [String: Quantity]? = nil,
        conditions: [JSONValue]? = nil,
        allocatedResources: [String: Quantity]? = nil
    ) {
        self.phase = phase
        self.accessModes = accessModes
        self.capacity = capacity
        self.conditions = conditions
        self.allocatedResources = allocatedResources
    }
}
