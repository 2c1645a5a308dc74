public import ControllerRuntime
import KubeModel
public import Logging
import MigrationAPI
public import OperatorCore
import Unstructured

/// Reconciles one `MigrationPolicy`: observes the cluster from the informer caches, plans with
/// ``MigrationPlanner``, deletes cancelled children, creates planned ones and evicts the fallback's pods
/// (unless `dryRun`), records events, and writes the status with a merge patch of the status subresource
/// when it changed.
public struct MigrationPolicyReconciler: Reconciler {
    let api: any KubernetesAPI
    let caches: PolicyCaches
    let events: any PolicyEventSink
    let registry: PolicyRegistry
    let logger: Logger
    let now: @Sendable () -> Time
    /// How soon to look again while candidates wait for a budget (children finishing also wake the policy).
    let budgetRecheck: Duration
    /// The longest wait for a schedule window before looking again.
    let maxWindowWait: Duration

    /// Creates the reconciler; it reads the cluster from `caches` and writes through `api`.
    public init(
        api: any KubernetesAPI, caches: PolicyCaches, events: any PolicyEventSink,
        registry: PolicyRegistry = PolicyRegistry(),
        logger: Logger = Logger(label: "ms2m.policy"), budgetRecheck: Duration = .seconds(60),
        maxWindowWait: Duration = .seconds(600), now: @escaping @Sendable () -> Time = { .now() }
    ) {
        self.api = api
        self.caches = caches
        self.events = events
        self.registry = registry
        self.logger = logger
        self.budgetRecheck = budgetRecheck
        self.maxWindowWait = maxWindowWait
        self.now = now
    }

    public func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        await caches.waitForSync()
        // The policy itself is read from the API (one GET): its status must be the one last written, which
        // the status patch compares against and carries forward (`since`, evicted pods).
        let policy: MigrationPolicy
        do {
            policy = try await api.get(MigrationPolicy.self, name: request.name, namespace: nil)
        } catch where KubernetesErrors.isNotFound(error) {
            forget(request.name)
            return .done
        }
        guard policy.metadata.deletionTimestamp == nil else {
            // Deleting the policy stops planning; children in flight finish on their own.
            forget(request.name)
            return .done
        }
        let snapshot = caches.snapshot(for: policy, now: now())
        let plan = MigrationPlanner.plan(snapshot)
        let newlyDraining = registry.record(policy: request.name, drainingNodes: Set(plan.drainingNodes.map(\.name)))
        let dryRun = policy.spec.dryRun == true

        var execution = PolicyExecution()
        if !dryRun {
            execution = await carryOut(plan, policy: policy)
        }
        report(plan, policy: policy, dryRun: dryRun)

