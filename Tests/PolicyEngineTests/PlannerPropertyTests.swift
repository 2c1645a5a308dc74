import KubeModel
import MigrationAPI
import Placement
@testable import PolicyEngine
import Testing

/// `count` nodes named `n0`, `n1`, … of 1, 2 or 4 CPUs, one in `cordonedOneIn` cordoned, one in six NotReady.
func randomNodes(
    _ count: ClosedRange<Int>, cordonedOneIn: Int, using random: inout SeededGenerator
) -> [Node] {
    (0..<Int.random(in: count, using: &random)).map { index in
        Fixture.node(
            "n\(index)", cpu: ["1", "2", "4"].randomElement(using: &random)!,
            cordoned: Int.random(in: 0..<cordonedOneIn, using: &random) == 0,
            ready: Int.random(in: 0..<6, using: &random) > 0)
    }
}

@Suite("MigrationPlanner: invariants on generated snapshots")
struct PlannerPropertyTests {
    @Test(
        "plans never exceed a budget, target a draining or unfit node, over-commit a node, move and evict one pod, or move a yielded pod",
        arguments: 0..<60)
    func invariants(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed) &+ 1)
        let nodes = randomNodes(3...8, cordonedOneIn: 2, using: &random)
        var pods: [Pod] = []
        for index in 0..<Int.random(in: 5...40, using: &random) {
            let node = nodes.randomElement(using: &random)!.metadata.name!
            let set = "s\(Int.random(in: 0..<6, using: &random))"
            let cpu = ["100m", "250m", "500m", "900m", "3"].randomElement(using: &random)!
            let tier = ["gold", "silver"].randomElement(using: &random)!
            pods.append(Fixture.pod("\(set)-\(index)", on: node, set: set, cpu: cpu, labels: ["app": "db", "tier": tier]))
        }
        // Failed attempts of some pods (so retries and the migration-failed fallback are exercised).
        var migrations: [StatefulMigration] = []
        for pod in pods where Int.random(in: 0..<4, using: &random) == 0 {
            for attempt in 1...Int.random(in: 1...4, using: &random) {
                migrations.append(Fixture.child(
                    ChildMigrationName.make(policy: "drain", pod: pod.metadata.name!, sourceUID: pod.metadata.uid!, attempt: attempt),
                    pod: pod.metadata.name!, source: pod.spec!.nodeName!, phase: .failed))
            }
        }
        // A rival policy covering the gold pods, sometimes outranking this one.
        var rival = Fixture.policy(
            name: Bool.random(using: &random) ? "aaa" : "zzz",
            selection: PodSelection(podSelector: LabelSelector(matchLabels: ["tier": "gold"])))
        rival.spec.priority = Int32.random(in: -1...1, using: &random)
        let budgets = MigrationBudgets(
            maxConcurrent: Int32.random(in: 1...6, using: &random), maxOutboundPerNode: Int32.random(in: 1...3, using: &random),
            maxInboundPerNode: Bool.random(using: &random) ? Int32.random(in: 1...3, using: &random) : nil,
            maxInFlightPerStatefulSet: Int32.random(in: 1...2, using: &random))
        var policy = Fixture.policy(budgets: budgets)
        policy.spec.fallback = MigrationFallback(
            action: Bool.random(using: &random) ? .evict : FallbackAction.none, afterFailures: Int32.random(in: 1...3, using: &random))
        var snapshot = Fixture.snapshot(policy, nodes: nodes, pods: pods, migrations: migrations)
        snapshot.otherPolicies = [rival]
        let plan = MigrationPlanner.plan(snapshot)

        let draining = Set(plan.drainingNodes.map(\.name))
        #expect(plan.moves.count <= Int(budgets.maxConcurrent!))
        for (source, count) in Dictionary(grouping: plan.moves, by: \.sourceNode).mapValues(\.count) {
            #expect(count <= Int(budgets.maxOutboundPerNode!), "outbound of \(source)")
        }
        if let inbound = budgets.maxInboundPerNode {
            for (_, count) in Dictionary(grouping: plan.moves, by: \.targetNode).mapValues(\.count) { #expect(count <= Int(inbound)) }
        }
        let podsByName = Dictionary(uniqueKeysWithValues: pods.map { ($0.metadata.name!, $0) })
        for (_, count) in Dictionary(grouping: plan.moves, by: { podsByName[$0.pod]!.metadata.controllerReference!.name }).mapValues(\.count) {
            #expect(count <= Int(budgets.maxInFlightPerStatefulSet!))
        }
        for node in nodes {
            let name = node.metadata.name!
            let arriving = plan.moves.filter { $0.targetNode == name }
            guard !arriving.isEmpty else { continue }
            #expect(!draining.contains(name) && node.isReady && !node.isUnschedulable)
            let resident = pods.filter { $0.spec?.nodeName == name }
            let used = (resident + arriving.map { podsByName[$0.pod]! }).reduce(Quantity.zero) { $0 + ($1.totalRequests["cpu"] ?? .zero) }
            #expect(used <= node.status!.allocatable!["cpu"]!, "\(name) over-committed")
        }
        #expect(Set(plan.moves.map(\.pod)).count == plan.moves.count)
        #expect(plan.moves.allSatisfy { draining.contains($0.sourceNode) })
        let moved = Set(plan.moves.map(\.pod))
        #expect(moved.isDisjoint(with: plan.evictions.map(\.pod)), "a pod both moved and evicted")
        #expect(Set(plan.evictions.map(\.pod)).count == plan.evictions.count)
        #expect(moved.isDisjoint(with: plan.yielded.map(\.pod)), "a yielded pod moved")
        #expect(plan.evictions.allSatisfy { draining.contains($0.sourceNode) })
        if policy.spec.fallback?.action != .evict { #expect(plan.evictions.isEmpty) }
        // The rival wins exactly the gold pods on draining nodes when it outranks this policy.
        let rivalWins = PolicyPrecedence.rank(of: rival) > PolicyPrecedence.rank(of: policy)
        let goldOnDraining = pods.filter { $0.metadata.labels?["tier"] == "gold" && draining.contains($0.spec!.nodeName!) }
        #expect(Set(plan.yielded.map(\.pod)) == (rivalWins ? Set(goldOnDraining.map { $0.metadata.name! }) : []))
        // Every move uses the first unused attempt name, and no pod is moved after afterFailures failures.
        let existing = Set(migrations.map { $0.metadata.name! })
        for move in plan.moves {
            #expect(!existing.contains(move.migrationName))
            #expect(move.migrationName.count <= 63)
            let failures = migrations.filter { $0.spec.sourcePod == move.pod }.count
            #expect(failures < Int(policy.spec.fallback!.afterFailures!))
        }
    }
}

