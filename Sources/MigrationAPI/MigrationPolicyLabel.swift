/// Label keys the policy controller puts on the `StatefulMigration`s it creates, so children can be listed by
/// policy and by draining node (e.g. to cancel a node's pending children when it is uncordoned).
public enum MigrationPolicyLabel {
    /// The owning policy's name.
    public static let policy = "migration.ms2m.io/policy"
    /// The node the pod is moved off.
    public static let sourceNode = "migration.ms2m.io/source-node"
}
