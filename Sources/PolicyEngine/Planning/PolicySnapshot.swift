public import KubeModel
public import MigrationAPI
public import Placement

/// Everything the planner reads, observed at one moment: the policy, the cluster's nodes and pods, the labels
/// of the pods' namespaces, and every `StatefulMigration` (the policy's children and anyone else's).
///
/// The planner is a pure function of this value; the controller fills it from the API.
public struct PolicySnapshot: Sendable {
    /// The policy being planned.
    public var policy: MigrationPolicy
    /// Every node, prepared for the fit rules and the drain triggers (the controller keeps them prepared,
    /// one per cached node; tests and `ms2m plan` prepare them from `Node` values with the initializer).
    public var nodes: [FitNode]
    /// The pods that matter. Without ``nodeUsage``: every pod bound to a node (drain candidates, and the
    /// occupants of targets, whose requests are summed). With it: at least the pods bound to draining nodes
    /// and the source pods of migrations in flight — and, for a policy that rebalances while nothing drains,
    /// every bound pod.
    public var pods: [Pod]
    /// Each namespace's labels, by namespace name (for `selection.namespaceSelector` and inter-pod terms with a
    /// `namespaceSelector`).
    public var namespaceLabels: [String: [String: String]]
    /// Every `StatefulMigration`, in all namespaces.
    public var migrations: [StatefulMigration]
    /// The time the snapshot was taken (schedule windows, cooldowns).
    public var now: Time
    /// The other `MigrationPolicy` objects in the cluster: a pod several policies cover is planned by one of
    /// them only (priority, then the most specific selector, then the name).
    public var otherPolicies: [MigrationPolicy] = []
    /// What the pods bound to each node request, when the caller keeps it up to date (the controller's
    /// ``NodeUsageSummary``); nil to have the planner sum it from ``pods``, which must then hold every bound pod.
    public var nodeUsage: [String: NodeUsage]?
    /// The bound pods as the inter-pod rules read them (affinity, anti-affinity, spread, host ports), when the
    /// caller keeps them up to date (the controller's ``PlacedPodsSummary``); nil to have the planner read
    /// them from ``pods``, which must then hold every bound pod.
    public var placedPods: PlacedPods?
    /// Where the pods' persistent volumes can be reached (their PersistentVolumes' node affinity); empty when
    /// unknown, and then no volume constrains a target.
    public var volumes = VolumeTopology()
    /// ``nodes`` by name, when the caller keeps them so (the controller's node summary); nil to index them.
    public var nodesByName: [String: FitNode]?

    /// Creates a snapshot of prepared nodes.
    public init(
        policy: MigrationPolicy, nodes: [FitNode], pods: [Pod], namespaceLabels: [String: [String: String]] = [:],
        migrations: [StatefulMigration] = [], now: Time
    ) {
        self.policy = policy
        self.nodes = nodes
        self.pods = pods
        self.namespaceLabels = namespaceLabels
        self.migrations = migrations
        self.now = now
    }

    /// Creates a snapshot, preparing `nodes`.
    public init(
        policy: MigrationPolicy, nodes: [Node], pods: [Pod], namespaceLabels: [String: [String: String]] = [:],
        migrations: [StatefulMigration] = [], now: Time
    ) {
        self.init(
            policy: policy, nodes: nodes.map(FitNode.init), pods: pods, namespaceLabels: namespaceLabels,
            migrations: migrations, now: now)
    }
}

extension PolicySnapshot {
    /// The pods to put in a snapshot that brings ``nodeUsage``: the pods bound to `policy`'s draining nodes
    /// (drain candidates) and the bound source pods of migrations in flight (their StatefulSets and the
    /// requests they promise to targets), each once — or, when the policy rebalances and no node drains,
    /// every bound pod (rebalancing weighs the pods of every eligible node).
    ///
    /// - Parameters:
    ///   - onNode: the pods bound to a node.
    ///   - named: the pod with a namespace and name, if any.
    ///   - allBound: every pod bound to a node.
    ///   - evicted: the pods carrying an ``EvictionRequest`` annotation (current or not; the planner decides).
    public static func podsToPlan(
        _ policy: MigrationPolicy, nodes: [FitNode], migrations: [StatefulMigration], onNode: (String) -> [Pod],
        named: (_ namespace: String, _ name: String) -> Pod?, allBound: () -> [Pod], evicted: () -> [Pod] = { [] }
    ) -> [Pod] {
        let draining = DrainDetection.drainingNodes(nodes, for: policy.spec.triggers)
        let requested = policy.spec.interceptsEvictions ? evicted() : []
        if draining.isEmpty, requested.isEmpty, policy.spec.rebalance?.enabled == true { return allBound() }
        var pods: [Pod] = []
        var seen: Set<String> = []
        for node in draining {
            for pod in onNode(node.name) where seen.insert(PlanningContext.key(pod)).inserted { pods.append(pod) }
        }
        for pod in requested where pod.spec?.nodeName?.isEmpty == false && seen.insert(PlanningContext.key(pod)).inserted {
            pods.append(pod)
        }
        for migration in migrations where !(migration.status?.phase?.isFinal ?? false) {
            let namespace = migration.metadata.namespace ?? ""
            guard let pod = named(namespace, migration.spec.sourcePod), pod.spec?.nodeName?.isEmpty == false,
                seen.insert(PlanningContext.key(pod)).inserted
            else { continue }
            pods.append(pod)
        }
        return pods
    }
}
