public import Unstructured

/// Declarative rollouts of replica sets (apps/v1 `Deployment`).
public struct Deployment: KubernetesObject, Hashable, HasStatus, Scalable {
    public static let group = "apps"
    public static let version = "v1"
    public static let kind = "Deployment"
    public static let plural = "deployments"
    public static let isNamespaced = true

    /// The API version; `apps/v1`.
    public var apiVersion: String?
    /// The kind; `Deployment`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: DeploymentSpec?
    /// The observed state.
    public var status: DeploymentStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Deployment.apiVersion,
        kind: String? = Deployment.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: DeploymentSpec? = nil,
        status: DeploymentStatus? = nil
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
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Deployment.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Deployment.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(DeploymentSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(DeploymentStatus.self, forKey: .status)
    }
}

/// The desired state of a deployment.
public struct DeploymentSpec: Codable, Hashable, Sendable {
    /// The desired number of pods (default 1).
    public var replicas: Int?
    /// Selects the pods; must match the template's labels.
    public var selector: LabelSelector
    /// The pods to create.
    public var template: PodTemplateSpec
    /// `Recreate` or `RollingUpdate` with its parameters, kept raw.
    public var strategy: JSONValue?
    /// Seconds a pod must be ready before it counts as available.
    public var minReadySeconds: Int?
    /// How many old replica sets to keep.
    public var revisionHistoryLimit: Int?
    /// Whether rollouts are paused.
    public var paused: Bool?
    /// Seconds before a stalled rollout is reported as failed.
    public var progressDeadlineSeconds: Int?

    /// Creates a value; every optional field defaults to absent.
    public init(
        replicas: Int? = nil,
        selector: LabelSelector,
        template: PodTemplateSpec,
        strategy: JSONValue? = nil,
        minReadySeconds: Int? = nil,
        revisionHistoryLimit: Int? = nil,
        paused: Bool? = nil,
        progressDeadlineSeconds: Int? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
        self.minReadySeconds = minReadySeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.paused = paused
        self.progressDeadlineSeconds = progressDeadlineSeconds
    }
}

/// The observed state of a deployment.
public struct DeploymentStatus: Codable, Hashable, Sendable {
    /// The generation last acted on by the controller.
    public var observedGeneration: Int64?
    /// Pods targeted by the deployment.
    public var replicas: Int?
    /// Pods at the current template.
    public var updatedReplicas: Int?
    /// Pods with a Ready condition.
    public var readyReplicas: Int?
    /// Pods available for at least `minReadySeconds`.
    public var availableReplicas: Int?
    /// Pods still needed for 100% availability.
    public var unavailableReplicas: Int?
    /// Pods being deleted.
    public var terminatingReplicas: Int?
    /// Conditions: `Available`, `Progressing`, `ReplicaFailure`.
    public var conditions: [WorkloadCondition]?
    /// Hash collisions of replica set names.
    public var collisionCount: Int?

    /// Creates a value; every optional field defaults to absent.
    public init(
        observedGeneration: Int64? = nil,
        replicas: Int? = nil,
        updatedReplicas: Int? = nil,
        readyReplicas: Int? = nil,
        availableReplicas: Int? = nil,
        unavailableReplicas: Int? = nil,
        terminatingReplicas: Int? = nil,
        conditions: [WorkloadCondition]? = nil,
        collisionCount: Int? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.terminatingReplicas = terminatingReplicas
        self.conditions = conditions
        self.collisionCount = collisionCount
    }
}
