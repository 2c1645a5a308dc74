public import ControllerRuntime
public import KubeModel

/// Where the policy controller reports what it did (Kubernetes Events through `EventRecorder` in
/// production; a recording fake in tests). Must return at once.
public protocol PolicyEventSink: Sendable {
    /// Records that `action` happened regarding `regarding` because of `reason` (UpperCamelCase).
    func record(
        _ type: EventType, reason: String, action: String, note: String, regarding: ObjectReference,
        related: ObjectReference?)
}

extension EventRecorder: PolicyEventSink {}

/// The reasons of the policy controller's events.
public enum PolicyEventReason {
    /// A child `StatefulMigration` was created (or, in dry run, would have been).
    public static let migrationPlanned = "MigrationPlanned"
    /// A pending child was deleted because its node stopped draining.
    public static let migrationCancelled = "MigrationCancelled"
    /// A covered pod on a draining node fits no target.
    public static let podUnplaceable = "PodUnplaceable"
    /// A covered pod on a draining node is opted out by annotation.
    public static let podOptedOut = "PodOptedOut"
    /// Creating or deleting a child failed.
    public static let migrationWriteFailed = "MigrationWriteFailed"
    /// A schedule window's cron expression cannot be parsed.
    public static let invalidSchedule = "InvalidSchedule"
    /// The fallback evicted a pod through the eviction API (or, in dry run, would have).
    public static let evicted = "Evicted"
    /// A PodDisruptionBudget refused the fallback's eviction; it is retried on a later pass.
    public static let evictionRefused = "EvictionRefused"
    /// The eviction API failed for another reason.
    public static let evictionFailed = "EvictionFailed"
    /// A covered pod is left to another policy that also covers it and wins.
    public static let podYielded = "PodYielded"
    /// The eviction webhook refused an eviction of a covered pod and asked for its live migration instead.
    public static let evictionIntercepted = "EvictionIntercepted"
}
