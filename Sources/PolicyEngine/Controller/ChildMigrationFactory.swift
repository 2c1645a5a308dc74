public import KubeModel
public import MigrationAPI

/// Turns a ``PlannedMove`` into the `StatefulMigration` the policy creates: its deterministic name, the
/// policy, source-node and reason labels, and the source pod's UID.
///
/// Children carry no ownerReference to the policy: deleting a policy stops planning but must leave its
/// in-flight migrations to finish (a garbage-collected child would be rolled back half-way). The policy
/// finds its children by the policy label.
public enum ChildMigrationFactory {
    /// The child of `policy` that carries out `move`.
    public static func child(for move: PlannedMove, policy: MigrationPolicy) -> StatefulMigration {
        let labels = [
            MigrationPolicyLabel.policy: policy.metadata.name ?? "",
            MigrationPolicyLabel.sourceNode: move.sourceNode,
            ChildMigrationLabels.reason: move.reason.rawValue,
        ]
        let metadata = ObjectMeta(
            name: move.migrationName, namespace: move.namespace, labels: labels,
            annotations: [ChildMigrationLabels.sourcePodUID: move.podUID])
        return StatefulMigration(metadata: metadata, spec: move.spec)
    }
}
