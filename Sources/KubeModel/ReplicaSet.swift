/// A set of interchangeable pods kept at a count (apps/v1 `ReplicaSet`).
public struct ReplicaSet: KubernetesObject, Hashable, HasStatus, Scalable {
    public static let group = "apps"
    public static let version = "v1"
    public static let kind = "ReplicaSet"
    public static let plural = "replicasets"
    public static let isNamespaced = true

    /// The API version; `apps/v1`.
    public var apiVersion: String?
    /// The kind; `ReplicaSet`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: ReplicaSetSpec?
    /// The observed state.
    public var status: ReplicaSetStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = ReplicaSet.apiVersion,
        kind: String? = ReplicaSet.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: ReplicaSetSpec? = nil,
        status: ReplicaSetStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? ReplicaSet.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ReplicaSet.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(ReplicaSetSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(ReplicaSetStatus.self, forKey: .status)
    }
}

/// The desired state of a replica set.
public struct ReplicaSetSpec: Codable, Hashable, Sendable {
    /// The desired number of pods (default 1).
    public var replicas: Int?
    /// Seconds a pod must be ready before it counts as available.
    public var minReadySeconds: Int?
    /// Selects the pods; must match the template's labels.
    public var selector: LabelSelector
    /// The pods to create.
    public var template: PodTemplateSpec?

    /// Creates a value; every optional field defaults to absent.
    public init(
        replicas: Int? = nil,
        minReadySeconds: Int? = nil,
        selector: LabelSelector,
        template: PodTemplateSpec? = nil
    ) {
        self.replicas = replicas
        self.minReadySeconds = minReadySeconds
        self.selector = selector
        self.template = template
    }
}

/// The observed state of a replica set.
public struct ReplicaSetStatus: Codable, Hashable, Sendable {
    /// Pods that exist.
    public var replicas: Int
    /// Pods whose labels match the template's.
    public var fullyLabeledReplicas: Int?
    /// Pods with a Ready condition.
    public var readyReplicas: Int?
    /// Pods ready for at least `minReadySeconds`.
    public var availableReplicas: Int?
    /// Pods being deleted.
    public var terminatingReplicas: Int?
    /// The generation last acted on by the controller.
    public var observedGeneration: Int64?
    /// Conditions of the set.
    public var conditions: [WorkloadCondition]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        replicas: Int = 0,
        fullyLabeledReplicas: Int? = nil,
        readyReplicas: Int? = nil,
        availableReplicas: Int? = nil,
        terminatingReplicas: Int? = nil,
        observedGeneration: Int64? = nil,
        conditions: [WorkloadCondition]? = nil
    ) {
        self.replicas = replicas
        self.fullyLabeledReplicas = fullyLabeledReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.terminatingReplicas = terminatingReplicas
        self.observedGeneration = observedGeneration
        self.conditions = conditions
    }

    private enum CodingKeys: String, CodingKey {
        case replicas
        case fullyLabeledReplicas
        case readyReplicas
        case availableReplicas
        case terminatingReplicas
        case observedGeneration
        case conditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.replicas = try c.decodeIfPresent(Int.self, forKey: .replicas) ?? 0
        self.fullyLabeledReplicas = try c.decodeIfPresent(Int.self, forKey: .fullyLabeledReplicas)
        self.readyReplicas = try c.decodeIfPresent(Int.self, forKey: .readyReplicas)
        self.availableReplicas = try c.decodeIfPresent(Int.self, forKey: .availableReplicas)
        self.terminatingReplicas = try c.decodeIfPresent(Int.self, forKey: .terminatingReplicas)
        self.observedGeneration = try c.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        self.conditions = try c.decodeIfPresent([WorkloadCondition].self, forKey: .conditions)
    }
}
