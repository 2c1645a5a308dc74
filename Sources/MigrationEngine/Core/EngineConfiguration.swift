public import MigrationAPI

/// Where the engine looks for node agents (`ms2m-agent`): Running and Ready pods with these labels in this
/// namespace, one per node, listening on `port`.
public struct TransferAgentSettings: Sendable, Hashable {
    /// The agents' namespace (the operator's).
    public var namespace: String
    /// The label selector of the agent pods.
    public var labelSelector: String
    /// The agents' port.
    public var port: Int
    /// How often a transfer in an agent is looked at.
    public var pollInterval: Duration

    /// Settings for agents in `namespace`.
    public init(
        namespace: String, labelSelector: String = "app.kubernetes.io/name=ms2m-agent", port: Int = 10260,
        pollInterval: Duration = .milliseconds(250)
    ) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.port = port
        self.pollInterval = pollInterval
    }
}

/// The engine's settings: what the spec does not say.
public struct EngineConfiguration: Sendable {
    /// How transfer Jobs are made.
    public var transfer: TransferJobSettings
    /// Where node agents are found; nil: every transfer runs as a Job.
    public var transferAgents: TransferAgentSettings?
    /// Phase time limits used when the spec gives none.
    public var defaultTimeouts: [MigrationPhase: Duration]
    /// The replay cutoff when the spec gives none (seconds).
    public var defaultReplayCutoffSeconds: Int32
    /// How often the replay queue's depth is read while replaying and finalizing.
    public var replayPollInterval: Duration
    /// How long the kubelet may take to checkpoint.
    public var checkpointTimeout: Duration
    /// Grace period for deleting a Sequential migration's source pod (its state is already checkpointed).
    public var sourceDeletionGracePeriodSeconds: Int64
    /// How long to wait, while nothing changes, before looking again anyway (a safety net under the watches).
    public var idleRequeue: Duration
    /// Messages moved per read when handing the replay queue's leftovers back to the primary queue.
    public var returnPrefetch: Int
    /// How long Checkpointing waits for the primary queue's pre-capture backlog to reach the source.
    public var primaryDrainWait: Duration
    /// How long Finalizing lets a ReplicaSet remove the source after adopting the target before the engine
    /// deletes the source itself.
    public var sourceReleaseWait: Duration
    /// How long one restored target may show a failure the kubelet retries by itself (image pull, container
    /// creation) before the engine restores on another node (once the source is gone).
    public var restorePatience: Duration
    /// The wait before the second restore attempt; it doubles for each further one, up to 30 s.
    public var restoreBackoff: Duration

    /// Creates settings with production defaults.
    public init(
        transfer: TransferJobSettings = TransferJobSettings(),
        defaultTimeouts: [MigrationPhase: Duration] = [
            .pending: .seconds(60), .checkpointing: .seconds(120), .transferring: .seconds(600),
            .restoring: .seconds(300), .replaying: .seconds(600), .finalizing: .seconds(300),
        ],
        defaultReplayCutoffSeconds: Int32 = 120, replayPollInterval: Duration = .milliseconds(100),
        checkpointTimeout: Duration = .seconds(60), sourceDeletionGracePeriodSeconds: Int64 = 5,
        idleRequeue: Duration = .seconds(30), returnPrefetch: Int = 100, primaryDrainWait: Duration = .seconds(10),
        sourceReleaseWait: Duration = .seconds(15), restorePatience: Duration = .seconds(90),
        restoreBackoff: Duration = .seconds(2), transferAgents: TransferAgentSettings? = nil
    ) {
        self.transfer = transfer
        self.transferAgents = transferAgents
        self.defaultTimeouts = defaultTimeouts
        self.defaultReplayCutoffSeconds = defaultReplayCutoffSeconds
        self.replayPollInterval = replayPollInterval
        self.checkpointTimeout = checkpointTimeout
        self.sourceDeletionGracePeriodSeconds = sourceDeletionGracePeriodSeconds
        self.idleRequeue = idleRequeue
        self.returnPrefetch = returnPrefetch
        self.primaryDrainWait = primaryDrainWait
        self.sourceReleaseWait = sourceReleaseWait
        self.restorePatience = restorePatience
        self.restoreBackoff = restoreBackoff
    }

    /// The time limit of `phase` for `migration`: the spec's, else the default. Replaying gets at least the
    /// replay cutoff plus a minute, so the cutoff, not the timeout, ends a slow replay.
    public func timeout(of phase: MigrationPhase, for migration: StatefulMigration) -> Duration? {
        let t = migration.spec.phaseTimeouts
        let fromSpec: Int32? =
            switch phase {
            case .pending: t?.pending
            case .checkpointing: t?.checkpointing
            case .transferring: t?.transferring
            case .restoring: t?.restoring
            case .replaying: t?.replaying
            case .finalizing: t?.finalizing
            case .completed, .failed: nil
            }
        if let fromSpec { return .seconds(Int64(fromSpec)) }
        guard let base = defaultTimeouts[phase] else { return nil }
        if phase == .replaying {
            let cutoff = Duration.seconds(Int64(migration.spec.replayCutoffSeconds ?? defaultReplayCutoffSeconds) + 60)
            return max(base, cutoff)
        }
        return base
    }
}
