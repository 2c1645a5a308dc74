/// The condition types and reasons of a `MigrationPolicy`'s status.
public enum PolicyConditions {
    /// The policy was observed and planned.
    public static let ready = "Ready"
    /// Migrations are in flight or waiting.
    public static let progressing = "Progressing"
    /// Something needs attention: unplaceable pods, failed migrations, or a bad schedule.
    public static let degraded = "Degraded"

    /// Ready: the last reconcile planned and carried out the plan.
    public static let reasonPlanned = "Planned"
    /// Ready false: creating or deleting children failed.
    public static let reasonWriteFailed = "WriteFailed"
    /// Progressing: children are in flight or candidates wait.
    public static let reasonMigrating = "Migrating"
    /// Progressing: dry run; a plan exists but nothing is created.
    public static let reasonDryRun = "DryRun"
    /// Progressing false: nothing to do.
    public static let reasonIdle = "Idle"
    /// Degraded: covered pods fit no target.
    public static let reasonPodsUnplaceable = "PodsUnplaceable"
    /// Degraded: some children failed.
    public static let reasonMigrationsFailed = "MigrationsFailed"
    /// Degraded: a schedule window cannot be parsed.
    public static let reasonInvalidSchedule = "InvalidSchedule"
    /// Degraded false.
    public static let reasonAsExpected = "AsExpected"
}
