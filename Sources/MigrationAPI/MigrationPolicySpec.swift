public import KubeModel

/// What a `MigrationPolicy` asks for: which node states start a drain, which pods it covers, where they may
/// go, how their migrations are configured, and how many may run at once.
public struct MigrationPolicySpec: Codable, Sendable, Hashable {
    /// Node states that make a node draining for this policy; a node matching any of them is draining.
    public var triggers: PolicyTriggers?
    /// Moving pods to even out an uneven spread (off unless enabled).
    public var rebalance: RebalanceSettings?
    /// Which pods the policy covers.
    public var selection: PodSelection?
    /// Which nodes may receive migrated pods.
    public var targets: TargetNodeSelection?
    /// The `StatefulMigration` spec fields stamped on every child (per-pod annotations override some; see
    /// `PodOverrideAnnotation`).
    public var template: MigrationTemplate?
    /// Limits on how many migrations run at once and when.
    public var budgets: MigrationBudgets?
    /// What happens to a pod no target fits, or whose live migration keeps failing.
    public var fallback: MigrationFallback?
    /// When several policies cover a pod, the highest priority wins (then the most specific selector, then the
    /// name). Default 0.
    public var priority: Int32?
    /// Plan only: the plan appears in status and events, and no `StatefulMigration` is created.
    public var dryRun: Bool?

    /// Whether the policy takes over evictions of the pods it covers: `triggers.eviction` (true when absent);
    /// a policy without triggers (rebalancing only) takes over none.
    public var interceptsEvictions: Bool { triggers?.interceptsEvictions ?? false }

    /// Creates a spec.
    public init(
        triggers: PolicyTriggers? = nil, rebalance: RebalanceSettings? = nil, selection: PodSelection? = nil,
        targets: TargetNodeSelection? = nil, template: MigrationTemplate? = nil, budgets: MigrationBudgets? = nil,
        fallback: MigrationFallback? = nil, priority: Int32? = nil, dryRun: Bool? = nil
    ) {
        self.triggers = triggers
        self.rebalance = rebalance
        self.selection = selection
        self.targets = targets
        self.template = template
        self.budgets = budgets
        self.fallback = fallback
        self.priority = priority
        self.dryRun = dryRun
    }
}

/// The node states that start a drain.
public struct PolicyTriggers: Codable, Sendable, Hashable {
    /// Drain nodes that are cordoned (`spec.unschedulable: true`, as `kubectl cordon` sets it).
    public var cordon: Bool?
    /// Drain nodes whose labels match this selector (e.g. `maintenance=true`).
    public var nodeSelector: LabelSelector?
    /// Drain nodes carrying any of these taints.
    public var taints: [TaintTrigger]?
    /// Live-migrate a covered pod instead of letting an eviction (`kubectl drain`, cluster-autoscaler,
    /// Karpenter, the descheduler: anything calling the Eviction API) kill it. The operator's eviction webhook
    /// refuses the eviction with 429 while the pod migrates; once the migration completes the pod is gone and
    /// the evicting tool moves on. Default true: a policy says its pods are to be moved live, and an eviction
    /// is the most common way a pod is moved off a node — killing it there would lose exactly the state the
    /// policy exists to keep. Only effective where the webhook is installed (`config/webhook`).
    public var eviction: Bool?

    /// Creates triggers.
    public init(
        cordon: Bool? = nil, nodeSelector: LabelSelector? = nil, taints: [TaintTrigger]? = nil, eviction: Bool? = nil
    ) {
        self.cordon = cordon
        self.nodeSelector = nodeSelector
        self.taints = taints
        self.eviction = eviction
    }

    /// Whether evictions of covered pods are intercepted (``eviction``, true when absent).
    public var interceptsEvictions: Bool { eviction ?? true }
}

/// A taint that makes a node draining: matched by key, and by value and effect when they are given.
public struct TaintTrigger: Codable, Sendable, Hashable {
    /// The taint key.
    public var key: String
    /// The taint value; any value when absent.
    public var value: String?
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; any effect when absent.
    public var effect: TaintEffect?

    /// Creates a trigger.
    public init(key: String, value: String? = nil, effect: TaintEffect? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
    }
}

/// What "uneven" is measured in.
public struct RebalanceBasis: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The number of covered pods per node.
    public static let pods: RebalanceBasis = "Pods"
    /// The covered pods' requested CPU and memory per node, relative to allocatable.
    public static let requests: RebalanceBasis = "Requests"
}

/// Rebalancing: the fewest live migrations that bring every eligible node within a threshold of the mean.
public struct RebalanceSettings: Codable, Sendable, Hashable {
    /// Whether the policy rebalances at all. Default false.
    public var enabled: Bool?
    /// What is balanced. Default `Pods`.
    public var basis: RebalanceBasis?
    /// How far, in percent of the mean, a node may sit above or below it before pods move. Default 20.
    public var thresholdPercent: Int32?
    /// A pod moved by this policy is not moved again for this long, in seconds (no eviction loops).
    /// Default 3600.
    public var cooldownSeconds: Int64?
    /// When rebalancing may start migrations; always when empty.
    public var scheduleWindows: [ScheduleWindow]?

