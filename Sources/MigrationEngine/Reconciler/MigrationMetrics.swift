public import ControllerRuntime
import MigrationAPI

/// The engine's Prometheus metrics, in the manager's registry:
///
/// - `ms2m_migration_phase_duration_seconds{phase}`: time spent per phase (histogram);
/// - `ms2m_migrations_finished_total{result}`: migrations that reached Completed or Failed;
/// - `ms2m_migration_failures_total{reason}`: failures by reason;
/// - `ms2m_replay_messages_returned_total`: messages handed back from replay to primary queues.
public struct MigrationMetrics: Sendable {
    private let runtime: RuntimeMetrics?

    /// Metrics in `runtime`'s registry; nil records nothing.
    public init(_ runtime: RuntimeMetrics?) { self.runtime = runtime }

    func phaseFinished(_ phase: MigrationPhase, after duration: Duration) {
        runtime?.histogram("ms2m_migration_phase_duration_seconds", "Time spent in each migration phase.", [("phase", phase.rawValue)])
            .record(duration)
    }

    func finished(_ result: MigrationPhase, reason: String?) {
        runtime?.counter("ms2m_migrations_finished_total", "Migrations that reached a final phase.", [("result", result.rawValue)]).increment()
        if result == .failed {
            runtime?.counter("ms2m_migration_failures_total", "Failed migrations by reason.", [("reason", reason ?? "Unknown")]).increment()
        }
    }

    func returned(_ count: Int64) {
        guard count > 0 else { return }
        runtime?.counter("ms2m_replay_messages_returned_total", "Messages moved from replay queues back to primary queues.", []).increment(by: count)
    }
}
