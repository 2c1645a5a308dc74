public import KubeModel
public import MigrationAPI

/// Plans a `MigrationPolicy`: a pure, deterministic function from a ``PolicySnapshot`` to a
/// ``MigrationPlan``.
///
/// 1. **Drain.** Nodes matching a trigger drain. Their covered pods (selection, owner kind; opt-outs, pods
///    already migrating, pods not Running and pods whose child already ended are skipped with a reason) are
///    taken round-robin across the draining nodes — the node with the fewest children in flight, then the
///    fewest finished, then by name, goes first — so one node's drain cannot starve the others. Each gets a
///    target from `TargetChooser` (never a draining node, never outside the target selector), with the
///    requests of earlier moves reserved on their targets, and is admitted if every budget allows it and, for
///    label- and taint-only drains, a schedule window is open.
/// 2. **Cancel.** Drain children still Pending whose source node no longer drains are to be deleted.
/// 3. **Rebalance** (when enabled, nothing drains and no child is in flight): the fewest moves from the
///    fullest to the emptiest eligible node until every node is within the threshold of the mean.
public enum MigrationPlanner {
    /// The plan for `snapshot`.
    public static func plan(_ snapshot: PolicySnapshot) -> MigrationPlan {
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

        var queues: [String: ArraySlice<Pod>] = [:]
        for node in context.drainingNodes {
            var candidates: [Pod] = []
            for pod in context.podsByNode[node.name] ?? [] where context.covers(pod) {
                if let reason = context.skipReason(for: pod) {
                    plan.skipped.append(SkippedPod(
                        namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name ?? "", node: node.name,
                        reason: reason))
                } else {
                    candidates.append(pod)
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
                guard let pod = queues[node.name]?.popFirst() else { continue }
                remaining = true
                let mayStart = !node.needsScheduleWindow || windowOpen
                consider(pod, on: node.name, mayStart: mayStart, context, &plan, &ledger, &reserved)
            }
        }
        if plan.waiting.contains(where: { $0.blockedBy == .scheduleWindowClosed }) {
            plan.nextWindowOpening = windows.nextOpening(after: now)
        }
    }

    private static func consider(
        _ pod: Pod, on source: String, mayStart: Bool, _ context: PlanningContext, _ plan: inout MigrationPlan,
        _ ledger: inout BudgetLedger, _ reserved: inout [String: [String: Quantity]]
    ) {
        let namespace = pod.metadata.namespace ?? ""
        let name = pod.metadata.name ?? ""
        let outcome = context.targets.choose(for: pod, source: source, reserved: reserved, full: ledger.fullTargets)
        switch outcome {
        case .unplaceable(let reason, let message):
            plan.unplaceable.append(UnplaceableCandidate(
                namespace: namespace, pod: name, sourceNode: source, reason: reason, message: message))
        case .inboundBudgetFull:
            plan.waiting.append(WaitingCandidate(
                namespace: namespace, pod: name, sourceNode: source, targetNode: nil, blockedBy: .maxInboundPerNode))
        case .node(let target):
            let statefulSet = PodCoverage.statefulSetKey(of: pod)
            let limit = mayStart ? ledger.limitBeforeTarget(source: source, statefulSet: statefulSet) : .scheduleWindowClosed
            if let limit {
                plan.waiting.append(WaitingCandidate(
                    namespace: namespace, pod: name, sourceNode: source, targetNode: target, blockedBy: limit))
                return
            }
            ledger.admit(source: source, target: target, statefulSet: statefulSet)
            reserve(pod, on: target, in: &reserved)
            plan.moves.append(context.move(pod, from: source, to: target, reason: .drain))
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
