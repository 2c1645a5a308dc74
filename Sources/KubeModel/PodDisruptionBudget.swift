/// A limit on voluntary disruptions (evictions) of a set of pods (policy/v1 `PodDisruptionBudget`).
public struct PodDisruptionBudget: KubernetesObject, Hashable, HasStatus {
    public static let group = "policy"
    public static let version = "v1"
    public static let kind = "PodDisruptionBudget"
    public static let plural = "poddisruptionbudgets"
    public static let isNamespaced = true

    /// The API version; `policy/v1`.
    public var apiVersion: String?
    /// The kind; `PodDisruptionBudget`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The budget.
    public var spec: PodDisruptionBudgetSpec?
    /// The observed state.
    public var status: PodDisruptionBudgetStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = PodDisruptionBudget.apiVersion,
        kind: String? = PodDisruptionBudget.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: PodDisruptionBudgetSpec? = nil,
        status: PodDisruptionBudgetStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? PodDisruptionBudget.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? PodDisruptionBudget.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(PodDisruptionBudgetSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(PodDisruptionBudgetStatus.self, forKey: .status)
    }
}

/// The desired budget of a PodDisruptionBudget.
public struct PodDisruptionBudgetSpec: Codable, Hashable, Sendable {
    /// Pods (or percentage) that must stay available.
    public var minAvailable: IntOrString?
    /// Pods (or percentage) that may be unavailable.
    public var maxUnavailable: IntOrString?
    /// The pods covered; an empty selector covers every pod in the namespace.
    public var selector: LabelSelector?
    /// `IfHealthyBudget` (default) or `AlwaysAllow`.
    public var unhealthyPodEvictionPolicy: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        minAvailable: IntOrString? = nil,
        maxUnavailable: IntOrString? = nil,
        selector: LabelSelector? = nil,
        unhealthyPodEvictionPolicy: String? = nil
    ) {
        self.minAvailable = minAvailable
        self.maxUnavailable = maxUnavailable
        self.selector = selector
        self.unhealthyPodEvictionPolicy = unhealthyPodEvictionPolicy
    }
}

/// The observed state of a PodDisruptionBudget.
public struct PodDisruptionBudgetStatus: Codable, Hashable, Sendable {
    /// The generation this status reflects.
    public var observedGeneration: Int64?
    /// Pods being evicted, not yet gone, with the eviction time.
    public var disruptedPods: [String: Time]?
    /// Evictions currently allowed.
    public var disruptionsAllowed: Int
    /// Healthy pods now.
    public var currentHealthy: Int
    /// Healthy pods required.
    public var desiredHealthy: Int
    /// Pods counted by the budget.
    public var expectedPods: Int
    /// Conditions: `DisruptionAllowed`.
    public var conditions: [Condition]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        observedGeneration: Int64? = nil,
        disruptedPods: [String: Time]? = nil,
        disruptionsAllowed: Int = 0,
        currentHealthy: Int = 0,
        desiredHealthy: Int = 0,
        expectedPods: Int = 0,
        conditions: [Condition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.disruptedPods = disruptedPods
        self.disruptionsAllowed = disruptionsAllowed
        self.currentHealthy = currentHealthy
        self.desiredHealthy = desiredHealthy
        self.expectedPods = expectedPods
        self.conditions = conditions
    }

    private enum CodingKeys: String, CodingKey {
        case observedGeneration
        case disruptedPods
        case disruptionsAllowed
        case currentHealthy
        case desiredHealthy
        case expectedPods
        case conditions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.observedGeneration = try c.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        self.disruptedPods = try c.decodeIfPresent([String: Time].self, forKey: .disruptedPods)
        self.disruptionsAllowed = try c.decodeIfPresent(Int.self, forKey: .disruptionsAllowed) ?? 0
        self.currentHealthy = try c.decodeIfPresent(Int.self, forKey: .currentHealthy) ?? 0
        self.desiredHealthy = try c.decodeIfPresent(Int.self, forKey: .desiredHealthy) ?? 0
        self.expectedPods = try c.decodeIfPresent(Int.self, forKey: .expectedPods) ?? 0
        self.conditions = try c.decodeIfPresent([Condition].self, forKey: .conditions)
    }
}
