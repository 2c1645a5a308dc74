public import KubeModel
public import Unstructured

/// One live migration of a stateful pod to another node by the MS2M method (`migration.ms2m.io/v1alpha1`
/// `StatefulMigration`, namespaced, short name `smig`).
///
/// The spec is field-compatible with the reference MS2M controller's resource, so its users' manifests apply
/// unchanged; the additions are optional. The status records every phase's outcome, so the engine can resume
/// after a crash from the status alone.
public struct StatefulMigration: KubernetesObject, HasStatus, Hashable {
    public static let group = "migration.ms2m.io"
    public static let version = "v1alpha1"
    public static let kind = "StatefulMigration"
    public static let plural = "statefulmigrations"
    public static let isNamespaced = true

    /// The API version; `migration.ms2m.io/v1alpha1`.
    public var apiVersion: String?
    /// The kind; `StatefulMigration`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// What to migrate, where, and how.
    public var spec: StatefulMigrationSpec
    /// How far the migration got.
    public var status: StatefulMigrationStatus?

    /// Creates a migration; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = StatefulMigration.apiVersion, kind: String? = StatefulMigration.kind,
        metadata: ObjectMeta = ObjectMeta(), spec: StatefulMigrationSpec, status: StatefulMigrationStatus? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Self.apiVersion
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Self.kind
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(StatefulMigrationSpec.self, forKey: .spec) ?? StatefulMigrationSpec(sourcePod: "")
        status = try c.decodeIfPresent(StatefulMigrationStatus.self, forKey: .status)
    }
}

/// How the target pod comes to exist beside, or instead of, the source.
public enum MigrationStrategy: String, Codable, Sendable, Hashable, CaseIterable {
    /// The target is created beside the running source as `<source>-shadow`; the source serves until
    /// Finalizing. For pods not owned by a StatefulSet.
    case shadowPod = "ShadowPod"
    /// The source is removed first and the target takes its name: for StatefulSet pods, whose identity cannot
    /// exist twice.
    case sequential = "Sequential"
}

/// What the user asks for. Field names and meanings follow the reference MS2M controller.
public struct StatefulMigrationSpec: Codable, Sendable, Hashable {
    /// The pod to migrate, in the migration's namespace. Required.
    public var sourcePod: String
    /// The container to checkpoint; may be omitted when the pod has one container.
    public var containerName: String?
    /// The node to move to; when empty the engine picks a node the pod fits on.
    public var targetNode: String?
    /// Where checkpoint images are pushed: `registry/repository` (the image is tagged per migration), or
    /// `oci:<directory>` for an OCI image-layout directory (simulation only).
    public var checkpointImageRepository: String?
    /// The hard upper bound, in seconds, on the replay phase (the reference's cutoff).
    public var replayCutoffSeconds: Int32?
    /// `ShadowPod` or `Sequential`; empty picks Sequential for StatefulSet pods, else ShadowPod.
    public var migrationStrategy: String?
    /// The workload's broker, queue and fan-out exchange.
    public var messageQueueConfig: MessageQueueConfig?
    /// How the checkpoint travels (the reference's later field): `Registry` (the default and the only mode
    /// ms2m implements).
    public var transferMode: String?
    /// How replay ends (the reference's later field): `Cutoff` (the default: drained or cut off) or `Drain`
    /// (drained, bounded only by the phase timeout).
    public var replayMode: String?
    /// The reference's identity-swap setting for Deployment pods. Accepted so its manifests apply unchanged;
    /// ms2m does not use it (Sequential keeps a StatefulSet pod's identity by construction) and says so in an
    /// event when it is set.
    public var identitySwapMode: String?

    // MARK: ms2m additions (all optional)

    /// Broker credentials from a Secret, so no password sits in `brokerUrl`.
    public var brokerCredentialsSecretRef: BrokerCredentialsSecretReference?
    /// A `kubernetes.io/dockerconfigjson` Secret (in the migration's namespace) the transfer Job pushes with
    /// and, for deletion, the engine authenticates with.
    public var registryCredentialsSecretRef: SecretNameReference?
    /// Registry transport options for the transfer Job.
    public var registry: RegistryOptions?
    /// Keep the checkpoint image after a successful migration (default: delete it).
    public var keepCheckpointImage: Bool?
    /// Per-phase time limits in seconds; a phase that runs over fails the migration (and rolls back).
    public var phaseTimeouts: PhaseTimeouts?
    /// Grace period for deleting the source pod once its state is in the checkpoint (Sequential), in seconds.
    /// Default 5.
    public var sourceDeletionGracePeriodSeconds: Int64?
    /// How a restore is retried once the source is gone, and what a restore that cannot succeed leaves
    /// (ms2m; the reference has no equivalent).
    public var restore: RestorePolicy?

