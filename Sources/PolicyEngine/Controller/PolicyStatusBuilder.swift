public import KubeModel
public import MigrationAPI

/// Derives a policy's status from its snapshot and plan (pure; KubeVirt's `updateStatus`): counts over the
/// children and candidates, one entry per draining node, budget use, the plan, and the Ready, Progressing and
/// Degraded conditions with observedGeneration.
public enum PolicyStatusBuilder {
    /// The status after carrying out `plan` (or, with `dryRun`, only reporting it). `writeError` is the
    /// first failed create, delete or eviction, if any; `evictions` are this pass's eviction outcomes by
    /// source node (pods evicted on earlier passes are carried forward from the previous status while their
    /// node drains).
    public static func status(
        snapshot: PolicySnapshot, plan: MigrationPlan, dryRun: Bool, writeError: String? = nil,
        evictions: [String: [EvictedPod]] = [:]
    ) -> MigrationPolicyStatus {
        let policy = snapshot.policy
        let generation = policy.metadata.generation
        let previous = policy.status
        let index = ChildMigrationIndex(
            migrations: snapshot.migrations, policy: policy.metadata.name ?? "",
            podsByKey: Dictionary(snapshot.pods.map { (PlanningContext.key($0), $0) }, uniquingKeysWith: { a, _ in a }))
        let created = dryRun ? 0 : plan.moves.count
        let completed = index.ended.filter { $0.status?.phase == .completed }
        let failed = index.ended.filter { $0.status?.phase == .failed }

        var status = MigrationPolicyStatus()
        status.observedGeneration = generation
        status.migrations = MigrationCounts(
            planned: Int32(plan.waiting.count + (dryRun ? plan.moves.count : 0)),
            running: Int32(index.inFlight.count + created), completed: Int32(completed.count),
            failed: Int32(failed.count), unplaceable: Int32(plan.unplaceable.count))
        status.drainingNodeCount = Int32(plan.drainingNodes.count)
        status.drainingNodes = plan.drainingNodes.map { node in
            nodeStatus(
                node, plan: plan, index: index, dryRun: dryRun, previous: previous, evictions: evictions[node.name] ?? [],
                now: snapshot.now)
        }
        let evictedTotal = status.drainingNodes?.reduce(Int32(0)) { $0 + ($1.migrations?.evicted ?? 0) } ?? 0
        status.migrations?.evicted = evictedTotal
        status.migrations?.yielded = Int32(plan.yielded.count)
        var budget = BudgetUsage(inFlight: Int32(plan.budget.inFlight), maxConcurrent: Int32(plan.budget.maxConcurrent))
        budget.outboundByNode = plan.budget.outboundByNode.mapValues(Int32.init)
        budget.inboundByNode = plan.budget.inboundByNode.mapValues(Int32.init)
        budget.scheduleWindowOpen = plan.drainWindowOpen
        status.budget = budget
        status.plan = plan.moves.map {
            PlannedMigration(
                namespace: $0.namespace, pod: $0.pod, sourceNode: $0.sourceNode, targetNode: $0.targetNode,
                migrationName: $0.migrationName, reason: $0.reason.rawValue)
        }
        status.lastPlanTime = previous?.lastPlanTime

        var conditions = previous?.conditions ?? []
        let now = snapshot.now
        if let writeError {
            conditions.setCondition(
                Condition(type: PolicyConditions.ready, status: .false, observedGeneration: generation,
                    reason: PolicyConditions.reasonWriteFailed, message: writeError), now: now)
        } else {
            conditions.setCondition(
                Condition(type: PolicyConditions.ready, status: .true, observedGeneration: generation,
                    reason: PolicyConditions.reasonPlanned,
                    message: "\(plan.drainingNodes.count) node(s) draining, \(plan.moves.count) move(s) planned"),
                now: now)
        }
        let busy = index.inFlight.count + plan.moves.count + plan.waiting.count
        if busy > 0 {
            conditions.setCondition(
                Condition(type: PolicyConditions.progressing, status: .true, observedGeneration: generation,
                    reason: dryRun ? PolicyConditions.reasonDryRun : PolicyConditions.reasonMigrating,
                    message: "\(index.inFlight.count + created) in flight, \(plan.waiting.count) waiting"),
                now: now)
        } else {
            conditions.setCondition(
                Condition(type: PolicyConditions.progressing, status: .false, observedGeneration: generation,
                    reason: PolicyConditions.reasonIdle, message: "nothing to migrate"), now: now)
        }
        if !plan.invalidSchedules.isEmpty {
            conditions.setCondition(
                Condition(type: PolicyConditions.degraded, status: .true, observedGeneration: generation,
                    reason: PolicyConditions.reasonInvalidSchedule,
                    message: "cannot parse schedule(s): \(plan.invalidSchedules.joined(separator: ", "))"), now: now)
        } else if !plan.unplaceable.isEmpty {
            conditions.setCondition(
                Condition(type: PolicyConditions.degraded, status: .true, observedGeneration: generation,
                    reason: PolicyConditions.reasonPodsUnplaceable,
                    message: "\(plan.unplaceable.count) pod(s) fit no target"), now: now)
        } else if !failed.isEmpty {
            conditions.setCondition(
                Condition(type: PolicyConditions.degraded, status: .true, observedGeneration: generation,
                    reason: PolicyConditions.reasonMigrationsFailed, message: "\(failed.count) migration(s) failed"),
                now: now)
        } else {
            conditions.setCondition(
                Condition(type: PolicyConditions.degraded, status: .false, observedGeneration: generation,
                    reason: PolicyConditions.reasonAsExpected, message: "all covered pods can move"), now: now)
        }
        status.conditions = conditions
        return status
    }

