/// The observed state of a stateful set (apps/v1 `StatefulSetStatus`).
public struct StatefulSetStatus: Codable, Hashable, Sendable {
    /// The generation last acted on by the controller.
    public var observedGeneration: Int64?
    /// Pods created.
    public var replicas: Int
    /// Pods with a Ready condition.
    public var readyReplicas: Int?
    /// Pods at `currentRevision`.
    public var currentReplicas: Int?
    /// Pods at `updateRevision`.
    public var updatedReplicas: Int?
    /// Pods ready for at least `minReadySeconds`.
    public var availableReplicas: Int?
    /// The revision of the pods at ordinals below the partition.
    public var currentRevision: String?
    /// The revision being rolled out.
    public var updateRevision: String?
    /// Hash collisions of revision names.
    public var collisionCount: Int?
    /// Conditions of the set.
    public var conditions: [WorkloadCondition]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        observedGeneration: Int64? = nil,
        replicas: Int = 0,
        readyReplicas: Int? = nil,
        currentReplicas: Int? = nil,
        updatedReplicas: Int? = nil,
        availableReplicas: Int? = nil,
        currentRevision: String? = nil,
        updateRevision: String? = nil,
        collisionCount: Int? = nil,
        conditions: [WorkloadCondition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.currentReplicas = currentReplicas
        self.updatedReplicas = updatedReplicas
        self.availableReplicas = availableReplicas
        self.currentRevision = currentRevision
        self.updateRevision = updateRevision
        self.collisionCount = collisionCount
        self.conditions = conditions
    }

    private enum CodingKeys: String, CodingKey {
        case observedGeneration
        case replicas
        case readyReplicas
        case currentReplicas
        case updatedReplicas
        case availableReplicas
        case currentRevision
        case updateRevision
        case collisionCount
        case conditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.observedGeneration = try c.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        self.replicas = try c.decodeIfPresent(Int.self, forKey: .replicas) ?? 0
        self.readyReplicas = try c.decodeIfPresent(Int.self, forKey: .readyReplicas)
        self.currentReplicas = try c.decodeIfPresent(Int.self, forKey: .currentReplicas)
        self.updatedReplicas = try c.decodeIfPresent(Int.self, forKey: .updatedReplicas)
        self.availableReplicas = try c.decodeIfPresent(Int.self, forKey: .availableReplicas)
        self.currentRevision = try c.decodeIfPresent(String.self, forKey: .currentRevision)
        self.updateRevision = try c.decodeIfPresent(String.self, forKey: .updateRevision)
        self.collisionCount = try c.decodeIfPresent(Int.self, forKey: .collisionCount)
        self.conditions = try c.decodeIfPresent([WorkloadCondition].self, forKey: .conditions)
    }
}
