public import ControllerRuntime
public import Logging
public import MigrationEngine
public import OperatorCore
import PolicyEngine

/// What the operator process runs, beyond the manager's own settings.
public struct OperatorOptions: Sendable {
    /// Leader election, probes, metrics, events.
    public var manager: ManagerConfiguration
    /// The phase engine's settings (transfer image, timeouts, replay polling).
    public var engine: EngineConfiguration
    /// Migrations reconciled at once.
    public var migrationWorkers: Int

    /// Creates options.
    public init(manager: ManagerConfiguration = ManagerConfiguration(), engine: EngineConfiguration = EngineConfiguration(), migrationWorkers: Int = 8) {
        self.manager = manager
        self.engine = engine
        self.migrationWorkers = migrationWorkers
    }
}

/// Builds the operator: one `ControllerManager` running the StatefulMigration engine (and the
/// MigrationPolicy controller), wired to the given adapters. `ms2m-operator` passes the real ones
/// (KubeClient, RabbitMQ, the registry); `ms2m simulate` and the end-to-end tests pass the same or
/// in-process ones.
public enum OperatorAssembly {
    /// The manager with the operator's controllers added; run it under a ServiceGroup.
    public static func makeManager(
        api: any KubernetesAPI & KubeletCheckpointing, brokers: any MessageBrokerConnecting,
        images: any CheckpointImageDeleting, options: OperatorOptions, logger: Logger
    ) -> ControllerManager {
        let manager = ControllerManager(api: api, configuration: options.manager, logger: logger)
        let ports = MigrationEnginePorts(
            api: manager.api, kubelet: api, brokers: brokers, images: images, events: EventRecorderSink(recorder: manager.events))
        manager.add(MigrationController.make(ports: ports, configuration: options.engine, workers: options.migrationWorkers, metrics: manager.metrics, logger: logger))
        manager.add(MigrationPolicyController.make(
            api: manager.api, informers: manager.informers, events: manager.events, logger: logger))
        return manager
    }
}
