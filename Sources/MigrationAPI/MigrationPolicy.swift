public import KubeModel

/// A platform team's standing instruction to live-migrate stateful pods off nodes that are being drained
/// (`migration.ms2m.io/v1alpha1` `MigrationPolicy`, short name `mpol`).
///
/// **Cluster-scoped.** Everything a policy reacts to and limits is cluster-wide: its triggers are node states
/// (cordon, node labels, node taints), its budgets count migrations across the whole cluster and per node, and
/// its selection crosses namespaces through a namespace selector. A namespaced policy would have to either see
/// only its own namespace's pods, so one drained node would need a policy per namespace with budgets that
/// cannot add up, or reach into other namespaces, which breaks namespace-based RBAC. Node-level tools
/// users already know (KubeVirt's `MigrationPolicy`, Karpenter's `NodePool` budgets, descheduler policies)
/// are cluster-scoped for the same reason. The children it creates are namespaced `StatefulMigration`s in
/// their pods' namespaces, owned by the policy (a namespaced object may have a cluster-scoped owner).
public struct MigrationPolicy: KubernetesObject, HasStatus, Hashable {
    public static let group = "migration.ms2m.io"
    public static let version = "v1alpha1"
    public static let kind = "MigrationPolicy"
    public static let plural = "migrationpolicies"
    public static let isNamespaced = false

    /// The API version; `migration.ms2m.io/v1alpha1`.
    public var apiVersion: String?
    /// The kind; `MigrationPolicy`.
    public var kind: String?
    /// Standard object metadata (no namespace: the policy is cluster-scoped).
    public var metadata: ObjectMeta
    /// When to migrate which pods, where to, and within which limits.
    public var spec: MigrationPolicySpec
    /// What the policy controller observed and planned.
    public var status: MigrationPolicyStatus?

    /// Creates a policy; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = MigrationPolicy.apiVersion, kind: String? = MigrationPolicy.kind,
        metadata: ObjectMeta = ObjectMeta(), spec: MigrationPolicySpec = MigrationPolicySpec(),
        status: MigrationPolicyStatus? = nil
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
        spec = try c.decodeIfPresent(MigrationPolicySpec.self, forKey: .spec) ?? MigrationPolicySpec()
        status = try c.decodeIfPresent(MigrationPolicyStatus.self, forKey: .status)
    }
}
