public import KubeModel
public import MigrationAPI

/// What the planner decided for one policy at one moment: which nodes drain, which pods move where now, which
/// wait for a budget or window, which cannot move and why, and which children to cancel.
///
/// The plan is a value; the controller carries it out (or, with `dryRun`, only reports it).
public struct MigrationPlan: Sendable, Hashable {
    /// The draining nodes, by name.
    public var drainingNodes: [DrainingNode] = []
    /// Children to create now, in the order they were admitted.
    public var moves: [PlannedMove] = []
    /// Candidates that have a target but wait for a budget or a schedule window.
    public var waiting: [WaitingCandidate] = []
    /// Candidates no node can take, with reasons.
    public var unplaceable: [UnplaceableCandidate] = []
    /// Pods on draining nodes the policy selects but does not move, with reasons (opt-outs among them).
    public var skipped: [SkippedPod] = []
    /// Children to delete because their source node stopped draining before they started.
    public var cancellations: [MigrationCancellation] = []
    /// Pods the fallback (`fallback.action: Evict`) evicts: no target fits them, or their live migration
    /// failed `fallback.afterFailures` times. Empty with `fallback.action: None`.
    public var evictions: [PlannedEviction] = []
    /// Pods another policy covers and wins (priority, then the most specific selector, then the name).
    public var yielded: [YieldedPod] = []
    /// The budgets after the plan's moves.
    public var budget: BudgetFigures = BudgetFigures(maxConcurrent: 0)
    /// Whether the drain schedule window is open; nil when the policy has none.
    public var drainWindowOpen: Bool?
    /// Whether the rebalance schedule window is open; nil when rebalancing is off or has no window.
    public var rebalanceWindowOpen: Bool?
    /// When a closed window that candidates wait for opens next.
    public var nextWindowOpening: Time?
    /// Schedule expressions that could not be parsed (their windows never open).
    public var invalidSchedules: [String] = []

    /// Creates an empty plan.
    public init() {}

    /// Whether anything waits for a budget (a child finishing frees it).
    public var isWaitingOnBudget: Bool { waiting.contains { $0.blockedBy != .scheduleWindowClosed } }
}

/// A node that is draining for the policy, and why.
public struct DrainingNode: Sendable, Hashable {
    /// The node's name.
    public var name: String
    /// The triggers it matches.
    public var triggers: [DrainTrigger]

    /// Creates an entry.
    public init(name: String, triggers: [DrainTrigger]) {
        self.name = name
        self.triggers = triggers
    }

    /// Whether schedule windows apply: cordon and eviction always may start migrations, label and taint
    /// triggers only inside a window (an evicted pod on such a node may start at once all the same).
    public var needsScheduleWindow: Bool { !triggers.contains(.cordon) && !triggers.contains(.eviction) }
}

/// Why a pod moves.
public enum MoveReason: String, Sendable, Hashable, CaseIterable {
    /// Its node is draining.
    case drain = "Drain"
    /// Its node holds more than its share.
    case rebalance = "Rebalance"
    /// It was evicted (Eviction API) from a node that does not otherwise drain for the policy.
    case eviction = "Eviction"
}

/// One child to create: the pod, where it goes, and the child's name and spec.
public struct PlannedMove: Sendable, Hashable {
    /// The pod's namespace (also the child's).
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The pod's UID.
    public var podUID: String
    /// The node it runs on.
    public var sourceNode: String
    /// The node chosen for it.
    public var targetNode: String
    /// The child's deterministic name.
    public var migrationName: String
    /// Why it moves.
    public var reason: MoveReason
    /// The child's spec: the policy's template with the pod's overrides.
    public var spec: StatefulMigrationSpec
    /// Override annotations that were ignored because their values were unusable.
    public var rejectedOverrides: [String]

    /// Creates a move.
    public init(
        namespace: String, pod: String, podUID: String, sourceNode: String, targetNode: String,
        migrationName: String, reason: MoveReason, spec: StatefulMigrationSpec, rejectedOverrides: [String] = []
    ) {
        self.namespace = namespace
        self.pod = pod
        self.podUID = podUID
        self.sourceNode = sourceNode
        self.targetNode = targetNode
        self.migrationName = migrationName
        self.reason = reason
        self.spec = spec
        self.rejectedOverrides = rejectedOverrides
    }
}

/// The limit a candidate waits for.
public enum BudgetLimit: Sendable, Hashable, CustomStringConvertible {
    /// `budgets.maxConcurrent` children are in flight.
    case maxConcurrent
    /// The source node has `budgets.maxOutboundPerNode` children in flight.
    case maxOutboundPerNode(node: String)
    /// Every node that fits has `budgets.maxInboundPerNode` children in flight.
    case maxInboundPerNode
    /// The pod's StatefulSet has `budgets.maxInFlightPerStatefulSet` migrations in flight.
    case maxInFlightPerStatefulSet(statefulSet: String)
    /// The trigger needs a schedule window and none is open.
    case scheduleWindowClosed

    public var description: String {
        switch self {
        case .maxConcurrent: "the policy's maxConcurrent migrations are in flight"
        case .maxOutboundPerNode(let node): "node \(node) has maxOutboundPerNode migrations in flight"
        case .maxInboundPerNode: "every fitting node has maxInboundPerNode migrations in flight"
        case .maxInFlightPerStatefulSet(let set): "StatefulSet \(set) has maxInFlightPerStatefulSet migrations in flight"
        case .scheduleWindowClosed: "no schedule window is open"
        }
    }
}