    /// Creates a spec.
    public init(
        sourcePod: String, containerName: String? = nil, targetNode: String? = nil,
        checkpointImageRepository: String? = nil, replayCutoffSeconds: Int32? = nil,
        migrationStrategy: String? = nil, messageQueueConfig: MessageQueueConfig? = nil
    ) {
        self.sourcePod = sourcePod
        self.containerName = containerName
        self.targetNode = targetNode
        self.checkpointImageRepository = checkpointImageRepository
        self.replayCutoffSeconds = replayCutoffSeconds
        self.migrationStrategy = migrationStrategy
        self.messageQueueConfig = messageQueueConfig
    }
}

/// The workload's messaging, as the reference names it.
public struct MessageQueueConfig: Codable, Sendable, Hashable {
    /// The primary queue the consumer reads.
    public var queueName: String?
    /// `amqp://` or `amqps://` URL of the broker.
    public var brokerUrl: String?
    /// The fan-out exchange producers publish to; the engine binds the replay queue to it.
    public var exchangeName: String?
    /// The routing key of the primary binding (fan-out exchanges ignore it).
    public var routingKey: String?

    /// Creates a configuration.
    public init(queueName: String? = nil, brokerUrl: String? = nil, exchangeName: String? = nil, routingKey: String? = nil) {
        self.queueName = queueName
        self.brokerUrl = brokerUrl
        self.exchangeName = exchangeName
        self.routingKey = routingKey
    }
}

/// A Secret holding broker credentials.
public struct BrokerCredentialsSecretReference: Codable, Sendable, Hashable {
    /// The Secret's name, in the migration's namespace.
    public var name: String
    /// The key of the user name (default `username`).
    public var usernameKey: String?
    /// The key of the password (default `password`).
    public var passwordKey: String?

    /// Creates a reference.
    public init(name: String, usernameKey: String? = nil, passwordKey: String? = nil) {
        self.name = name
        self.usernameKey = usernameKey
        self.passwordKey = passwordKey
    }
}

/// A Secret in the migration's namespace, by name.
public struct SecretNameReference: Codable, Sendable, Hashable {
    /// The Secret's name.
    public var name: String
    /// Creates a reference.
    public init(name: String) { self.name = name }
}

/// How the transfer Job talks to the registry.
public struct RegistryOptions: Codable, Sendable, Hashable {
    /// Plain HTTP: only for registries explicitly configured as insecure.
    public var insecure: Bool?
    /// Gzip the layer (smaller, slower to produce).
    public var compress: Bool?

    /// Creates options.
    public init(insecure: Bool? = nil, compress: Bool? = nil) {
        self.insecure = insecure
        self.compress = compress
    }
}

/// Time limits per phase, in seconds.
public struct PhaseTimeouts: Codable, Sendable, Hashable {
    /// Validation, target choice and capture (default 60).
    public var pending: Int32?
    /// Capture set-up and the kubelet checkpoint (default 120).
    public var checkpointing: Int32?
    /// The transfer Job (default 600; also its activeDeadlineSeconds).
    public var transferring: Int32?
    /// Creating the target until it is Running and Ready (default 300).
    public var restoring: Int32?
    /// Replay (default: the larger of 600 and the cutoff plus 60).
    public var replaying: Int32?
    /// Source removal, the queue switch and cleanup (default 300).
    public var finalizing: Int32?

    /// Creates limits; nil takes the engine's default for that phase.
    public init(
        pending: Int32? = nil, checkpointing: Int32? = nil, transferring: Int32? = nil, restoring: Int32? = nil,
        replaying: Int32? = nil, finalizing: Int32? = nil
    ) {
        self.pending = pending
        self.checkpointing = checkpointing
        self.transferring = transferring
        self.restoring = restoring
        self.replaying = replaying
        self.finalizing = finalizing
    }
}

/// The phases of a migration, in order; `Completed` and `Failed` are final.
public enum MigrationPhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// Validated, target chosen, source captured; nothing changed in the cluster yet.
    case pending = "Pending"
    /// Capture started (replay queue bound); the kubelet checkpoints the container.
    case checkpointing = "Checkpointing"
    /// A Job pushes the archive as an OCI image.
    case transferring = "Transferring"
    /// The target pod is created from the checkpoint image.
    case restoring = "Restoring"
    /// The target drains the replay queue.
    case replaying = "Replaying"
    /// Source stopped, target switched to the primary queue, leftovers removed.
    case finalizing = "Finalizing"
    /// Done: the workload runs on the target.
    case completed = "Completed"
    /// Failed and rolled back (see the failure reason).
    case failed = "Failed"

    /// Whether nothing more happens in this phase.
    public var isFinal: Bool { self == .completed || self == .failed }
}