        let status = PolicyStatusBuilder.status(
            snapshot: snapshot, plan: plan, dryRun: dryRun, writeError: execution.firstError.map { "\($0)" },
            evictions: execution.evictions)
        try await writeStatus(status, of: policy, at: snapshot.now)
        if let writeError = execution.firstError { throw writeError }
        var result = requeue(after: plan, now: snapshot.now)
        if execution.evictions.values.joined().contains(where: { $0.outcome == .refused }) {
            // A disruption budget said no: ask again later (a pod elsewhere becoming ready may allow it).
            result = Self.sooner(result, .requeue(after: budgetRecheck))
        }
        if !newlyDraining.isEmpty {
            // Pods that changed on these nodes since the snapshot were mapped to no policy: look once more.
            result = Self.sooner(result, .requeue(after: .milliseconds(100)))
        }
        return result
    }

    private func forget(_ policy: String) {
        registry.remove(policy: policy)
        caches.expectations.forget(policy: policy)
    }

    /// The earlier of two results (`.done` is never earlier than a requeue).
    static func sooner(_ a: ReconcileResult, _ b: ReconcileResult) -> ReconcileResult {
        switch (a, b) {
        case (.requeue(let x), .requeue(let y)): .requeue(after: min(x, y))
        case (.requeue, .done): a
        default: b
        }
    }

    /// Deletes cancelled children, creates planned ones and evicts the fallback's pods; collects the first
    /// failure (after trying all) and each eviction's outcome.
    private func carryOut(_ plan: MigrationPlan, policy: MigrationPolicy) async -> PolicyExecution {
        var execution = PolicyExecution()
        var firstError: (any Error)? {
            get { execution.firstError }
            set { execution.firstError = newValue }
        }
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
                let created = try await api.create(child, namespace: move.namespace, options: WriteOptions())
                caches.expectations.created(created, policy: policy.metadata.name ?? "")
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
        for eviction in plan.evictions {
            do {
                execution.evictions[eviction.sourceNode, default: []].append(try await evict(eviction, policy: policyReference))
            } catch {
                firstError = firstError ?? error
                events.record(
                    .warning, reason: PolicyEventReason.evictionFailed, action: "Evict",
                    note: "Cannot evict pod \(eviction.namespace)/\(eviction.pod): \(error)", regarding: policyReference,
                    related: podReference(eviction.namespace, eviction.pod))
            }
        }
        return execution
    }

    /// Evicts one pod through the eviction API with the pod's UID as precondition. A 429 (a disruption
    /// budget forbids it) is an outcome, not an error; a pod already gone (404) or replaced by a same-named
    /// successor (409) counts as evicted. Any other failure is thrown.
    private func evict(_ eviction: PlannedEviction, policy: ObjectReference) async throws -> EvictedPod {
        let pod = podReference(eviction.namespace, eviction.pod)
        let options = DeleteOptions(preconditions: DeleteOptions.Preconditions(uid: eviction.podUID))
        let because = "\(eviction.reason.rawValue): \(eviction.message)"
        do {
            try await api.evict(podName: eviction.pod, namespace: eviction.namespace, options: options)
        } catch where KubernetesErrors.isTooManyRequests(error) {
            let note = "Eviction of pod \(eviction.namespace)/\(eviction.pod) refused (a PodDisruptionBudget forbids it); retrying later: \(error)"
            events.record(.warning, reason: PolicyEventReason.evictionRefused, action: "Evict", note: note, regarding: policy, related: pod)
            events.record(.warning, reason: PolicyEventReason.evictionRefused, action: "Evict", note: note, regarding: pod, related: policy)
            return EvictedPod(
                namespace: eviction.namespace, name: eviction.pod, reason: eviction.reason.rawValue, outcome: .refused,
                message: "refused by a PodDisruptionBudget; \(because)")
        } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {
            return EvictedPod(
                namespace: eviction.namespace, name: eviction.pod, reason: eviction.reason.rawValue, outcome: .evicted,
                message: "already gone; \(because)")
        }
        logger.info("Evicted Pod", metadata: [
            "pod": "\(eviction.namespace)/\(eviction.pod)", "node": "\(eviction.sourceNode)",
            "reason": "\(eviction.reason.rawValue)",
        ])
        let note = "Evicted pod \(eviction.namespace)/\(eviction.pod) from draining node \(eviction.sourceNode) (fallback Evict; \(because))"
        events.record(.normal, reason: PolicyEventReason.evicted, action: "Evict", note: note, regarding: policy, related: pod)
        events.record(.normal, reason: PolicyEventReason.evicted, action: "Evict", note: note, regarding: pod, related: policy)
        return EvictedPod(
            namespace: eviction.namespace, name: eviction.pod, reason: eviction.reason.rawValue, outcome: .evicted,
            message: eviction.message)
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
        let previouslyYielded = Set(
            (policy.status?.drainingNodes ?? []).flatMap { node in
                (node.yieldedPods ?? []).map { "\($0.namespace)/\($0.name)>\($0.winner)" }
            })
        for pod in plan.yielded where !previouslyYielded.contains("\(pod.namespace)/\(pod.pod)>\(pod.winner)") {
            events.record(
                .normal, reason: PolicyEventReason.podYielded, action: "Plan",
                note: "Pod \(pod.namespace)/\(pod.pod) on draining node \(pod.node) is left to policy \(pod.winner) (\(pod.why))",
                regarding: policyReference, related: podReference(pod.namespace, pod.pod))
        }
        if dryRun {
            for eviction in plan.evictions {
                events.record(
                    .normal, reason: PolicyEventReason.evicted, action: "DryRun",
                    note: "Dry run: would evict pod \(eviction.namespace)/\(eviction.pod) (\(eviction.reason.rawValue): \(eviction.message))",
                    regarding: policyReference, related: podReference(eviction.namespace, eviction.pod))
            }
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
        let patch: JSONValue = ["status": JSONMergePatch.diff(from: old, to: new)]
        do {
            _ = try await api.patchStatus(
                MigrationPolicy.self, name: policy.metadata.name ?? "", namespace: nil, patch: .merge(patch),
                options: WriteOptions())
        } catch where KubernetesErrors.isNotFound(error) {
            // Deleted since it was read: the normal end of a policy, not a failed reconcile.
            forget(policy.metadata.name ?? "")
        }
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

/// What carrying out a plan did: the first failed write, and each eviction's outcome by source node.
struct PolicyExecution {
    var firstError: (any Error)?
    var evictions: [String: [EvictedPod]] = [:]
}
