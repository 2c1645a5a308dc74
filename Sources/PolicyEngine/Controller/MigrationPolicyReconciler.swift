public import ControllerRuntime
import KubeModel
public import Logging
import MigrationAPI
public import OperatorCore
import Unstructured

/// Reconciles one `MigrationPolicy`: observes the cluster, plans with ``MigrationPlanner``, deletes
/// cancelled children and creates planned ones (unless `dryRun`), records events, and writes the status
/// with a merge patch of the status subresource when it changed.
public struct MigrationPolicyReconciler: Reconciler {
    let api: any KubernetesAPI
    let events: any PolicyEventSink
    let registry: PolicyRegistry
    let logger: Logger
    let now: @Sendable () -> Time
    /// How soon to look again while candidates wait for a budget (children finishing also wake the policy).
    let budgetRecheck: Duration
    /// The longest wait for a schedule window before looking again.
    let maxWindowWait: Duration

    /// Creates the reconciler.
    public init(
        api: any KubernetesAPI, events: any PolicyEventSink, registry: PolicyRegistry = PolicyRegistry(),
        logger: Logger = Logger(label: "ms2m.policy"), budgetRecheck: Duration = .seconds(60),
        maxWindowWait: Duration = .seconds(600), now: @escaping @Sendable () -> Time = { .now() }
    ) {
        self.api = api
        self.events = events
        self.registry = registry
        self.logger = logger
        self.budgetRecheck = budgetRecheck
        self.maxWindowWait = maxWindowWait
        self.now = now
    }

    public func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        let policy: MigrationPolicy
        do {
            policy = try await api.get(MigrationPolicy.self, name: request.name, namespace: nil)
        } catch where KubernetesErrors.isNotFound(error) {
            registry.remove(policy: request.name)
            return .done
        }
        guard policy.metadata.deletionTimestamp == nil else {
            // Deleting the policy stops planning; children in flight finish on their own.
            registry.remove(policy: request.name)
            return .done
        }
        let snapshot = try await observe(policy)
        let plan = MigrationPlanner.plan(snapshot)
        registry.record(policy: request.name, drainingNodes: Set(plan.drainingNodes.map(\.name)))
        let dryRun = policy.spec.dryRun == true

        var writeError: (any Error)?
        if !dryRun {
            writeError = await carryOut(plan, policy: policy)
        }
        report(plan, policy: policy, dryRun: dryRun)

