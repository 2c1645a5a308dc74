public import ControllerRuntime
import Foundation
import KubeModel
public import Logging
import MigrationAPI
import OperatorCore

/// The MS2M phase engine: reconciles one `StatefulMigration` from Pending to Completed (or Failed and
/// rolled back), one phase step per pass, resuming from the status after any crash.
///
/// Each pass reads the migration, checks the phase's time limit, runs the phase's handler, and persists
/// the status; a handler that finishes its phase lets the next phase start in the same pass. Waiting is
/// event-driven: the controller wakes the migration when its Job, pods or StatefulSet change; only replay
/// (queue depth) is polled, at ``EngineConfiguration/replayPollInterval``.
public struct MigrationReconciler: Reconciler {
    let ports: MigrationEnginePorts
    let configuration: EngineConfiguration
    let index: MigrationIndex
    let metrics: MigrationMetrics
    let logger: Logger
    let targetChecks = TargetCheckSchedule()

    /// Creates the engine.
    public init(
        ports: MigrationEnginePorts, configuration: EngineConfiguration = EngineConfiguration(), index: MigrationIndex,
        metrics: MigrationMetrics = MigrationMetrics(nil), logger: Logger = Logger(label: "ms2m.engine")
    ) {
        self.ports = ports
        self.configuration = configuration
        self.index = index
        self.metrics = metrics
        self.logger = logger
    }

    public func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        let migration: StatefulMigration
        do {
            migration = try await ports.api.get(StatefulMigration.self, name: request.name, namespace: request.namespace)
        } catch where KubernetesErrors.isNotFound(error) {
            index.remove(request)
            targetChecks.forget(namespace: request.namespace, name: request.name)
            return .done
        }
        index.record(migration)
        var log = logger
        log[metadataKey: "migration"] = "\(request)"
        let run = MigrationRun(
            migration: migration, ports: ports, configuration: configuration, logger: log, targetChecks: targetChecks)

        if migration.metadata.deletionTimestamp != nil {
            if run.phase != .completed {
                if !run.phase.isFinal {
                    run.status.failedPhase = run.phase
                }
                // Deleting a migration gives up whatever it retained.
                try await run.runRollback(discarding: true)
                try await run.persist()
            }
            try await run.removeFinalizer()
            return .done
        }

        for _ in 0..<MigrationPhase.allCases.count + 1 {
            switch run.phase {
            case .completed:
                try await run.removeFinalizer()
                return .done
            case .failed:
                if run.stateRetained, run.recoveryAction == RecoveryAnnotation.resume {
                    log.info("resuming the restore from the retained state")
                    try await run.resumeRestore()
                    index.record(run.migrationSnapshot)
                    continue
                }
                try await run.runRollback(discarding: run.recoveryAction == RecoveryAnnotation.discardState)
                try await run.persist()
                if run.stateRetained {
                    if let action = run.recoveryAction, action != RecoveryAnnotation.resume, action != RecoveryAnnotation.discardState {
                        run.ports.events.record(
                            .warning, reason: "RecoveryAnnotationInvalid",
                            note: "\(RecoveryAnnotation.action)=\(action) is neither \(RecoveryAnnotation.resume) nor \(RecoveryAnnotation.discardState); the state stays retained",
                            about: run.migrationSnapshot)
                    }
                    return .done  // until the user decides (the annotation wakes us)
                }
                try await run.clearRecoveryAnnotations()
                try await run.removeFinalizer()
                return .done
            default:
                break
            }
            if run.status.phase == nil {
                run.enter(.pending)
            }
            let phase = run.phase
            if let limit = limit(of: phase, run), let started = run.status.phaseStartTime {
                if Date().timeIntervalSince(started.date) > limit.seconds {
                    run.fail(reason: "PhaseTimeout", message: "phase \(phase.rawValue) did not finish within \(GoDuration.string(limit))")
                    try await run.persist()
                    continue
                }
            }
            let outcome: PhaseOutcome
            do {
                outcome = try await handle(phase, run)
            } catch let failure as MigrationFailure {
                outcome = .fail(reason: failure.reason, message: failure.message)
            } catch {
                try? await run.persist()  // keep the measurements made so far
                log.debug("phase \(phase.rawValue) will be retried: \(error)")
                throw error
            }
            switch outcome {
            case .advance(let next):
                log.info("phase \(phase.rawValue) → \(next.rawValue)")
                recordPhaseEnd(phase, run)
                run.enter(next)
                try await run.persist()
                index.record(run.migrationSnapshot)
                if next == .completed {
                    metrics.finished(.completed, reason: nil)
                    metrics.returned(run.status.replay?.messagesReturned ?? 0)
                }
            case .wait(let after):
                try await run.persist()
                let remaining = remainingTime(of: phase, run)
                let delay = min(after ?? configuration.idleRequeue, remaining)
                return .requeue(after: max(delay, .milliseconds(10)))
            case .fail(let reason, let message):
                log.warning("phase \(phase.rawValue) failed: \(reason): \(message)")
                recordPhaseEnd(phase, run)
                run.fail(reason: reason, message: message)
                try await run.persist()
                metrics.finished(.failed, reason: reason)
            }
        }
        return .requeue(after: .zero)
    }

    private func recordPhaseEnd(_ phase: MigrationPhase, _ run: MigrationRun) {
        guard let started = run.status.phaseStartTime else { return }
        metrics.phaseFinished(phase, after: .milliseconds(Int64(max(0, Date().timeIntervalSince(started.date)) * 1000)))
    }

    private func handle(_ phase: MigrationPhase, _ run: MigrationRun) async throws -> PhaseOutcome {
        switch phase {
        case .pending: try await run.runPending()
        case .checkpointing: try await run.runCheckpointing()
        case .transferring: try await run.runTransferring()
        case .restoring: try await run.runRestoring()
        case .replaying: try await run.runReplaying()
        case .finalizing: try await run.runFinalizing()
        case .completed, .failed: .wait(after: nil)
        }
    }

    /// The time limit of `phase` for the migration `run` is at; nil without one. Once the source is gone the
    /// restore deadline (`spec.restore`), not the phase's limit, ends Restoring.
    private func limit(of phase: MigrationPhase, _ run: MigrationRun) -> Duration? {
        if phase == .restoring && run.sourceGone { return nil }
        return configuration.timeout(of: phase, for: run.migrationSnapshot)
    }

    /// Time left before the phase's limit (a little after it, so the next pass sees it expired).
    private func remainingTime(of phase: MigrationPhase, _ run: MigrationRun) -> Duration {
        guard let limit = limit(of: phase, run), let started = run.status.phaseStartTime else {
            return configuration.idleRequeue
        }
        let left = limit.seconds - Date().timeIntervalSince(started.date) + 0.05
        return .milliseconds(Int64(max(0.01, left) * 1000))
    }
}

extension MigrationRun {
    /// The migration as last written (for the index and limits).
    var migrationSnapshot: StatefulMigration {
        var copy = migration
        copy.status = status
        return copy
    }
}
