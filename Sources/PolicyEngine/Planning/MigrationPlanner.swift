public import KubeModel
public import MigrationAPI

/// Plans a `MigrationPolicy`: a pure, deterministic function from a ``PolicySnapshot`` to a
/// ``MigrationPlan``.
///
/// 1. **Drain.** Nodes matching a trigger drain, and so, for their evicted pods only, do nodes with pods
///    whose eviction the webhook turned into a live migration (a current ``EvictionRequest``; trigger
///    ``DrainTrigger/eviction``, child reason ``MoveReason/eviction``; such a pod never waits for a schedule
///    window, since whoever evicts it waits now). Their covered pods are first checked against the other
///    policies (``PolicySnapshot/otherPolicies``): a pod another policy outranks this one for (priority, then
///    the most specific selection, then the name; see ``PolicyPrecedence``) is listed in
///    ``MigrationPlan/yielded`` and never touched. Opt-outs, pods already migrating (by anyone), pods not
///    Running and pods whose child Completed are skipped with a reason. The remaining candidates are taken
///    round-robin across the draining nodes — the node with the fewest children in flight, then the fewest
///    finished, then by name, goes first — so one node's drain cannot starve the others. Each is admitted if
///    every budget allows it and, for label- and taint-only drains, a schedule window is open; an admitted
///    one gets a target from `TargetChooser` (never a draining node, never outside the target selector), with
///    the requests of earlier moves reserved on their targets.
/// 2. **Retries and fallback.** A pod's Failed children count as failed attempts: while fewer than
///    `fallback.afterFailures` (default 3) the next attempt is planned under the next deterministic name
///    (``ChildMigrationName/make(policy:pod:sourceUID:attempt:)``); from then on `fallback.action: Evict` plans
///    a ``PlannedEviction`` (``EvictionReason/migrationFailed``) and `None` skips the pod
///    (``SkipReason/migrationFailedRepeatedly(failures:lastMigration:)``). With `Evict`, a candidate no node
///    fits is also evicted (``EvictionReason/unplaceable``; still listed in ``MigrationPlan/unplaceable``).
///    **Evictions are not counted against the migration budgets**: those budgets bound the live-migration
///    machinery (checkpoints, transfers, replays in flight), which an eviction does not use, and the eviction
///    API rate-limits evictions itself through the pods' PodDisruptionBudgets (a refused eviction is retried
///    on a later pass). They do obey the schedule window: a label- or taint-triggered drain evicts only
///    while its window is open. A pod is never both moved and evicted.
/// 3. **Cancel.** Drain children still Pending whose source node no longer drains are to be deleted.
/// 4. **Rebalance** (when enabled, nothing drains and no child is in flight): the fewest moves from the
///    fullest to the emptiest eligible node until every node is within the threshold of the mean.
///
/// Pods of a StatefulSet that a Sequential migration holds orphan-deleted count as that set's
/// (``HeldStatefulSets``), not as bare pods.
///
/// The cost is linear in the snapshot for indexing (pods by node, each node's usage) plus, per candidate on
/// a draining node, one pass over the nodes for an admitted move and usually a few nodes for one that waits.
public enum MigrationPlanner {
    /// The plan for `snapshot`.
    public static func plan(_ snapshot: PolicySnapshot) -> MigrationPlan {
        var snapshot = snapshot
        let held = HeldStatefulSets(migrations: snapshot.migrations)
        if !held.isEmpty { snapshot.pods = snapshot.pods.map(held.owning) }
        let context = PlanningContext(snapshot)
        var plan = MigrationPlan()
        plan.drainingNodes = context.drainingNodes
        var ledger = BudgetLedger(snapshot.policy.spec.budgets, index: context.index)
        var reserved = context.index.reserved
        planDrain(context, into: &plan, ledger: &ledger, reserved: &reserved)
        plan.cancellations = cancellations(context)
        RebalancePlanner.plan(context, into: &plan, ledger: &ledger, reserved: &reserved)
        plan.budget = ledger.figures
        return plan
    }