        let status = PolicyStatusBuilder.status(
            snapshot: snapshot, plan: plan, dryRun: dryRun, writeError: writeError.map { "\($0)" })
        try await writeStatus(status, of: policy, at: snapshot.now)
        if let writeError { throw writeError }
        return requeue(after: plan, now: snapshot.now)
    }

    /// Reads everything the planner needs.
    func observe(_ policy: MigrationPolicy) async throws -> PolicySnapshot {
        let nodes = try await api.listAll(Node.self, namespace: nil, options: ListOptions(), pageSize: 500).items
        let pods = try await api.listAll(Pod.self, namespace: nil, options: ListOptions(), pageSize: 500).items
        let migrations = try await api.listAll(
            StatefulMigration.self, namespace: nil, options: ListOptions(), pageSize: 500
        ).items
        var namespaceLabels: [String: [String: String]] = [:]
        if policy.spec.selection?.namespaceSelector != nil {
            for namespace in try await api.listAll(Namespace.self, namespace: nil, options: ListOptions(), pageSize: 500).items {
                namespaceLabels[namespace.metadata.name ?? ""] = namespace.metadata.labels ?? [:]
            }
        }
        return PolicySnapshot(
            policy: policy, nodes: nodes, pods: pods, namespaceLabels: namespaceLabels, migrations: migrations,
            now: now())
    }

    /// Deletes cancelled children and creates planned ones; returns the first failure (after trying all).
    private func carryOut(_ plan: MigrationPlan, policy: MigrationPolicy) async -> (any Error)? {
        var firstError: (any Error)?
        let policyReference = ObjectReference(to: policy)
        for cancellation in plan.cancellations {
            do {
                _ = try await api.delete(
                    StatefulMigration.self, name: cancellation.name, namespace: cancellation.namespace,
                    options: DeleteOptions())
            } catch where KubernetesErrors.isNotFound(error) {
                continue
            } catch {
                firstError = firstError ?? error
                events.record(
                    .warning, reason: PolicyEventReason.migrationWriteFailed, action: "Cancel",
                    note: "Cannot delete migration \(cancellation.namespace)/\(cancellation.name): \(error)",
                    regarding: policyReference, related: nil)
                continue
            }
            logger.info("Cancelled StatefulMigration", metadata: [
                "migration": "\(cancellation.namespace)/\(cancellation.name)", "node": "\(cancellation.sourceNode)",
            ])
            events.record(
                .normal, reason: PolicyEventReason.migrationCancelled, action: "Cancel",
                note: "Cancelled migration of pod \(cancellation.namespace)/\(cancellation.pod): node \(cancellation.sourceNode) no longer drains",
                regarding: policyReference,
                related: ObjectReference(
                    kind: StatefulMigration.kind, namespace: cancellation.namespace, name: cancellation.name,
                    apiVersion: StatefulMigration.apiVersion))
        }
        for move in plan.moves {
            let child = ChildMigrationFactory.child(for: move, policy: policy)
            do {
                _ = try await api.create(child, namespace: move.namespace, options: WriteOptions())
            } catch where KubernetesErrors.isAlreadyExists(error) {
                continue
            } catch {
                firstError = firstError ?? error
                events.record(
                    .warning, reason: PolicyEventReason.migrationWriteFailed, action: "Migrate",
                    note: "Cannot create migration \(move.namespace)/\(move.migrationName): \(error)",
                    regarding: policyReference, related: nil)
                continue
            }
            logger.info("Created StatefulMigration", metadata: [
                "migration": "\(move.namespace)/\(move.migrationName)", "source": "\(move.sourceNode)",
                "target": "\(move.targetNode)",
            ])
            events.record(
                .normal, reason: PolicyEventReason.migrationPlanned, action: "Migrate",
                note: "Migrating pod \(move.namespace)/\(move.pod) from \(move.sourceNode) to \(move.targetNode) (\(move.reason.rawValue))",
                regarding: policyReference,
                related: ObjectReference(
                    kind: StatefulMigration.kind, namespace: move.namespace, name: move.migrationName,
                    apiVersion: StatefulMigration.apiVersion))
        }
        return firstError
    }

    /// Events about the plan: opt-outs and unplaceable pods, the invalid schedules, and in dry run the moves.
    private func report(_ plan: MigrationPlan, policy: MigrationPolicy, dryRun: Bool) {
        let policyReference = ObjectReference(to: policy)
        for skipped in plan.skipped where skipped.reason == .optedOut {
            events.record(
                .normal, reason: PolicyEventReason.podOptedOut, action: "Skip",
                note: "Pod is opted out of policy \(policy.metadata.name ?? "") on draining node \(skipped.node)",
                regarding: podReference(skipped.namespace, skipped.pod), related: policyReference)
        }
        for pod in plan.unplaceable {
            events.record(
                .warning, reason: PolicyEventReason.podUnplaceable, action: "Place",
                note: "No node fits pod \(pod.namespace)/\(pod.pod) (\(pod.reason)): \(pod.message)",
                regarding: podReference(pod.namespace, pod.pod), related: policyReference)
        }
        for schedule in plan.invalidSchedules {
            events.record(
                .warning, reason: PolicyEventReason.invalidSchedule, action: "Plan",
                note: "Schedule \"\(schedule)\" cannot be parsed; its window never opens", regarding: policyReference,
                related: nil)
        }
        if dryRun {
            for move in plan.moves {
                events.record(
                    .normal, reason: PolicyEventReason.migrationPlanned, action: "DryRun",
                    note: "Dry run: would migrate pod \(move.namespace)/\(move.pod) from \(move.sourceNode) to \(move.targetNode)",
                    regarding: policyReference, related: podReference(move.namespace, move.pod))
            }
        }
    }

    private func podReference(_ namespace: String, _ name: String) -> ObjectReference {
        ObjectReference(kind: Pod.kind, namespace: namespace, name: name, apiVersion: Pod.apiVersion)
    }

    /// Writes `status` when it differs from the stored one (ignoring `lastPlanTime`), stamping the time.
    private func writeStatus(_ status: MigrationPolicyStatus, of policy: MigrationPolicy, at time: Time) async throws {
        var previous = policy.status ?? MigrationPolicyStatus()
        previous.lastPlanTime = nil
        var comparable = status
        comparable.lastPlanTime = nil
        guard comparable != previous || policy.status == nil else { return }
        var stamped = status
        stamped.lastPlanTime = time
        let encoder = JSONValueEncoder()
        let new = try encoder.encode(stamped)
        let old = try policy.status.map { try encoder.encode($0) }
        let patch: JSONValue = ["status": PolicyStatusPatch.mergePatch(from: old, to: new)]
        _ = try await api.patchStatus(
            MigrationPolicy.self, name: policy.metadata.name ?? "", namespace: nil, patch: .merge(patch),
            options: WriteOptions())
    }

    /// When to look again: at the next window opening, or soon while budgets hold candidates back.
    private func requeue(after plan: MigrationPlan, now: Time) -> ReconcileResult {
        var delay: Duration?
        if let opening = plan.nextWindowOpening {
            let seconds = max(1, opening.secondsSinceEpoch - now.secondsSinceEpoch)
            delay = min(.seconds(seconds), maxWindowWait)
        }
        if plan.isWaitingOnBudget { delay = min(delay ?? budgetRecheck, budgetRecheck) }
        return delay.map { .requeue(after: $0) } ?? .done
    }
}
