public import KubeModel
public import MigrationAPI

/// Everything the planner reads, observed at one moment: the policy, the cluster's nodes and pods, the labels
/// of the pods' namespaces, and every `StatefulMigration` (the policy's children and anyone else's).
///
/// The planner is a pure function of this value; the controller fills it from the API.
public struct PolicySnapshot: Sendable {
    /// The policy being planned.
    public var policy: MigrationPolicy
    /// Every node.
    public var nodes: [Node]
    /// The pods that matter: at least those bound to nodes (drain candidates and the occupants of targets).
    public var pods: [Pod]
    /// Each namespace's labels, by namespace name (for `selection.namespaceSelector`).
    public var namespaceLabels: [String: [String: String]]
    /// Every `StatefulMigration`, in all namespaces.
    public var migrations: [StatefulMigration]
    /// The time the snapshot was taken (schedule windows, cooldowns).
    public var now: Time
    /// The other `MigrationPolicy` objects in the cluster: a pod several policies cover is planned by one of
    /// them only (priority, then the most specific selector, then the name).
    public var otherPolicies: [MigrationPolicy] = []

    /// Creates a snapshot.
    public init(
        policy: MigrationPolicy, nodes: [Node], pods: [Pod], namespaceLabels: [String: [String: String]] = [:],
        migrations: [StatefulMigration] = [], now: Time
    ) {
        self.policy = policy
        self.nodes = nodes
        self.pods = pods
        self.namespaceLabels = namespaceLabels
        self.migrations = migrations
        self.now = now
    }
}
