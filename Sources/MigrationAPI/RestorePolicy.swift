public import KubeModel

/// How hard the engine tries to restore a pod whose source is already gone (a Sequential migration deletes
/// the source before it creates the target): from then on the checkpoint image and the replay queue are the
/// only copy of the workload's state, so a failed restore is retried — after waiting while the failure may
/// pass (image pull, container creation), on another node that fits once it does not — and, when the
/// attempts or the deadline run out, the migration fails **keeping** that state for the user to resume.
public struct RestorePolicy: Codable, Sendable, Hashable {
    /// Targets created from the checkpoint before giving up. Default ``defaultMaxAttempts``.
    public var maxAttempts: Int32?
    /// Seconds from the first target's creation until the engine gives up. Default ``defaultDeadlineSeconds``.
    /// It replaces `phaseTimeouts.restoring` once the source is gone.
    public var deadlineSeconds: Int32?
    /// What a restore that cannot succeed leaves: ``RestoreFailureAction/retainState`` (default: the image, the
    /// replay queue and the StatefulSet record are kept, nothing starts fresh) or
    /// ``RestoreFailureAction/startFresh`` (the StatefulSet is re-created and the ordinal starts **without**
    /// its state; only when the workload can afford it).
    public var onFailure: String?

    /// The default number of restore attempts.
    public static let defaultMaxAttempts: Int32 = 5
    /// The default restore deadline: ten minutes.
    public static let defaultDeadlineSeconds: Int32 = 600

    /// Creates a restore policy.
    public init(maxAttempts: Int32? = nil, deadlineSeconds: Int32? = nil, onFailure: String? = nil) {
        self.maxAttempts = maxAttempts
        self.deadlineSeconds = deadlineSeconds
        self.onFailure = onFailure
    }
}

/// The values of `spec.restore.onFailure`.
public enum RestoreFailureAction {
    /// Keep the checkpoint image and the replay queue; never start the workload fresh (the default).
    public static let retainState = "RetainState"
    /// Give the state up: re-create the StatefulSet so the ordinal starts fresh.
    public static let startFresh = "StartFresh"
    /// Every accepted value.
    public static let all = [retainState, startFresh]
}

/// The restore attempts made after the source was gone.
public struct RestoreStatus: Codable, Sendable, Hashable {
    /// Targets created from the checkpoint so far (the current one included).
    public var attempts: Int32?
    /// When the first target was created: the restore deadline counts from here.
    public var firstAttemptTime: MicroTime?
    /// When the current target was created: how long a transient failure is waited out counts from here.
    public var attemptStartTime: MicroTime?
    /// Not before this time is the next target created (the backoff between attempts).
    public var nextAttemptTime: MicroTime?
    /// The UID of a target given up: deleted before the next one is created under the same name.
    public var abandonedPodUID: String?
    /// Nodes a restore failed on, in order (each node once).
    public var failedNodes: [String]?
    /// The last failure, for people.
    public var lastFailure: String?

    /// Creates a restore status.
    public init(
        attempts: Int32? = nil, firstAttemptTime: MicroTime? = nil, attemptStartTime: MicroTime? = nil,
        failedNodes: [String]? = nil, lastFailure: String? = nil
    ) {
        self.attempts = attempts
        self.firstAttemptTime = firstAttemptTime
        self.attemptStartTime = attemptStartTime
        self.failedNodes = failedNodes
        self.lastFailure = lastFailure
    }
}

/// The workload state a failed migration kept (condition `StateRetained`): everything needed to restore the
/// pod later, and what the user does next.
public struct RetainedState: Codable, Sendable, Hashable {
    /// The checkpoint image, by digest.
    public var image: String?
    /// The image's manifest digest.
    public var imageDigest: String?
    /// The replay queue, still bound to the workload's exchange: every message since the checkpoint.
    public var replayQueue: String?
    /// How many messages the replay queue held when the state was retained.
    public var replayQueueDepth: Int64?
    /// The journal queue (every message since the checkpoint, even those a lost target had replayed), when
    /// the migration keeps one.
    public var journalQueue: String?
    /// The StatefulSet kept deleted (its other pods run on, unowned) so that it does not start the ordinal
    /// fresh; re-created by a resumed restore, or by discarding the state.
    public var statefulSet: String?
    /// The checkpoint image of every checkpointed container, by container name, when the pod had more than
    /// one (``image`` is the replayed container's).
    public var containerImages: [String: String]?

    /// Creates a record of retained state.
    public init(
        image: String? = nil, imageDigest: String? = nil, replayQueue: String? = nil, replayQueueDepth: Int64? = nil,
        journalQueue: String? = nil, statefulSet: String? = nil
    ) {
        self.image = image
        self.imageDigest = imageDigest
        self.replayQueue = replayQueue
        self.replayQueueDepth = replayQueueDepth
        self.journalQueue = journalQueue
        self.statefulSet = statefulSet
    }
}

/// Condition types of `StatefulMigration` beyond the standard ones.
public enum MigrationConditionType {
    /// `True` while a failed migration keeps the workload's state (checkpoint image, replay queue) and its
    /// StatefulSet deleted, waiting for the user to resume or discard it.
    public static let stateRetained = "StateRetained"
}

/// What a user writes on a `StatefulMigration` that failed with its state retained to say what happens to that
/// state: `kubectl annotate statefulmigration NAME migration.ms2m.io/recover=Resume` (optionally with
/// `migration.ms2m.io/recover-target-node=NODE`) restores it again; `…/recover=DiscardState` gives it up (the
/// StatefulSet is re-created and the ordinal starts fresh). Deleting the migration also discards the state.
public enum RecoveryAnnotation {
    /// The annotation naming the action.
    public static let action = "migration.ms2m.io/recover"
    /// The node to resume onto (optional; the engine chooses one that fits otherwise).
    public static let targetNode = "migration.ms2m.io/recover-target-node"
    /// Restore from the retained checkpoint again, with a fresh attempt budget.
    public static let resume = "Resume"
    /// Give the retained state up.
    public static let discardState = "DiscardState"
}