/// What the engine has done and learned. Every field a later phase needs is recorded here before the phase
/// that produced it is left, so a restarted operator resumes from the status alone.
public struct StatefulMigrationStatus: Codable, Sendable, Hashable {
    /// The current phase (the reference's string values).
    public var phase: MigrationPhase?
    /// The node the source pod ran on.
    public var sourceNode: String?
    /// The node chosen (from the spec or by the engine).
    public var targetNode: String?
    /// The restored pod's name.
    public var targetPod: String?
    /// The checkpoint archive's path on the source node, as the kubelet returned it.
    public var checkpointID: String?
    /// When the engine first asked the kubelet for the checkpoint (written before the request): archives of
    /// the container written since then belong to this migration, even one whose path was never recorded.
    public var checkpointRequestTime: MicroTime?
    /// The pushed checkpoint image, by digest (`registry/repo@sha256:…`).
    public var checkpointImage: String?
    /// The checkpoint image's manifest digest.
    public var checkpointImageDigest: String?
    /// The container whose messages are replayed (the reference's checkpointed container).
    public var containerName: String?
    /// Every container checkpointed, in the order checkpointed: ``containerName`` first, then the pod's
    /// other running containers (app containers and sidecars). The first entry's archive and image are also
    /// in ``checkpointID`` and ``checkpointImage``, as the reference reports them.
    public var containerCheckpoints: [ContainerCheckpoint]?
    /// How the checkpoint is transferred: by the source node's agent or by a Job, and why a Job when an agent
    /// was tried.
    public var transfer: TransferMethodStatus?
    /// The strategy in effect (`ShadowPod` or `Sequential`).
    public var strategy: MigrationStrategy?
    /// When the migration started (left Pending).
    public var startTime: Time?
    /// When the current phase began (per-phase timeouts count from here).
    public var phaseStartTime: MicroTime?
    /// When it reached Completed or Failed.
    public var completionTime: Time?
    /// Time spent per phase, as Go duration strings (`"1.234s"`), as the reference writes them.
    public var phaseTimings: [String: String]?
    /// Standard conditions (`Ready`, `Progressing`, `Failed`), with observedGeneration.
    public var conditions: [Condition]?
    /// The metadata.generation the status reflects.
    public var observedGeneration: Int64?
    /// Why the migration failed (a CamelCase reason).
    public var failureReason: String?
    /// What failed, for people.
    public var failureMessage: String?
    /// The phase that failed.
    public var failedPhase: MigrationPhase?
    /// Replay figures.
    public var replay: ReplayStatus?
    /// Progress of the rollback after a failure or deletion (effects undone so far).
    public var rollbackSteps: [String]?
    /// The restoring steps already done (Sequential: StatefulSet orphaned, source deleted, target created,
    /// StatefulSet re-created), so a restart resumes where it stopped.
    public var restoringSteps: [String]?
    /// The finalizing steps already done (so a restart does not repeat them).
    public var finalizingSteps: [String]?
    /// The restore attempts made after the source was gone (Sequential).
    public var restore: RestoreStatus?
    /// The state a failed migration kept instead of starting the workload fresh (condition `StateRetained`).
    public var retainedState: RetainedState?

    // MARK: captured from the source pod (as in the reference)

    /// The source pod's UID (the engine refuses to act on a different pod with the same name).
    public var sourcePodUID: String?
    /// The source pod's labels.
    public var sourcePodLabels: [String: String]?
    /// The source pod's containers.
    public var sourceContainers: [Container]?
    /// The owning StatefulSet, when there is one.
    public var statefulSetName: String?
    /// The StatefulSet's replicas before the migration.
    public var originalReplicas: Int32?
    /// The owning ReplicaSet, when there is one.
    public var replicaSetName: String?
    /// How a ReplicaSet pod's target is kept apart from, then handed to, the ReplicaSet (ShadowPod of a
    /// ReplicaSet pod only).
    public var replicaSetHandOff: ReplicaSetHandOffStatus?
    /// The StatefulSet as it was before the engine orphan-deleted it (Sequential), to re-create it.
    public var savedStatefulSet: JSONValue?
    /// The source pod as it was (its spec is the template of the target pod).
    public var savedSourcePod: JSONValue?

    /// Creates an empty status.
    public init(phase: MigrationPhase? = nil) { self.phase = phase }
}

