/// A condition of a workload controller object:
/// the shape shared by apps/v1 `DeploymentCondition`, `ReplicaSetCondition` and `StatefulSetCondition`.
public struct WorkloadCondition: Codable, Hashable, Sendable {
    /// The condition type, e.g. `Available`, `Progressing`, `ReplicaFailure`.
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: ConditionStatus
    /// When the condition was last updated (deployments only).
    public var lastUpdateTime: Time?
    /// When `status` last changed.
    public var lastTransitionTime: Time?
    /// A CamelCase reason for the last transition.
    public var reason: String?
    /// A human-readable message.
    public var message: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        type: String,
        status: ConditionStatus,
        lastUpdateTime: Time? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastUpdateTime = lastUpdateTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