    private static func nodeStatus(
        _ node: DrainingNode, plan: MigrationPlan, index: ChildMigrationIndex, dryRun: Bool,
        previous: MigrationPolicyStatus?, evictions: [EvictedPod], now: Time
    ) -> DrainingNodeStatus {
        let previousEntry = previous?.drainingNodes?.first { $0.name == node.name }
        let moves = plan.moves.filter { $0.sourceNode == node.name }.count
        let waiting = plan.waiting.filter { $0.sourceNode == node.name }.count
        let unplaceable = plan.unplaceable.filter { $0.sourceNode == node.name }
        let skipped = plan.skipped.filter { $0.node == node.name }.count
        let ended = index.ended.filter { ChildMigrationIndex.sourceNode(of: $0) == node.name }
        var entry = DrainingNodeStatus(name: node.name)
        entry.triggers = node.triggers
        entry.podsTotal = Int32(moves + waiting + unplaceable.count + skipped)
        entry.migrations = MigrationCounts(
            planned: Int32(waiting + (dryRun ? moves : 0)),
            running: Int32(index.outbound[node.name, default: 0] + (dryRun ? 0 : moves)),
            completed: Int32(ended.filter { $0.status?.phase == .completed }.count),
            failed: Int32(ended.filter { $0.status?.phase == .failed }.count),
            unplaceable: Int32(unplaceable.count))
        entry.unplaceablePods = unplaceable.isEmpty ? nil : unplaceable.map {
            UnplaceablePod(namespace: $0.namespace, name: $0.pod, reason: $0.reason, message: $0.message)
        }
        // Evicted pods are gone from the snapshot; remember them while the node drains. This pass's outcome
        // for a pod replaces the remembered one.
        var evicted = (previousEntry?.evictedPods ?? []).filter { $0.outcome == .evicted }
        for outcome in evictions {
            evicted.removeAll { $0.namespace == outcome.namespace && $0.name == outcome.name }
            evicted.append(outcome)
        }
        evicted.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        entry.evictedPods = evicted.isEmpty ? nil : evicted
        entry.migrations?.evicted = Int32(evicted.filter { $0.outcome == .evicted }.count)
        let yielded = plan.yielded.filter { $0.node == node.name }
        entry.yieldedPods = yielded.isEmpty ? nil : yielded.map {
            YieldedPodStatus(namespace: $0.namespace, name: $0.pod, winner: $0.winner, message: $0.why)
        }
        entry.migrations?.yielded = Int32(yielded.count)
        entry.since = previousEntry?.since ?? now
        return entry
    }
}
