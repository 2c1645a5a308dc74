public import ControllerRuntime
import KubeModel
public import Logging
public import OperatorCore

/// The ReplicaSet controller of the simulated cluster, behaving like kube-controller-manager's
/// (`pkg/controller/replicaset`): it adopts matching orphan pods (not while the set is being deleted) and
/// releases owned pods that stop matching, creates pods from the template (`generateName: <set>-`) or deletes
/// the lowest-ranked ones (``ReplicaSetPodRanking``: unassigned, not running, not ready, lowest
/// `controller.kubernetes.io/pod-deletion-cost`, most co-located, most recently ready, …) until the set has
/// `spec.replicas` active pods, and writes status (`replicas`, `fullyLabeledReplicas`, `readyReplicas`,
/// `availableReplicas`, `observedGeneration`, the `ReplicaFailure` condition). Like the real controller it
/// keeps expectations: while a creation or deletion it made has not shown up in its cache, it does not count
/// pods again, so it never creates a second pod for a slot the first already fills.
///
/// There is no Deployment controller: tests create ReplicaSets directly, with the `pod-template-hash`
/// label in selector and template as a Deployment would.
///
/// Run it on its own with ``run()``, or add ``makeController(informers:api:)`` to a shared
/// `ControllerManager`.
public final class SimReplicaSetController: Sendable {
    /// How the controller processes its queue.
    public struct Options: Sendable {
        /// ReplicaSets reconciled at once (kube-controller-manager: `--concurrent-replicaset-syncs`, 5).
        public var workers: Int

        /// Options with `workers` concurrent syncs.
        public init(workers: Int = 5) { self.workers = workers }
    }

    /// The controller's name in logs and metrics.
    public static let name = "replicaset"

    private let api: any KubernetesAPI
    private let options: Options
    private let logger: Logger

    /// A controller acting through `api`.
    public init(
        api: any KubernetesAPI, options: Options = Options(),
        logger: Logger = Logger(label: "ms2m.sim.replicaset-controller")
    ) {
        self.api = api
        self.options = options
        self.logger = logger
    }

    /// The controller for a shared manager: it reads from `informers` and writes through `api` (pass the
    /// manager's `informers` and `api`).
    public func makeController(informers: InformerFactory, api: any KubernetesAPI) -> Controller {
        let sets = informers.informer(for: ReplicaSet.self).cache
        let reconciler = ReplicaSetReconciler(
            api: api, sets: sets, pods: informers.informer(for: Pod.self).cache,
            expectations: PodExpectations(), logger: logger)
        return ControllerBuilder(named: Self.name, for: ReplicaSet.self)
            .watches(Pod.self) { pod in Self.requests(for: pod, sets: sets) }
            .withOptions(ControllerOptions(workers: options.workers))
            .build(reconciler: reconciler)
    }

    /// Runs the controller on its own manager until the task is cancelled.
    public func run() async {
        await StandaloneControllerHost.run(api: api, component: "replicaset-controller", logger: logger) {
            informers, api in makeController(informers: informers, api: api)
        }
    }

    /// The sets a pod event concerns: its controlling ReplicaSet, or for an orphan every set in its
    /// namespace whose selector matches it (`getPodReplicaSets`).
    static func requests(for pod: Pod, sets: InformerCache<ReplicaSet>) -> [ReconcileRequest] {
        if pod.metadata.controllerReference != nil {
            return RequestMapping.controllerOwner(ReplicaSet.self, of: pod)
        }
        let labels = pod.metadata.labels ?? [:]
        return sets.list(namespace: pod.metadata.namespace ?? "").filter { set in
            guard let selector = set.spec?.selector, !selector.isEmpty else { return false }
            return selector.matches(labels)
        }.map { ReconcileRequest(for: $0) }
    }
}
