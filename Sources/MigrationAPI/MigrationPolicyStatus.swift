public import KubeModel

/// What the policy controller observed and did, recomputed on every reconcile.
public struct MigrationPolicyStatus: Codable, Sendable, Hashable {
    /// The `metadata.generation` the status reflects.
    public var observedGeneration: Int64?
    /// `Ready`, `Progressing` and `Degraded`, with observedGeneration.
    public var conditions: [Condition]?
    /// Totals over the policy's children and candidates.
    public var migrations: MigrationCounts?
    /// How many nodes are draining for this policy (also the length of `drainingNodes`).
    public var drainingNodeCount: Int32?
    /// Per draining node, how its covered pods are doing.
    public var drainingNodes: [DrainingNodeStatus]?
    /// How much of the budgets is in use.
    public var budget: BudgetUsage?
    /// The moves of the last plan (with `dryRun`, the plan that was not carried out).
    public var plan: [PlannedMigration]?
    /// When the last plan was made.
    public var lastPlanTime: Time?

    /// Creates an empty status.
    public init() {}
}

/// Migration counts, as a policy's or a node's summary.
public struct MigrationCounts: Codable, Sendable, Hashable {
    /// Moves planned but not yet created (waiting for budget or a schedule window).
    public var planned: Int32?
    /// Children in flight.
    public var running: Int32?
    /// Children that completed.
    public var completed: Int32?
    /// Children that failed.
    public var failed: Int32?
    /// Covered pods no target fits.
    public var unplaceable: Int32?
    /// Covered pods the fallback (`Evict`) evicted while their node drained.
    public var evicted: Int32?
    /// Covered pods left to another policy that also covers them and wins.
    public var yielded: Int32?

    /// Creates counts.
    public init(
        planned: Int32? = nil, running: Int32? = nil, completed: Int32? = nil, failed: Int32? = nil,
        unplaceable: Int32? = nil, evicted: Int32? = nil, yielded: Int32? = nil
    ) {
        self.planned = planned
        self.running = running
        self.completed = completed
        self.failed = failed
        self.unplaceable = unplaceable
        self.evicted = evicted
        self.yielded = yielded
    }
}

/// What makes a node draining.
public struct DrainTrigger: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The node is cordoned.
    public static let cordon: DrainTrigger = "Cordon"
    /// The node's labels match the trigger selector.
    public static let nodeLabel: DrainTrigger = "NodeLabel"
    /// The node carries a trigger taint.
    public static let taint: DrainTrigger = "Taint"
    /// Pods on the node were asked to leave through the Eviction API (only those pods move).
    public static let eviction: DrainTrigger = "Eviction"
}

/// One draining node's progress.
public struct DrainingNodeStatus: Codable, Sendable, Hashable {
    /// The node's name.
    public var name: String
    /// The triggers the node matches.
    public var triggers: [DrainTrigger]?
    /// Covered pods on the node when it started draining.
    public var podsTotal: Int32?
    /// Where those pods stand.
    public var migrations: MigrationCounts?
    /// Covered pods that cannot move, and why.
    public var unplaceablePods: [UnplaceablePod]?
    /// Covered pods the fallback evicted, or tried to (a PodDisruptionBudget may refuse; retried later).
    public var evictedPods: [EvictedPod]?
    /// Covered pods left to another policy, and why it wins.
    public var yieldedPods: [YieldedPodStatus]?
    /// When the node was first seen draining.
    public var since: Time?

    /// Creates a node's status.
    public init(name: String) { self.name = name }
}

/// A covered pod that no target fits.
public struct UnplaceablePod: Codable, Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String
    /// Why it cannot move, e.g. `InsufficientCPU` (CamelCase).
    public var reason: String
    /// The reason for people.
    public var message: String?

    /// Creates an entry.
    public init(namespace: String, name: String, reason: String, message: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.reason = reason
        self.message = message
    }
}

/// How the fallback's eviction of a covered pod went.
public struct EvictionOutcome: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The eviction API accepted the eviction; the pod is being deleted.
    public static let evicted: EvictionOutcome = "Evicted"
    /// A PodDisruptionBudget refused it (429); the controller tries again on a later pass.
    public static let refused: EvictionOutcome = "Refused"
}

/// A covered pod the fallback (`fallback.action: Evict`) evicts.
public struct EvictedPod: Codable, Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String
    /// Why live migration could not move it: `Unplaceable` or `MigrationFailed`.
    public var reason: String
    /// `Evicted`, or `Refused` while a disruption budget forbids it.
    public var outcome: EvictionOutcome
    /// Details for people.
    public var message: String?

    /// Creates an entry.
    public init(namespace: String, name: String, reason: String, outcome: EvictionOutcome, message: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.reason = reason
        self.outcome = outcome
        self.message = message
    }
}

/// A covered pod another policy also covers and wins ("the loser records why").
public struct YieldedPodStatus: Codable, Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String
    /// The winning policy.
    public var winner: String
    /// Why it wins (`priority 10 > 0`, `more specific selector`, `name sorts first`).
    public var message: String?

    /// Creates an entry.
    public init(namespace: String, name: String, winner: String, message: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.winner = winner
        self.message = message
    }
}

/// The budgets in use.
public struct BudgetUsage: Codable, Sendable, Hashable {
    /// Children in flight, cluster-wide.
    public var inFlight: Int32?
    /// The limit in effect (`budgets.maxConcurrent` or its default).
    public var maxConcurrent: Int32?
    /// Children in flight per source node, for nodes with any.
    public var outboundByNode: [String: Int32]?
    /// Children in flight per target node, for nodes with any.
    public var inboundByNode: [String: Int32]?
    /// Whether a schedule window is open now (absent when the policy has none).
    public var scheduleWindowOpen: Bool?

    /// Creates usage figures.
    public init(inFlight: Int32? = nil, maxConcurrent: Int32? = nil) {
        self.inFlight = inFlight
        self.maxConcurrent = maxConcurrent
    }
}

/// One move of a plan.
public struct PlannedMigration: Codable, Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The node it runs on.
    public var sourceNode: String
    /// The node chosen for it.
    public var targetNode: String
    /// The child's name (deterministic, so re-planning never duplicates).
    public var migrationName: String?
    /// Why it moves: `Drain` or `Rebalance`.
    public var reason: String?

    /// Creates a move.
    public init(
        namespace: String, pod: String, sourceNode: String, targetNode: String, migrationName: String? = nil,
        reason: String? = nil
    ) {
        self.namespace = namespace
        self.pod = pod
        self.sourceNode = sourceNode
        self.targetNode = targetNode
        self.migrationName = migrationName
        self.reason = reason
    }
}
