import ControllerRuntime
import Logging
import OperatorCore

/// Runs one workload controller on its own `ControllerManager` (no leader election, no HTTP endpoints), for
/// controllers started with `run()` rather than added to a shared manager.
enum StandaloneControllerHost {
    /// Runs the controller `make` builds until the task is cancelled.
    static func run(
        api: any KubernetesAPI, component: String, logger: Logger,
        make: (InformerFactory, any KubernetesAPI) -> Controller
    ) async {
        let manager = ControllerManager(
            api: api,
            configuration: ManagerConfiguration(
                leaderElection: nil, healthProbeAddress: nil, metricsAddress: nil,
                events: EventRecorderConfiguration(reportingController: component, reportingInstance: component)),
            logger: logger)
        manager.add(make(manager.informers, manager.api))
        do {
            try await manager.run()
        } catch where Task.isCancelled {
            // Cancellation is how the host is stopped.
        } catch {
            logger.error("Controller manager failed", metadata: [LogKeys.error: "\(error)"])
        }
    }
}
