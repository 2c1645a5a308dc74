/// Label and annotation keys of the `StatefulMigration`s a policy creates, beyond `MigrationPolicyLabel`.
public enum ChildMigrationLabels {
    /// Why the child exists: ``MoveReason/drain`` or ``MoveReason/rebalance`` (only drain children are
    /// cancelled when their node stops draining).
    public static let reason = "migration.ms2m.io/policy-reason"
    /// The UID of the pod the child moves (annotation), so a re-created pod of the same name is told apart.
    public static let sourcePodUID = "migration.ms2m.io/source-pod-uid"
}

/// Annotation keys the planner reads on pods.
public enum PolicyPodAnnotation {
    /// When the pod was last live-migrated (RFC 3339); rebalancing leaves it alone for the cooldown period.
    public static let lastMigrated = "migration.ms2m.io/last-migrated"
}
