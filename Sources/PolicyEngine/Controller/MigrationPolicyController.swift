public import ControllerRuntime
import KubeModel
public import Logging
import MigrationAPI
public import OperatorCore

/// The `MigrationPolicy` controller: reconciles each policy (cluster-scoped) when it changes, when any node's
/// drain-relevant state changes (all policies), when a pod on one of its draining nodes changes, and when one
/// of its child `StatefulMigration`s changes.
public enum MigrationPolicyController {
    /// The controller's name (metrics, logs).
    public static let name = "migrationpolicy"

    /// Builds the controller; add it to a `ControllerManager`.
    public static func make(
        api: any KubernetesAPI, events: any PolicyEventSink, logger: Logger = Logger(label: "ms2m.policy"),
        workers: Int = 2, budgetRecheck: Duration = .seconds(60)
    ) -> Controller {
        let registry = PolicyRegistry()
        let reconciler = MigrationPolicyReconciler(
            api: api, events: events, registry: registry, logger: logger, budgetRecheck: budgetRecheck)
        return ControllerBuilder(named: name, for: MigrationPolicy.self, filter: specChanged)
            .watches(StatefulMigration.self, informerOptions: InformerOptions(labelSelector: MigrationPolicyLabel.policy)) { child in
                child.metadata.labels?[MigrationPolicyLabel.policy].map { [ReconcileRequest(name: $0)] } ?? []
            }
            .watches(Node.self, filter: nodeDrainStateChanged) { _ in registry.allPolicies() }
            .watches(Pod.self) { pod in
                guard let node = pod.spec?.nodeName, !node.isEmpty else { return [] }
                return registry.policies(drainingNode: node)
            }
            .withOptions(ControllerOptions(workers: workers))
            .build(reconciler: reconciler)
    }

    /// Policy events worth a reconcile: all but status-only updates (the controller's own writes).
    @Sendable static func specChanged(_ event: InformerEvent<MigrationPolicy>) -> Bool {
        guard case .updated(let old, let new) = event else { return true }
        return old.metadata.generation != new.metadata.generation
            || old.metadata.deletionTimestamp != new.metadata.deletionTimestamp
            || old.metadata.resourceVersion == new.metadata.resourceVersion  // periodic resync
    }

    /// Node events worth re-planning: additions, deletions, and changes to cordon, labels, taints, readiness
    /// or allocatable (not heartbeats).
    @Sendable static func nodeDrainStateChanged(_ event: InformerEvent<Node>) -> Bool {
        guard case .updated(let old, let new) = event else { return true }
        return old.isUnschedulable != new.isUnschedulable || old.metadata.labels != new.metadata.labels
            || old.taints != new.taints || old.isReady != new.isReady
            || old.status?.allocatable != new.status?.allocatable
            || old.metadata.resourceVersion == new.metadata.resourceVersion
    }
}