@Suite("MigrationPlanner: a snapshot with the node usage kept by the caller")
struct PlannerNodeUsageTests {
    @Test(
        "planning from the kept node usage and only the pods it needs gives the plan of the full snapshot",
        arguments: 0..<80)
    func reducedSnapshotPlansTheSame(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed) &+ 1000)
        let nodes = randomNodes(2...8, cordonedOneIn: 3, using: &random)
        var pods: [Pod] = []
        for index in 0..<Int.random(in: 4...40, using: &random) {
            let node = nodes.randomElement(using: &random)!.metadata.name!
            let set = "s\(Int.random(in: 0..<5, using: &random))"
            let cpu = ["100m", "250m", "500m", "900m"].randomElement(using: &random)!
            let phase: PodPhase = Int.random(in: 0..<8, using: &random) == 0 ? .succeeded : .running
            pods.append(Fixture.pod("\(set)-\(index)", on: node, set: set, cpu: cpu, phase: phase))
        }
        // Children in every phase, some in flight with a target (their requests are reserved there), some
        // whose source pod sits on a node that does not drain.
        var migrations: [StatefulMigration] = []
        let phases: [MigrationPhase?] = [nil, .pending, .transferring, .restoring, .completed, .failed]
        for pod in pods where Int.random(in: 0..<4, using: &random) == 0 {
            let target = nodes.randomElement(using: &random)!.metadata.name!
            migrations.append(Fixture.child(
                ChildMigrationName.make(policy: "drain", pod: pod.metadata.name!, sourceUID: pod.metadata.uid!),
                pod: pod.metadata.name!, source: pod.spec!.nodeName!, target: target,
                phase: phases.randomElement(using: &random)!))
        }
        let rebalance = Bool.random(using: &random)
            ? RebalanceSettings(enabled: true, thresholdPercent: 10, cooldownSeconds: 0) : nil
        let policy = Fixture.policy(
            budgets: MigrationBudgets(maxConcurrent: Int32.random(in: 1...6, using: &random), maxOutboundPerNode: 3),
            rebalance: rebalance)
        let full = Fixture.snapshot(policy, nodes: nodes, pods: pods, migrations: migrations)

        var reduced = full
        reduced.nodeUsage = NodeUsageSummary.usage(of: pods)
        reduced.pods = PolicySnapshot.podsToPlan(
            policy, nodes: nodes.map(FitNode.init), migrations: migrations,
            onNode: { node in pods.filter { $0.spec?.nodeName == node } },
            named: { namespace, name in pods.first { $0.metadata.namespace == namespace && $0.metadata.name == name } },
            allBound: { pods })

        let draining = DrainDetection.drainingNodes(nodes, for: policy.spec.triggers)
        if !draining.isEmpty || rebalance == nil {
            let needed = Set(pods.filter { pod in
                draining.contains { $0.name == pod.spec?.nodeName }
                    || migrations.contains { $0.spec.sourcePod == pod.metadata.name && !($0.status?.phase?.isFinal ?? false) }
            }.map { $0.metadata.name! })
            #expect(Set(reduced.pods.map { $0.metadata.name! }) == needed)
            #expect(reduced.pods.count == needed.count, "a pod listed twice")
        }
        #expect(MigrationPlanner.plan(reduced) == MigrationPlanner.plan(full))
        #expect(
            PolicyStatusBuilder.status(snapshot: reduced, plan: MigrationPlanner.plan(reduced), dryRun: false)
                == PolicyStatusBuilder.status(snapshot: full, plan: MigrationPlanner.plan(full), dryRun: false))
    }

    @Test("a node's usage after any sequence of adds and removes equals the usage of the pods that remain")
    func usageAddRemove() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            var present: [Pod] = []
            var usage = NodeUsage()
            for step in 0..<60 {
                if present.isEmpty || Bool.random(using: &random) {
                    let set = ["a", "b", "c"].randomElement(using: &random)!
                    var pod = Fixture.pod(
                        "p\(step)", on: "n", set: set, cpu: ["0", "100m", "1", "1.5"].randomElement(using: &random)!,
                        memory: ["0", "64Mi", "1Gi"].randomElement(using: &random)!,
                        phase: Int.random(in: 0..<5, using: &random) == 0 ? .failed : .running)
                    if Int.random(in: 0..<4, using: &random) == 0 {
                        pod.spec?.initContainers = [Container(
                            name: "init", image: "i", resources: ResourceRequirements(requests: ["cpu": "2"]))]
                    }
                    usage.add(pod)
                    present.append(pod)
                } else {
                    let gone = present.remove(at: Int.random(in: 0..<present.count, using: &random))
                    usage.remove(gone)
                }
                #expect(usage == NodeUsage(pods: present))
            }
            for pod in present { usage.remove(pod) }
            #expect(usage.isEmpty)
            #expect(usage == NodeUsage())
        }
    }
}
