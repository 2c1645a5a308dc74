/// The `StatefulMigration` spec fields a `MigrationPolicy` stamps on each child it creates. The planner fills
/// in `sourcePod` and `targetNode`; the pod's override annotations (`PodOverrideAnnotation`) replace single
/// fields, so one policy serves many apps.
///
/// Secret references name Secrets in the child's (the pod's) namespace, so each namespace the policy covers
/// needs its own copy.
public struct MigrationTemplate: Codable, Sendable, Hashable {
    /// The container to checkpoint; may be omitted for single-container pods.
    public var containerName: String?
    /// Where checkpoint images are pushed (see `StatefulMigrationSpec.checkpointImageRepository`).
    public var checkpointImageRepository: String?
    /// The hard upper bound on replay, in seconds.
    public var replayCutoffSeconds: Int32?
    /// `ShadowPod`, `Sequential`, or empty to choose by owner.
    public var migrationStrategy: String?
    /// The workload's broker, queue and fan-out exchange.
    public var messageQueueConfig: MessageQueueConfig?
    /// How the checkpoint travels: `Registry` or empty.
    public var transferMode: String?
    /// How replay ends: `Cutoff`, `Drain` or empty.
    public var replayMode: String?
    /// The reference's identity-swap setting (accepted, not used by ms2m).
    public var identitySwapMode: String?
    /// Broker credentials from a Secret in the pod's namespace.
    public var brokerCredentialsSecretRef: BrokerCredentialsSecretReference?
    /// Registry credentials from a Secret in the pod's namespace.
    public var registryCredentialsSecretRef: SecretNameReference?
    /// Registry transport options.
    public var registry: RegistryOptions?
    /// Keep the checkpoint image after success.
    public var keepCheckpointImage: Bool?
    /// Per-phase time limits in seconds.
    public var phaseTimeouts: PhaseTimeouts?
    /// Grace period for deleting the source pod (Sequential), in seconds.
    public var sourceDeletionGracePeriodSeconds: Int64?
    /// Restore retries once the source is gone, and what a failed restore leaves.
    public var restore: RestorePolicy?

    /// Creates a template.
    public init(
        containerName: String? = nil, checkpointImageRepository: String? = nil, replayCutoffSeconds: Int32? = nil,
        migrationStrategy: String? = nil, messageQueueConfig: MessageQueueConfig? = nil
    ) {
        self.containerName = containerName
        self.checkpointImageRepository = checkpointImageRepository
        self.replayCutoffSeconds = replayCutoffSeconds
        self.migrationStrategy = migrationStrategy
        self.messageQueueConfig = messageQueueConfig
    }

    /// The spec of the child that moves `sourcePod` to `targetNode`: this template, with each field named by
    /// an override annotation in `podAnnotations` replaced by the annotation's value. An override whose value
    /// cannot be used (a cutoff that is not a whole number of seconds from 1 to 3600, the CRD's range) is ignored and reported in `rejected`.
    public func migrationSpec(
        sourcePod: String, targetNode: String?, podAnnotations: [String: String]
    ) -> (spec: StatefulMigrationSpec, rejected: [String]) {
        var spec = StatefulMigrationSpec(
            sourcePod: sourcePod, containerName: containerName, targetNode: targetNode,
            checkpointImageRepository: checkpointImageRepository, replayCutoffSeconds: replayCutoffSeconds,
            migrationStrategy: migrationStrategy, messageQueueConfig: messageQueueConfig)
        spec.transferMode = transferMode
        spec.replayMode = replayMode
        spec.identitySwapMode = identitySwapMode
        spec.brokerCredentialsSecretRef = brokerCredentialsSecretRef
        spec.registryCredentialsSecretRef = registryCredentialsSecretRef
        spec.registry = registry
        spec.keepCheckpointImage = keepCheckpointImage
        spec.phaseTimeouts = phaseTimeouts
        spec.sourceDeletionGracePeriodSeconds = sourceDeletionGracePeriodSeconds
        spec.restore = restore

        var rejected: [String] = []
        func queueConfig(_ change: (inout MessageQueueConfig) -> Void) {
            var config = spec.messageQueueConfig ?? MessageQueueConfig()
            change(&config)
            spec.messageQueueConfig = config
        }
        for key in PodOverrideAnnotation.allKeys.sorted() {
            guard let value = podAnnotations[key] else { continue }
            switch key {
            case PodOverrideAnnotation.containerName: spec.containerName = value
            case PodOverrideAnnotation.queueName: queueConfig { $0.queueName = value }
            case PodOverrideAnnotation.exchangeName: queueConfig { $0.exchangeName = value }
            case PodOverrideAnnotation.routingKey: queueConfig { $0.routingKey = value }
            case PodOverrideAnnotation.migrationStrategy: spec.migrationStrategy = value
            case PodOverrideAnnotation.replayCutoffSeconds:
                if let seconds = Int32(value), (1...3600).contains(seconds) {
                    spec.replayCutoffSeconds = seconds
                } else {
                    rejected.append(key)
                }
            default: break
            }
        }
        return (spec, rejected)
    }
}
