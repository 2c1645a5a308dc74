public import ControllerRuntime
import KubeModel
public import Logging
public import OperatorCore

/// The StatefulSet controller of the simulated cluster, behaving like kube-controller-manager's
/// (`pkg/controller/statefulset`): ordinal pods `<set>-<i>` with their claims, OrderedReady and Parallel pod
/// management, scale up and down by ordinal, recreation of missing or finished pods, adoption of matching
/// orphan pods and release of pods that stop matching, ControllerRevisions and rolling updates, and status.
///
/// A pod whose `controller-revision-hash` equals the set's update revision is never deleted or replaced, so
/// an adopted pod (for example one restored by an MS2M migration, or left behind by an orphaning delete of the
/// set) keeps running. The controller is watch-driven: it reconciles a set whenever the set, a pod it owns, an
/// orphan pod its selector matches, or one of its revisions changes.
///
/// Run it on its own with ``run()``, or add ``makeController(informers:api:)`` to a shared
/// `ControllerManager`.
public final class SimStatefulSetController: Sendable {
    /// How the controller processes its queue.
    public struct Options: Sendable {
        /// StatefulSets reconciled at once (kube-controller-manager: `--concurrent-statefulset-syncs`, 5).
        public var workers: Int

        /// Options with `workers` concurrent syncs.
        public init(workers: Int = 5) { self.workers = workers }
    }

    /// The controller's name in logs and metrics.
    public static let name = "statefulset"

    private let api: any KubernetesAPI
    private let options: Options
    private let logger: Logger

    /// A controller acting through `api`.
    public init(
        api: any KubernetesAPI, options: Options = Options(),
        logger: Logger = Logger(label: "ms2m.sim.statefulset-controller")
    ) {
        self.api = api
        self.options = options
        self.logger = logger
    }

    /// The controller for a shared manager: it reads from `informers` and writes through `api` (pass the
    /// manager's `informers` and `api`).
    public func makeController(informers: InformerFactory, api: any KubernetesAPI) -> Controller {
        let sets = informers.informer(for: StatefulSet.self).cache
        let reconciler = StatefulSetReconciler(
            api: api, sets: sets, pods: informers.informer(for: Pod.self).cache,
            revisions: informers.informer(for: ControllerRevision.self).cache, logger: logger)
        return ControllerBuilder(named: Self.name, for: StatefulSet.self)
            .owns(ControllerRevision.self)
            .watches(Pod.self) { pod in Self.requests(for: pod, sets: sets) }
            .withOptions(ControllerOptions(workers: options.workers))
            .build(reconciler: reconciler)
    }

    /// Runs the controller on its own manager until the task is cancelled.
    public func run() async {
        await StandaloneControllerHost.run(api: api, component: "statefulset-controller", logger: logger) {
            informers, api in makeController(informers: informers, api: api)
        }
    }

    /// The sets a pod event concerns: its controlling StatefulSet, or for an orphan every set in its
    /// namespace whose selector matches it (`getPodStatefulSets`).
    static func requests(for pod: Pod, sets: InformerCache<StatefulSet>) -> [ReconcileRequest] {
        let owner = RequestMapping.controllerOwner(StatefulSet.self, of: pod)
        if pod.metadata.controllerReference != nil { return owner }
        let labels = pod.metadata.labels ?? [:]
        return sets.list(namespace: pod.metadata.namespace ?? "").filter { set in
            guard let selector = set.spec?.selector, !selector.isEmpty else { return false }
            return selector.matches(labels)
        }.map { ReconcileRequest(for: $0) }
    }
}
