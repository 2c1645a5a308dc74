public import ControllerRuntime
import KubeModel
public import Logging
import MigrationAPI
public import OperatorCore

/// The `MigrationPolicy` controller: reconciles each policy (cluster-scoped) when it changes, when any node's
/// drain-relevant state changes (all policies), when a pod on one of its draining nodes changes or a pod gets
/// an eviction request (all policies), and when one
/// of its child `StatefulMigration`s changes. It plans from the manager's shared informer caches
/// (``PolicyCaches``); the workers start once they have synced.
public enum MigrationPolicyController {
    /// The controller's name (metrics, logs).
    public static let name = "migrationpolicy"

    /// Builds the controller; add it to a `ControllerManager` whose `informers` are `informers` (the
    /// reconciler plans from those caches and writes through `api`). Pass `caches` to share them (the
    /// eviction webhook plans from the same ones); by default they are requested from `informers`.
    public static func make(
        api: any KubernetesAPI, informers: InformerFactory, events: any PolicyEventSink,
        logger: Logger = Logger(label: "ms2m.policy"), workers: Int = 2, budgetRecheck: Duration = .seconds(60),
        caches: PolicyCaches? = nil
    ) -> Controller {
        let registry = PolicyRegistry()
        let caches = caches ?? PolicyCaches(factory: informers)
        let reconciler = MigrationPolicyReconciler(
            api: api, caches: caches, events: events, registry: registry, logger: logger, budgetRecheck: budgetRecheck)
        // Every watch names the same informer options as `PolicyCaches`, so whichever asks first, the shared
        // informers hold what the planner needs (all migrations, pods with their scheduling fields).
        return ControllerBuilder(named: name, for: MigrationPolicy.self, filter: specChanged)
            .watches(StatefulMigration.self) { child in
                child.metadata.labels?[MigrationPolicyLabel.policy].map { [ReconcileRequest(name: $0)] } ?? []
            }
            .watches(Node.self, filter: nodeDrainStateChanged) { _ in allPolicies(caches) }
            .watches(Pod.self, informerOptions: PolicyCaches.podInformerOptions) { pod in
                guard let node = pod.spec?.nodeName, !node.isEmpty else { return [] }
                // An evicted pod may sit on a node no policy drains yet: every policy looks (rare events).
                if EvictionRequest.recorded(on: pod) != nil { return allPolicies(caches) }
                return registry.policies(drainingNode: node)
            }
            .watches(Namespace.self, filter: namespaceLabelsChanged) { _ in allPolicies(caches) }
            // Another policy's priority or selection decides which policy plans an overlapping pod.
            .watches(MigrationPolicy.self, filter: specChanged) { _ in allPolicies(caches) }
            .withOptions(ControllerOptions(workers: workers))
            .build(reconciler: reconciler)
    }

    /// A request for every cached policy: those a node, namespace or policy change may concern. Read from the
    /// cache, not from what reconciles recorded, so a policy whose first reconcile runs while the change
    /// arrives is planned again rather than left with a plan that missed it.
    static func allPolicies(_ caches: PolicyCaches) -> [ReconcileRequest] {
        caches.policies.cache.list().compactMap(\.metadata.name).sorted().map { ReconcileRequest(name: $0) }
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

    /// Namespace events worth re-planning: label changes (`selection.namespaceSelector`), not status updates.
    @Sendable static func namespaceLabelsChanged(_ event: InformerEvent<Namespace>) -> Bool {
        guard case .updated(let old, let new) = event else { return false }
        return old.metadata.labels != new.metadata.labels
    }
}