/// A candidate that will move once a budget frees up or a window opens.
public struct WaitingCandidate: Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The node it runs on.
    public var sourceNode: String
    /// The node it would go to now, when known.
    public var targetNode: String?
    /// What it waits for.
    public var blockedBy: BudgetLimit
    /// Why it would move.
    public var reason: MoveReason

    /// Creates an entry.
    public init(
        namespace: String, pod: String, sourceNode: String, targetNode: String?, blockedBy: BudgetLimit,
        reason: MoveReason = .drain
    ) {
        self.namespace = namespace
        self.pod = pod
        self.sourceNode = sourceNode
        self.targetNode = targetNode
        self.blockedBy = blockedBy
        self.reason = reason
    }
}

/// A candidate no node can take.
public struct UnplaceableCandidate: Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The node it runs on.
    public var sourceNode: String
    /// Why, in CamelCase (`InsufficientCPU`, `NoEligibleTarget`, …): the most common rejection.
    public var reason: String
    /// Every rejected node's reasons, for people.
    public var message: String

    /// Creates an entry.
    public init(namespace: String, pod: String, sourceNode: String, reason: String, message: String) {
        self.namespace = namespace
        self.pod = pod
        self.sourceNode = sourceNode
        self.reason = reason
        self.message = message
    }
}

/// Why a selected pod on a draining node is not a candidate.
public enum SkipReason: Sendable, Hashable {
    /// The pod is annotated `migration.ms2m.io/opt-out: "true"`.
    case optedOut
    /// The migration named is already moving the pod.
    case alreadyMigrating(migration: String)
    /// The pod is not Running, or is being deleted.
    case notRunning
    /// This policy's child for this very pod already ended; a Completed one means the pod has moved (the
    /// snapshot still shows the source pod).
    case previousMigrationEnded(migration: String, phase: MigrationPhase)
    /// The pod's live migrations failed `failures` times (at least `fallback.afterFailures`) and the fallback
    /// is `None`: the pod stays where it is.
    case migrationFailedRepeatedly(failures: Int, lastMigration: String)

    /// The CamelCase reason.
    public var reason: String {
        switch self {
        case .optedOut: "OptedOut"
        case .alreadyMigrating: "AlreadyMigrating"
        case .notRunning: "NotRunning"
        case .previousMigrationEnded: "PreviousMigrationEnded"
        case .migrationFailedRepeatedly: "MigrationFailedRepeatedly"
        }
    }
}

/// A selected pod that is not moved.
public struct SkippedPod: Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The node it runs on.
    public var node: String
    /// Why it is skipped.
    public var reason: SkipReason

    /// Creates an entry.
    public init(namespace: String, pod: String, node: String, reason: SkipReason) {
        self.namespace = namespace
        self.pod = pod
        self.node = node
        self.reason = reason
    }
}

/// Why the fallback evicts a pod.
public enum EvictionReason: String, Sendable, Hashable, CaseIterable {
    /// No eligible node fits the pod.
    case unplaceable = "Unplaceable"
    /// The pod's live migrations failed `fallback.afterFailures` times.
    case migrationFailed = "MigrationFailed"
}

/// A pod on a draining node that the fallback evicts through the eviction API (which honours
/// PodDisruptionBudgets; a refused eviction is retried on a later pass).
public struct PlannedEviction: Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The pod's UID (the eviction's precondition, so a same-named successor is never evicted).
    public var podUID: String
    /// The draining node it runs on.
    public var sourceNode: String
    /// Why live migration cannot move it.
    public var reason: EvictionReason
    /// Details for people: the unplaceable reasons, or the failed migrations.
    public var message: String

    /// Creates an entry.
    public init(
        namespace: String, pod: String, podUID: String, sourceNode: String, reason: EvictionReason, message: String
    ) {
        self.namespace = namespace
        self.pod = pod
        self.podUID = podUID
        self.sourceNode = sourceNode
        self.reason = reason
        self.message = message
    }
}

/// A pod this policy covers but leaves to another policy that also covers it and wins.
public struct YieldedPod: Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var pod: String
    /// The node it runs on.
    public var node: String
    /// The winning policy.
    public var winner: String
    /// Why it wins, for people (`priority 10 > 0`, `more specific selector`, `name sorts first`).
    public var why: String

    /// Creates an entry.
    public init(namespace: String, pod: String, node: String, winner: String, why: String) {
        self.namespace = namespace
        self.pod = pod
        self.node = node
        self.winner = winner
        self.why = why
    }
}

/// A child to delete (the engine's finalizer rolls back what it did).
public struct MigrationCancellation: Sendable, Hashable {
    /// The child's namespace.
    public var namespace: String
    /// The child's name.
    public var name: String
    /// The pod it was moving.
    public var pod: String
    /// The node that stopped draining.
    public var sourceNode: String

    /// Creates an entry.
    public init(namespace: String, name: String, pod: String, sourceNode: String) {
        self.namespace = namespace
        self.name = name
        self.pod = pod
        self.sourceNode = sourceNode
    }
}

/// How much of the budgets is in use once the plan's moves are created (cancelled children still count
/// until they are gone).
public struct BudgetFigures: Sendable, Hashable {
    /// The policy's children in flight.
    public var inFlight: Int = 0
    /// The limit in effect.
    public var maxConcurrent: Int
    /// Children in flight per source node.
    public var outboundByNode: [String: Int] = [:]
    /// Children in flight per target node.
    public var inboundByNode: [String: Int] = [:]

    /// Creates figures.
    public init(inFlight: Int = 0, maxConcurrent: Int, outboundByNode: [String: Int] = [:], inboundByNode: [String: Int] = [:]) {
        self.inFlight = inFlight
        self.maxConcurrent = maxConcurrent
        self.outboundByNode = outboundByNode
        self.inboundByNode = inboundByNode
    }
}
