public import KubeModel
public import MigrationAPI

/// Rebalancing: when the policy's covered pods are spread over the eligible nodes (Ready, schedulable, not
/// draining, inside the target selector) more unevenly than `thresholdPercent` of the mean, plans the fewest
/// moves — always from the fullest to the emptiest node — that bring every node within it, inside the
/// budgets and rebalance windows. A pod that moved within `cooldownSeconds` (by its
/// `migration.ms2m.io/last-migrated` annotation or a completed migration) stays put.
///
/// Pods another policy outranks this one for (see ``PolicyPrecedence``) are neither counted nor moved, and
/// pods whose live migrations failed `fallback.afterFailures` times stay put (the fallback never evicts to
/// rebalance).
///
/// It runs only when nothing drains and none of the policy's children is in flight, and it stops once the
/// fullest and emptiest nodes differ by at most one pod, so planning again on its result plans nothing.
/// The `Requests` basis is balanced by pod count as well (see the report in the module's docs).
enum RebalancePlanner {
    static func plan(
        _ context: PlanningContext, into plan: inout MigrationPlan, ledger: inout BudgetLedger,
        reserved: inout [String: [String: Quantity]]
    ) {
        guard let settings = context.snapshot.policy.spec.rebalance, settings.enabled == true else { return }
        let now = context.snapshot.now
        let windows = ScheduleWindows(settings.scheduleWindows)
        plan.invalidSchedules += windows.invalidSchedules
        if !windows.isUnrestricted {
            let open = windows.isOpen(at: now)
            plan.rebalanceWindowOpen = open
            if !open {
                let next = windows.nextOpening(after: now)
                plan.nextWindowOpening = [plan.nextWindowOpening, next].compactMap { $0 }.min()
                return
            }
        }
        guard context.drainingNodes.isEmpty, context.index.inFlight.isEmpty else { return }

        let eligible = context.snapshot.nodes.compactMap { node -> String? in
            guard !node.name.isEmpty, !context.targets.excluded.contains(node.name), node.ready, !node.unschedulable
            else { return nil }
            return node.name
        }.sorted()
        guard eligible.count >= 2 else { return }
        var pods: [String: [Pod]] = [:]
        for name in eligible {
            pods[name] = context.sortedPods(on: name).map { context.snapshot.pods[$0] }.filter {
                context.covers($0) && $0.status?.phase == .running && $0.metadata.deletionTimestamp == nil
                    && !PodOverrideAnnotation.isOptedOut($0.metadata.annotations ?? [:]) && context.winner(for: $0) == nil
            }
        }
        let total = pods.values.reduce(0) { $0 + $1.count }
        let mean = Double(total) / Double(eligible.count)
        let threshold = Double(max(0, settings.thresholdPercent ?? 20)) / 100
        let upper = mean * (1 + threshold)
        let lower = mean * (1 - threshold)
        let cooldown = settings.cooldownSeconds ?? 3600

        var planned: Set<String> = []
        func movable(_ pod: Pod) -> Bool {
            if planned.contains(PlanningContext.key(pod)) { return false }
            guard case .candidate = context.assess(pod) else { return false }
            let key = PlanningContext.key(pod)
            var last = context.index.lastCompleted[key]
            if let stamp = pod.metadata.annotations?[PolicyPodAnnotation.lastMigrated], let time = Time(rfc3339: stamp) {
                last = max(last ?? time, time)
            }
            if let last, now.secondsSinceEpoch - last.secondsSinceEpoch < cooldown { return false }
            return true
        }

        let targetsByName = context.targets.targetsByName()
        for _ in 0..<total {
            let counts = pods.mapValues(\.count)
            let fullest = eligible.sorted { counts[$0]! != counts[$1]! ? counts[$0]! > counts[$1]! : $0 < $1 }
            let emptiest = eligible.sorted { counts[$0]! != counts[$1]! ? counts[$0]! < counts[$1]! : $0 < $1 }
            var chosen: (pod: Pod, source: String, target: String)?
            var attempt = 1
            var blocked: (pod: Pod, source: String, target: String, limit: BudgetLimit)?
            search: for source in fullest {
                for target in emptiest {
                    let (high, low) = (Double(counts[source]!), Double(counts[target]!))
                    guard counts[source]! - counts[target]! >= 2, high > upper || low < lower else { continue }
                    guard let prepared = targetsByName[target] else { continue }
                    for pod in pods[source]! where movable(pod) && context.targets.fits(pod, on: prepared, reserved: reserved) {
                        let statefulSet = PodCoverage.statefulSetKey(of: pod)
                        var limit = ledger.limitBeforeTarget(source: source, statefulSet: statefulSet)
                        if limit == nil, ledger.fullTargets.contains(target) { limit = .maxInboundPerNode }
                        if let limit {
                            if blocked == nil { blocked = (pod, source, target, limit) }
                            continue
                        }
                        chosen = (pod, source, target)
                        if case .candidate(let number) = context.assess(pod) { attempt = number }
                        break search
                    }
                }
            }
            guard let chosen else {
                if let blocked {
                    plan.waiting.append(WaitingCandidate(
                        namespace: blocked.pod.metadata.namespace ?? "", pod: blocked.pod.metadata.name ?? "",
                        sourceNode: blocked.source, targetNode: blocked.target, blockedBy: blocked.limit,
                        reason: .rebalance))
                }
                return
            }
            let statefulSet = PodCoverage.statefulSetKey(of: chosen.pod)
            ledger.admit(source: chosen.source, target: chosen.target, statefulSet: statefulSet)
            MigrationPlanner.reserve(chosen.pod, on: chosen.target, in: &reserved)
            context.targets.promise(chosen.pod, to: chosen.target)
            plan.moves.append(context.move(chosen.pod, from: chosen.source, to: chosen.target, reason: .rebalance, attempt: attempt))
            planned.insert(PlanningContext.key(chosen.pod))
            pods[chosen.source]!.removeAll { $0.metadata.uid == chosen.pod.metadata.uid }
            var arriving = chosen.pod
            arriving.spec?.nodeName = chosen.target
            pods[chosen.target]!.append(arriving)
        }
    }
}