/// How a migration's checkpoint is transferred.
public struct TransferMethodStatus: Codable, Sendable, Hashable {
    /// `Agent` (the source node's `ms2m-agent`) or `Job` (a `checkpoint-transfer` Job on the source node).
    public var method: String
    /// The agent pod, when an agent transfers.
    public var agentPod: String?
    /// Why a Job transfers after an agent was tried (it was gone, refused the request, or failed).
    public var fallbackReason: String?

    /// The methods.
    public static let agent = "Agent"
    public static let job = "Job"

    /// A transfer method.
    public init(method: String, agentPod: String? = nil, fallbackReason: String? = nil) {
        self.method = method
        self.agentPod = agentPod
        self.fallbackReason = fallbackReason
    }
}

/// One checkpointed container of the source pod: where its archive is and which image holds it. The target
/// pod runs each such container from its own checkpoint image, as CRI-O and containerd restore them.
public struct ContainerCheckpoint: Codable, Sendable, Hashable {
    /// The container's name.
    public var name: String
    /// Whether it is a sidecar: an init container with `restartPolicy: Always`, running beside the app.
    public var sidecar: Bool?
    /// The archive's path on the source node, as the kubelet returned it.
    public var archive: String?
    /// The pushed checkpoint image, by digest (`registry/repo@sha256:…`).
    public var image: String?
    /// The image's manifest digest.
    public var imageDigest: String?

    /// A container not yet checkpointed.
    public init(name: String, sidecar: Bool? = nil, archive: String? = nil, image: String? = nil, imageDigest: String? = nil) {
        self.name = name
        self.sidecar = sidecar
        self.archive = archive
        self.image = image
        self.imageDigest = imageDigest
    }
}

/// What the engine needs to hand a ReplicaSet pod's target to its ReplicaSet: the target restores without
/// one of the selector's labels (so the ReplicaSet neither adopts it nor counts it), and in Finalizing gets
/// it back, is adopted, and the ReplicaSet removes the source it sees as its surplus replica.
public struct ReplicaSetHandOffStatus: Codable, Sendable, Hashable {
    /// The ReplicaSet's UID: the engine acts only on that object, not on a re-created one of the same name.
    public var uid: String?
    /// The selector label held back from the target (`pod-template-hash` for a Deployment's ReplicaSet,
    /// else the first `matchLabels` key in sorted order).
    public var heldLabelKey: String?
    /// The held label's value.
    public var heldLabelValue: String?
    /// When the target got the held label back (the ReplicaSet then adopts it and removes the source; the
    /// engine removes the source itself if the controller has not within the engine's wait).
    public var releaseTime: MicroTime?

    /// Creates a record.
    public init(uid: String? = nil, heldLabelKey: String? = nil, heldLabelValue: String? = nil, releaseTime: MicroTime? = nil) {
        self.uid = uid
        self.heldLabelKey = heldLabelKey
        self.heldLabelValue = heldLabelValue
        self.releaseTime = releaseTime
    }
}

/// How replay went.
public struct ReplayStatus: Codable, Sendable, Hashable {
    /// Replay queue depth when replay started.
    public var initialDepth: Int64?
    /// Messages taken from the replay queue by the target (depth drained plus arrivals).
    public var messagesReplayed: Int64?
    /// Whether the cutoff ended replay before the queue was drained.
    public var cutoffFired: Bool?
    /// Why replay ended: `Drained`, `Cutoff` or `AdaptiveCutoff`.
    public var endReason: String?
    /// Measured arrival rate λ (messages/s).
    public var arrivalRate: Double?
    /// Measured drain rate μ (messages/s).
    public var drainRate: Double?
    /// Messages moved from the replay queue back to the primary queue at the end (left by the target).
    public var messagesReturned: Int64?
    /// When replay started.
    public var startTime: MicroTime?
    /// When the replay queue was bound and began capturing (its growth until replay starts measures λ).
    public var captureStartTime: MicroTime?
    /// Whether START_REPLAY has been published to the target.
    public var startSent: Bool?
    /// Whether the journal queue (`<queue>.ms2m-journal`, a second copy of every captured message) is bound
    /// (Sequential migrations: the source is gone while the target replays).
    public var journaled: Bool?
    /// Whether the replay queue must be rebuilt from the journal before the next START_REPLAY: a target that
    /// had been replaying was lost, and what it consumed left the replay queue.
    public var rebuildNeeded: Bool?
    /// How many times the replay queue was rebuilt from the journal.
    public var rebuilds: Int32?

    /// Creates empty figures.
    public init() {}
}
