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

    /// Every key that overrides a template field (not `optOut`).
    public static let allKeys: Set<String> = [
        containerName, queueName, exchangeName, routingKey, migrationStrategy, replayCutoffSeconds,
    ]

    /// Whether the annotations opt the pod out of policy-driven migration.
    public static func isOptedOut(_ annotations: [String: String]) -> Bool {
        annotations[optOut]?.lowercased() == "true"
    }
}