    /// Creates settings.
    public init(
        enabled: Bool? = nil, basis: RebalanceBasis? = nil, thresholdPercent: Int32? = nil,
        cooldownSeconds: Int64? = nil, scheduleWindows: [ScheduleWindow]? = nil
    ) {
        self.enabled = enabled
        self.basis = basis
        self.thresholdPercent = thresholdPercent
        self.cooldownSeconds = cooldownSeconds
        self.scheduleWindows = scheduleWindows
    }
}

/// A recurring window, as Karpenter's disruption budgets write it: open for `durationSeconds` from each time
/// the cron `schedule` fires.
public struct ScheduleWindow: Codable, Sendable, Hashable {
    /// A five-field cron expression in UTC (`minute hour day-of-month month day-of-week`), or a macro such as
    /// `@daily`.
    public var schedule: String
    /// How long the window stays open, in seconds.
    public var durationSeconds: Int64

    /// Creates a window.
    public init(schedule: String, durationSeconds: Int64) {
        self.schedule = schedule
        self.durationSeconds = durationSeconds
    }
}

/// Which owner a covered pod may have.
public struct PodOwnerKind: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Pods of a StatefulSet (migrated with the `Sequential` strategy by default).
    public static let statefulSet: PodOwnerKind = "StatefulSet"
    /// Pods of a ReplicaSet, i.e. of a Deployment.
    public static let replicaSet: PodOwnerKind = "ReplicaSet"
    /// Pods without a controller.
    public static let barePod: PodOwnerKind = "BarePod"
}

/// The pods a policy covers: all selectors must match, and the owner must be one of `ownerKinds`. Pods
/// annotated `migration.ms2m.io/opt-out: "true"` are skipped with an event.
public struct PodSelection: Codable, Sendable, Hashable {
    /// Namespaces whose labels match; all namespaces when absent.
    public var namespaceSelector: LabelSelector?
    /// Pods whose labels match; all pods when absent.
    public var podSelector: LabelSelector?
    /// Which owners qualify. Default `[StatefulSet]`.
    public var ownerKinds: [PodOwnerKind]?

    /// Creates a selection.
    public init(
        namespaceSelector: LabelSelector? = nil, podSelector: LabelSelector? = nil, ownerKinds: [PodOwnerKind]? = nil
    ) {
        self.namespaceSelector = namespaceSelector
        self.podSelector = podSelector
        self.ownerKinds = ownerKinds
    }
}

/// The nodes a migrated pod may land on. Draining, cordoned and NotReady nodes are never targets, and the pod
/// must fit (requests, nodeSelector, required node affinity, taints and tolerations).
public struct TargetNodeSelection: Codable, Sendable, Hashable {
    /// Nodes whose labels match; all nodes when absent.
    public var nodeSelector: LabelSelector?

    /// Creates a target selection.
    public init(nodeSelector: LabelSelector? = nil) { self.nodeSelector = nodeSelector }
}

/// Limits on the policy's migrations, enforced by its executor (KubeVirt and the descheduler use the same
/// defaults and names).
public struct MigrationBudgets: Codable, Sendable, Hashable {
    /// Migrations of this policy in flight at once, cluster-wide. Default 5.
    public var maxConcurrent: Int32?
    /// Migrations in flight out of one source node. Default 2.
    public var maxOutboundPerNode: Int32?
    /// Migrations in flight into one target node; unlimited when absent.
    public var maxInboundPerNode: Int32?
    /// Migrations in flight per StatefulSet. Default 1.
    public var maxInFlightPerStatefulSet: Int32?
    /// When label- and taint-triggered migrations may start (cordon always may: an operator who cordons wants
    /// the node empty now); always when empty.
    public var scheduleWindows: [ScheduleWindow]?

    /// The defaults of an absent field.
    public static let defaultMaxConcurrent: Int32 = 5
    /// The default of `maxOutboundPerNode`.
    public static let defaultMaxOutboundPerNode: Int32 = 2
    /// The default of `maxInFlightPerStatefulSet`.
    public static let defaultMaxInFlightPerStatefulSet: Int32 = 1

    /// Creates budgets.
    public init(
        maxConcurrent: Int32? = nil, maxOutboundPerNode: Int32? = nil, maxInboundPerNode: Int32? = nil,
        maxInFlightPerStatefulSet: Int32? = nil, scheduleWindows: [ScheduleWindow]? = nil
    ) {
        self.maxConcurrent = maxConcurrent
        self.maxOutboundPerNode = maxOutboundPerNode
        self.maxInboundPerNode = maxInboundPerNode
        self.maxInFlightPerStatefulSet = maxInFlightPerStatefulSet
        self.scheduleWindows = scheduleWindows
    }
}

/// What to do with a pod live migration cannot move.
public struct FallbackAction: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Leave the pod where it is and report it in status.
    public static let none: FallbackAction = "None"
    /// Evict it through the eviction API, which honours PodDisruptionBudgets.
    public static let evict: FallbackAction = "Evict"
}

/// The fallback for pods no target fits, or whose migration failed `afterFailures` times.
public struct MigrationFallback: Codable, Sendable, Hashable {
    /// `None` (the default) or `Evict`.
    public var action: FallbackAction?
    /// Failed live migrations of one pod before the fallback applies. Default 3.
    public var afterFailures: Int32?

    /// Creates a fallback.
    public init(action: FallbackAction? = nil, afterFailures: Int32? = nil) {
        self.action = action
        self.afterFailures = afterFailures
    }
}
