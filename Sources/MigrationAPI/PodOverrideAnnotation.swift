/// Annotation keys a pod carries to adjust how a `MigrationPolicy` treats it.
public enum PodOverrideAnnotation {
    /// `"true"` keeps every policy away from the pod (it is skipped with an event). Manual
    /// `StatefulMigration`s still apply.
    public static let optOut = "migration.ms2m.io/opt-out"

    /// Overrides the template's `containerName`.
    public static let containerName = "migration.ms2m.io/container-name"
    /// Overrides the template's `messageQueueConfig.queueName`.
    public static let queueName = "migration.ms2m.io/queue-name"
    /// Overrides the template's `messageQueueConfig.exchangeName`.
    public static let exchangeName = "migration.ms2m.io/exchange-name"
    /// Overrides the template's `messageQueueConfig.routingKey`.
    public static let routingKey = "migration.ms2m.io/routing-key"
    /// Overrides the template's `migrationStrategy`.
    public static let migrationStrategy = "migration.ms2m.io/migration-strategy"
    /// Overrides the template's `replayCutoffSeconds` (whole seconds, 1 to 3600).
    public static let replayCutoffSeconds = "migration.ms2m.io/replay-cutoff-seconds"

    /// Containers of the pod that are not checkpointed, comma-separated (`istio-proxy,log-shipper`): the
    /// target starts them from their own image, as a new pod would. For stateless helpers a checkpoint cannot
    /// or need not carry, such as service-mesh proxies. Read by the engine for every migration of the pod,
    /// manual or planned; the replayed container (`containerName`) is always checkpointed.
    public static let freshContainers = "migration.ms2m.io/fresh-containers"

    /// The container names in a ``freshContainers`` value (blanks and empty entries dropped).
    public static func freshContainerNames(_ annotations: [String: String]) -> Set<String> {
        Set((annotations[freshContainers] ?? "").split(separator: ",").map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty })
    }

    /// Every key that overrides a template field (not `optOut`).
    public static let allKeys: Set<String> = [
        containerName, queueName, exchangeName, routingKey, migrationStrategy, replayCutoffSeconds,
    ]

    /// Whether the annotations opt the pod out of policy-driven migration.
    public static func isOptedOut(_ annotations: [String: String]) -> Bool {
        annotations[optOut]?.lowercased() == "true"
    }
}
