public import ControllerRuntime
import KubeModel
public import Logging
public import OperatorCore

/// The Job controller of the simulated cluster, behaving like kube-controller-manager's Job controller
/// (`pkg/controller/job`, NonIndexed completion mode) together with its TTL-after-finished controller:
/// pods from the template (`generateName: <job>-`, the job-name and controller-uid labels, a controller
/// ownerReference) up to parallelism and completions; succeeded and failed pods counted; failed pods
/// replaced after an exponential backoff until `backoffLimit` is exceeded; `activeDeadlineSeconds`;
/// suspension; the `FailureTarget`/`Failed` and `SuccessCriteriaMet`/`Complete` conditions; and deletion of
/// a finished Job after `ttlSecondsAfterFinished`.
///
/// Run it on its own with ``run()``, or add ``makeController(informers:api:)`` to a shared
/// `ControllerManager`.
public final class SimJobController: Sendable {
    /// Timing and concurrency of the controller.
    public struct Options: Sendable {
        /// Jobs reconciled at once (kube-controller-manager: `--concurrent-job-syncs`, 5).
        public var workers: Int
        /// The delay before the first replacement of a failed pod; it doubles with each further failure
        /// (kube-controller-manager: 10 s). Scale it down to speed up simulations.
        public var backoffBase: Duration
        /// The longest delay between replacements (kube-controller-manager: 10 minutes).
        public var maximumBackoff: Duration
        /// How a Job past its TTL is deleted (the TTL-after-finished controller uses Foreground).
        public var ttlPropagationPolicy: PropagationPolicy

        /// Options with kube-controller-manager's defaults.
        public init(
            workers: Int = 5, backoffBase: Duration = .seconds(10), maximumBackoff: Duration = .seconds(600),
            ttlPropagationPolicy: PropagationPolicy = .foreground
        ) {
            self.workers = workers
            self.backoffBase = backoffBase
            self.maximumBackoff = maximumBackoff
            self.ttlPropagationPolicy = ttlPropagationPolicy
        }
    }

    /// The controller's name in logs and metrics.
    public static let name = "job"

    private let api: any KubernetesAPI
    private let options: Options
    private let logger: Logger

    /// A controller acting through `api`.
    public init(
        api: any KubernetesAPI, options: Options = Options(), logger: Logger = Logger(label: "ms2m.sim.job-controller")
    ) {
        self.api = api
        self.options = options
        self.logger = logger
    }

    /// The controller for a shared manager: it reads from `informers` and writes through `api` (pass the
    /// manager's `informers` and `api`).
    public func makeController(informers: InformerFactory, api: any KubernetesAPI) -> Controller {
        let jobs = informers.informer(for: Job.self).cache
        let reconciler = JobReconciler(
            api: api, jobs: jobs, pods: informers.informer(for: Pod.self).cache, options: options,
            expectations: PodExpectations(), finishTimes: PodFinishTimes(), logger: logger)
        return ControllerBuilder(named: Self.name, for: Job.self)
            .owns(Pod.self)
            .withOptions(ControllerOptions(workers: options.workers))
            .build(reconciler: reconciler)
    }

    /// Runs the controller on its own manager until the task is cancelled.
    public func run() async {
        await StandaloneControllerHost.run(api: api, component: "job-controller", logger: logger) {
            informers, api in makeController(informers: informers, api: api)
        }
    }
}
