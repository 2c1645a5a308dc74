public import ControllerRuntime
import KubeModel
public import Logging
import MigrationAPI

/// The `StatefulMigration` controller: the engine's reconciler, woken by changes to migrations, to the
/// transfer Jobs they own, and to the pods and StatefulSets they involve.
public enum MigrationController {
    /// The controller's name (metrics, logs).
    public static let name = "statefulmigration"

    /// Builds the controller; add it to a `ControllerManager`.
    ///
    /// - Parameter workers: migrations reconciled at once (each reconcile is one short step).
    public static func make(
        ports: MigrationEnginePorts, configuration: EngineConfiguration = EngineConfiguration(), workers: Int = 8,
        metrics: RuntimeMetrics? = nil, logger: Logger = Logger(label: "ms2m.engine")
    ) -> Controller {
        let index = MigrationIndex()
        let reconciler = MigrationReconciler(
            ports: ports, configuration: configuration, index: index, metrics: MigrationMetrics(metrics), logger: logger)
        return ControllerBuilder(named: name, for: StatefulMigration.self)
            .owns(Job.self, informerOptions: InformerOptions(labelSelector: MigrationNames.migrationLabel))
            .watches(Pod.self) { pod in
                let namespace = pod.metadata.namespace ?? ""
                var requests = index.migrations(forPod: pod.metadata.name ?? "", namespace: namespace)
                if let owner = pod.metadata.labels?[MigrationNames.migrationLabel] {
                    let request = ReconcileRequest(namespace: namespace, name: owner)
                    if !requests.contains(request) { requests.append(request) }
                }
                return requests
            }
            .watches(StatefulSet.self) { set in
                index.migrations(forStatefulSet: set.metadata.name ?? "", namespace: set.metadata.namespace ?? "")
            }
            .withOptions(ControllerOptions(workers: workers))
            .build(reconciler: reconciler)
    }
}