    private static func planDrain(
        _ context: PlanningContext, into plan: inout MigrationPlan, ledger: inout BudgetLedger,
        reserved: inout [String: [String: Quantity]]
    ) {
        let now = context.snapshot.now
        let windows = ScheduleWindows(context.snapshot.policy.spec.budgets?.scheduleWindows)
        let windowOpen = windows.isOpen(at: now)
        plan.drainWindowOpen = windows.isUnrestricted ? nil : windowOpen
        plan.invalidSchedules += windows.invalidSchedules

        let pods = context.snapshot.pods
        var queues: [String: ArraySlice<Candidate>] = [:]
        for node in context.drainingNodes {
            var candidates: [Candidate] = []
            for position in context.drainCandidates(on: node) {
                let pod = pods[position]
                guard context.covers(pod) else { continue }
                let namespace = pod.metadata.namespace ?? ""
                let name = pod.metadata.name ?? ""
                if let winner = context.winner(for: pod) {
                    plan.yielded.append(YieldedPod(
                        namespace: namespace, pod: name, node: node.name, winner: winner.policy, why: winner.why))
                    continue
                }
                switch context.assess(pod) {
                case .skip(let reason):
                    plan.skipped.append(SkippedPod(namespace: namespace, pod: name, node: node.name, reason: reason))
                case .evict(let failures, let last):
                    let mayStart = !node.needsScheduleWindow || windowOpen || context.hasEvictionRequest(position)
                    guard mayStart else {
                        plan.waiting.append(WaitingCandidate(
                            namespace: namespace, pod: name, sourceNode: node.name, targetNode: nil,
                            blockedBy: .scheduleWindowClosed))
                        continue
                    }
                    plan.evictions.append(PlannedEviction(
                        namespace: namespace, pod: name, podUID: pod.metadata.uid ?? "", sourceNode: node.name,
                        reason: .migrationFailed,
                        message: "live migration failed \(failures) time(s) (last: \(last)); fallback.afterFailures is \(context.afterFailures)"))
                case .candidate(let attempt):
                    candidates.append(Candidate(position: position, attempt: attempt))
                }
            }
            queues[node.name] = candidates[...]
        }
        let index = context.index
        let order = context.drainingNodes.sorted {
            let left = (index.outbound[$0.name, default: 0], index.endedBySource[$0.name, default: 0], $0.name)
            let right = (index.outbound[$1.name, default: 0], index.endedBySource[$1.name, default: 0], $1.name)
            return left < right
        }
        var remaining = true
        while remaining {
            remaining = false
            for node in order {
                guard let candidate = queues[node.name]?.popFirst() else { continue }
                remaining = true
                let mayStart = !node.needsScheduleWindow || windowOpen || context.hasEvictionRequest(candidate.position)
                consider(
                    pods[candidate.position], attempt: candidate.attempt, on: node, mayStart: mayStart, context,
                    &plan, &ledger, &reserved)
            }
        }
        if plan.waiting.contains(where: { $0.blockedBy == .scheduleWindowClosed }) {
            plan.nextWindowOpening = windows.nextOpening(after: now)
        }
    }

    /// A pod on a draining node that may move: its index in the snapshot and the attempt it would be.
    private struct Candidate {
        var position: Int
        var attempt: Int
    }

    /// Plans one candidate. The budgets are checked first: a candidate that has to wait anyway is only checked
    /// for whether some node fits it at all (stopping at the first that does), so thousands of waiting
    /// candidates do not each rank every node; its ``WaitingCandidate/targetNode`` is then nil.
    private static func consider(
        _ pod: Pod, attempt: Int, on node: DrainingNode, mayStart: Bool, _ context: PlanningContext,
        _ plan: inout MigrationPlan, _ ledger: inout BudgetLedger, _ reserved: inout [String: [String: Quantity]]
    ) {
        let source = node.name
        let namespace = pod.metadata.namespace ?? ""
        let name = pod.metadata.name ?? ""
        let statefulSet = PodCoverage.statefulSetKey(of: pod)
        let limit = mayStart ? ledger.limitBeforeTarget(source: source, statefulSet: statefulSet) : .scheduleWindowClosed
        let outcome: TargetOutcome
        if let limit {
            if let unplaceable = context.targets.unplaceableReason(for: pod, source: source, reserved: reserved) {
                outcome = unplaceable
            } else {
                plan.waiting.append(WaitingCandidate(
                    namespace: namespace, pod: name, sourceNode: source, targetNode: nil, blockedBy: limit))
                return
            }
        } else {
            outcome = context.targets.choose(for: pod, source: source, reserved: reserved, full: ledger.fullTargets)
        }
        switch outcome {
        case .unplaceable(let reason, let message):
            plan.unplaceable.append(UnplaceableCandidate(
                namespace: namespace, pod: name, sourceNode: source, reason: reason, message: message))
            if context.fallbackAction == .evict, mayStart {
                plan.evictions.append(PlannedEviction(
                    namespace: namespace, pod: name, podUID: pod.metadata.uid ?? "", sourceNode: source,
                    reason: .unplaceable, message: "\(reason): \(message)"))
            }
        case .inboundBudgetFull:
            plan.waiting.append(WaitingCandidate(
                namespace: namespace, pod: name, sourceNode: source, targetNode: nil, blockedBy: .maxInboundPerNode))
        case .node(let target):
            ledger.admit(source: source, target: target, statefulSet: statefulSet)
            reserve(pod, on: target, in: &reserved)
            context.targets.promise(pod, to: target)
            let reason: MoveReason = node.triggers == [.eviction] ? .eviction : .drain
            plan.moves.append(context.move(pod, from: source, to: target, reason: reason, attempt: attempt))
        }
    }

    /// Adds `pod`'s requests (and one pod) to what is promised to `node`.
    static func reserve(_ pod: Pod, on node: String, in reserved: inout [String: [String: Quantity]]) {
        var promised = reserved[node] ?? [:]
        for (resource, quantity) in pod.totalRequests { promised[resource, default: .zero] += quantity }
        promised["pods", default: .zero] += Quantity(Int64(1))
        reserved[node] = promised
    }

    /// Drain children that have not left Pending while their source node stopped draining.
    static func cancellations(_ context: PlanningContext) -> [MigrationCancellation] {
        context.index.inFlight.compactMap { child -> MigrationCancellation? in
            guard child.metadata.deletionTimestamp == nil,
                child.metadata.labels?[ChildMigrationLabels.reason] != MoveReason.rebalance.rawValue,
                child.status?.phase == nil || child.status?.phase == .pending,
                let source = ChildMigrationIndex.sourceNode(of: child), !context.draining.contains(source)
            else { return nil }
            return MigrationCancellation(
                namespace: child.metadata.namespace ?? "", name: child.metadata.name ?? "",
                pod: child.spec.sourcePod, sourceNode: source)
        }
    }
}
