import KubeModel
import MigrationAPI
import Placement
@testable import PolicyEngine
import Testing

@Suite("MigrationPlanner: drain")
struct MigrationPlannerTests {
    /// Pods `db0-0 … dbN-0`, each of its own StatefulSet, on `node`.
    static func pods(_ count: Int, on node: String, prefix: String = "s") -> [Pod] {
        (0..<count).map { Fixture.pod("\(prefix)\($0)-0", on: node, set: "\(prefix)\($0)") }
    }

    struct BudgetCase: Sendable, CustomTestStringConvertible {
        var name: String
        var budgets: MigrationBudgets?
        var draining: [String]
        var podsPerNode: Int
        var running: [StatefulMigration] = []
        var expectedMoves: Int
        var expectedBlock: BudgetLimit?
        var testDescription: String { name }
    }

    static let budgetCases: [BudgetCase] = [
        BudgetCase(name: "default: 2 outbound per node", budgets: nil, draining: ["a"], podsPerNode: 4,
                   expectedMoves: 2, expectedBlock: .maxOutboundPerNode(node: "a")),
        BudgetCase(name: "default: 5 cluster-wide", budgets: MigrationBudgets(maxOutboundPerNode: 10), draining: ["a"],
                   podsPerNode: 8, expectedMoves: 5, expectedBlock: .maxConcurrent),
        BudgetCase(name: "maxConcurrent counts running children", budgets: MigrationBudgets(maxConcurrent: 3, maxOutboundPerNode: 10),
                   draining: ["a"], podsPerNode: 5,
                   running: [Fixture.child("old", pod: "other-0", source: "z", target: "c", phase: .replaying)],
                   expectedMoves: 2, expectedBlock: .maxConcurrent),
        BudgetCase(name: "outbound counts running children of that node", budgets: MigrationBudgets(maxOutboundPerNode: 2),
                   draining: ["a"], podsPerNode: 3,
                   running: [Fixture.child("old", pod: "gone-0", source: "a", target: "c", phase: .transferring)],
                   expectedMoves: 1, expectedBlock: .maxOutboundPerNode(node: "a")),
        BudgetCase(name: "inbound per node", budgets: MigrationBudgets(maxConcurrent: 10, maxOutboundPerNode: 10, maxInboundPerNode: 1),
                   draining: ["a"], podsPerNode: 4, expectedMoves: 2, expectedBlock: .maxInboundPerNode),
        BudgetCase(name: "zero budget moves nothing", budgets: MigrationBudgets(maxConcurrent: 0), draining: ["a"], podsPerNode: 1,
                   expectedMoves: 0, expectedBlock: .maxConcurrent),
    ]

    @Test("budgets cap the moves and say what blocks the rest", arguments: budgetCases)
    func budgets(_ c: BudgetCase) {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b"), Fixture.node("c")]
        let pods = c.draining.flatMap { Self.pods(c.podsPerNode, on: $0) }
        let plan = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(budgets: c.budgets), nodes: nodes, pods: pods, migrations: c.running))
        #expect(plan.moves.count == c.expectedMoves)
        #expect(plan.waiting.count == c.podsPerNode * c.draining.count - c.expectedMoves)
        if let block = c.expectedBlock { #expect(plan.waiting.first?.blockedBy == block) }
        let maxConcurrent = Int(c.budgets?.maxConcurrent ?? 5)
        #expect(plan.budget.inFlight <= maxConcurrent)
    }

    @Test("one migration per StatefulSet at a time, counting migrations from any source")
    func perStatefulSet() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b"), Fixture.node("c")]
        let pods = [
            Fixture.pod("db-0", on: "a", set: "db"), Fixture.pod("db-1", on: "a", set: "db"),
            Fixture.pod("web-0", on: "a", set: "web"), Fixture.pod("web-1", on: "b", set: "web"),
        ]
        let manual = Fixture.child("manual", pod: "web-1", policy: nil, source: "b", phase: .pending)
        let plan = MigrationPlanner.plan(Fixture.snapshot(
            Fixture.policy(budgets: MigrationBudgets(maxOutboundPerNode: 5)), nodes: nodes, pods: pods, migrations: [manual]))
        #expect(plan.movedPods == ["db-0"])
        #expect(Set(plan.waiting.map(\.blockedBy)) == [
            .maxInFlightPerStatefulSet(statefulSet: "default/db"), .maxInFlightPerStatefulSet(statefulSet: "default/web"),
        ])
    }

    @Test("targets are never draining, cordoned, NotReady or outside the target selector")
    func targetExclusions() {
        let nodes = [
            Fixture.node("a", cordoned: true), Fixture.node("b", cordoned: true), Fixture.node("c", ready: false),
            Fixture.node("d", labels: ["pool": "other"]), Fixture.node("e", labels: ["pool": "stateful"]),
        ]
        let policy = Fixture.policy(
            budgets: MigrationBudgets(maxConcurrent: 10, maxOutboundPerNode: 10),
            targets: TargetNodeSelection(nodeSelector: LabelSelector(matchLabels: ["pool": "stateful"])))
        let plan = MigrationPlanner.plan(Fixture.snapshot(policy, nodes: nodes, pods: Self.pods(3, on: "a") + Self.pods(2, on: "b", prefix: "t")))
        #expect(plan.moves.count == 5)
        #expect(Set(plan.moves.map(\.targetNode)) == ["e"])
    }

    @Test("planned moves reserve their requests, so a node is never over-committed")
    func reservations() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b", cpu: "1"), Fixture.node("c", cpu: "1")]
        let pods = Self.pods(3, on: "a").map { pod -> Pod in
            var pod = pod
            pod.spec?.containers[0].resources?.requests?["cpu"] = Quantity(stringLiteral: "600m")
            return pod
        }
        let plan = MigrationPlanner.plan(Fixture.snapshot(
            Fixture.policy(budgets: MigrationBudgets(maxOutboundPerNode: 5)), nodes: nodes, pods: pods))
        #expect(plan.moveSummary == ["s0-0→b", "s1-0→c"])
        #expect(plan.unplaceable.map(\.pod) == ["s2-0"])
        #expect(plan.unplaceable.first?.reason == "InsufficientCPU")
    }

    @Test("in-flight children reserve their requests on their target until restored")
    func inFlightReservations() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b", cpu: "1"), Fixture.node("c", cpu: "1")]
        let moving = Fixture.pod("m-0", on: "x", set: "m", cpu: "800m")
        let child = Fixture.child("drain-m", pod: "m-0", source: "x", target: "b", phase: .transferring)
        let plan = MigrationPlanner.plan(Fixture.snapshot(
            Fixture.policy(), nodes: nodes, pods: [Fixture.pod("s0-0", on: "a", set: "s0", cpu: "500m"), moving],
            migrations: [child]))
        #expect(plan.moveSummary == ["s0-0→c"])
    }

    @Test("a pod that fits nowhere is reported with the most common reason")
    func unplaceable() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b", cpu: "1"), Fixture.node("c", ready: false)]
        let big = Fixture.pod("big-0", on: "a", set: "big", cpu: "2")
        let plan = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: nodes, pods: [big]))
        #expect(plan.moves.isEmpty)
        let entry = try! #require(plan.unplaceable.first)
        #expect(entry.reason == "InsufficientCPU" || entry.reason == "NodeNotReady")
        #expect(entry.message.contains("b:") && entry.message.contains("c:"))
        let lonely = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: [Fixture.node("a", cordoned: true)], pods: [big]))
        #expect(lonely.unplaceable.first?.reason == "NoEligibleTarget")
    }

    @Test("round-robin across draining nodes: one node's drain cannot starve another")
    func fairness() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b", cordoned: true), Fixture.node("c"), Fixture.node("d")]
        let pods = Self.pods(4, on: "a", prefix: "a") + Self.pods(4, on: "b", prefix: "b")
        let policy = Fixture.policy(budgets: MigrationBudgets(maxConcurrent: 2, maxOutboundPerNode: 2))
        let plan = MigrationPlanner.plan(Fixture.snapshot(policy, nodes: nodes, pods: pods))
        #expect(plan.moves.map(\.sourceNode) == ["a", "b"])
        // With one slot, the node that already finished a migration yields to the other.
        let one = Fixture.policy(budgets: MigrationBudgets(maxConcurrent: 1))
        let done = Fixture.child("done", pod: "a9-0", source: "a", target: "c", phase: .completed)
        let next = MigrationPlanner.plan(Fixture.snapshot(one, nodes: nodes, pods: pods, migrations: [done]))
        #expect(next.moves.map(\.sourceNode) == ["b"])
    }

    struct SkipCase: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: Pod
        var migrations: [StatefulMigration] = []
        var expected: SkipReason
        var testDescription: String { name }
    }

    static let skipCases: [SkipCase] = [
        SkipCase(name: "opted out", pod: Fixture.pod("db-0", on: "a", annotations: [PodOverrideAnnotation.optOut: "True"]),
                 expected: .optedOut),
        SkipCase(name: "already migrating (manual migration)", pod: Fixture.pod("db-0", on: "a"),
                 migrations: [Fixture.child("manual", pod: "db-0", policy: nil, source: "a", phase: .checkpointing)],
                 expected: .alreadyMigrating(migration: "manual")),
        SkipCase(name: "child just created (no phase yet)", pod: Fixture.pod("db-0", on: "a"),
                 migrations: [Fixture.child("fresh", pod: "db-0", source: "a", phase: nil)],
                 expected: .alreadyMigrating(migration: "fresh")),
        SkipCase(name: "pending pod", pod: Fixture.pod("db-0", on: "a", phase: .pending), expected: .notRunning),
        SkipCase(name: "succeeded pod", pod: Fixture.pod("db-0", on: "a", phase: .succeeded), expected: .notRunning),
        SkipCase(name: "its child already completed (the snapshot still shows the source pod)",
                 pod: Fixture.pod("db-0", on: "a"),
                 migrations: [Fixture.child(ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-default-db-0"),
                                            pod: "db-0", source: "a", phase: .completed)],
                 expected: .previousMigrationEnded(
                    migration: ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-default-db-0"), phase: .completed)),
    ]

    @Test("selected pods that must not move are skipped with a reason", arguments: skipCases)
    func skips(_ c: SkipCase) {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b")]
        let plan = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: nodes, pods: [c.pod], migrations: c.migrations))
        #expect(plan.moves.isEmpty)
        #expect(plan.skipped == [SkippedPod(namespace: "default", pod: "db-0", node: "a", reason: c.expected)])
    }

    @Test("pods the selection does not cover are neither moved nor reported")
    func uncovered() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b")]
        let plan = MigrationPlanner.plan(Fixture.snapshot(
            Fixture.policy(), nodes: nodes, pods: [Fixture.pod("solo", on: "a", bare: true)]))
        #expect(plan.moves.isEmpty && plan.skipped.isEmpty && plan.waiting.isEmpty && plan.unplaceable.isEmpty)
    }

    struct CancelCase: Sendable, CustomTestStringConvertible {
        var name: String
        var child: StatefulMigration
        var cancelled: Bool
        var testDescription: String { name }
    }

    static let cancelCases: [CancelCase] = [
        CancelCase(name: "pending child of an uncordoned node", child: Fixture.child("c1", pod: "db-0", source: "b", phase: .pending), cancelled: true),
        CancelCase(name: "new child of an uncordoned node", child: Fixture.child("c1", pod: "db-0", source: "b", phase: nil), cancelled: true),
        CancelCase(name: "checkpointing child finishes", child: Fixture.child("c1", pod: "db-0", source: "b", phase: .checkpointing), cancelled: false),
        CancelCase(name: "pending child of a still draining node", child: Fixture.child("c1", pod: "db-0", source: "a", phase: .pending), cancelled: false),
        CancelCase(name: "rebalance child is not a drain", child: Fixture.child("c1", pod: "db-0", source: "b", phase: .pending, reason: .rebalance), cancelled: false),
        CancelCase(name: "another policy's child", child: Fixture.child("c1", pod: "db-0", policy: "other", source: "b", phase: .pending), cancelled: false),
    ]

    @Test("children not yet started are cancelled when their node stops draining", arguments: cancelCases)
    func cancellation(_ c: CancelCase) {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b"), Fixture.node("c")]
        let plan = MigrationPlanner.plan(Fixture.snapshot(
            Fixture.policy(), nodes: nodes, pods: [Fixture.pod("db-0", on: "b")], migrations: [c.child]))
        #expect(plan.cancellations.map(\.name) == (c.cancelled ? ["c1"] : []))
    }

    @Test("label and taint drains wait for a schedule window; cordon does not")
    func scheduleWindows() {
        let nodes = [
            Fixture.node("a", labels: ["maintenance": "true"]), Fixture.node("b", cordoned: true), Fixture.node("c"),
        ]
        let policy = Fixture.policy(
            nodeSelector: LabelSelector(matchLabels: ["maintenance": "true"]),
            budgets: MigrationBudgets(scheduleWindows: [ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 3600)]))
        let pods = [Fixture.pod("a0-0", on: "a", set: "a0"), Fixture.pod("b0-0", on: "b", set: "b0")]
        let noon = MigrationPlanner.plan(Fixture.snapshot(policy, nodes: nodes, pods: pods))
        #expect(noon.movedPods == ["b0-0"])
        #expect(noon.waiting.map(\.blockedBy) == [.scheduleWindowClosed])
        #expect(noon.drainWindowOpen == false)
        #expect(noon.nextWindowOpening == Time(rfc3339: "2026-11-21T02:00:00Z"))
        let night = MigrationPlanner.plan(Fixture.snapshot(policy, nodes: nodes, pods: pods, now: Time(rfc3339: "2026-11-21T02:30:00Z")!))
        #expect(Set(night.movedPods) == ["a0-0", "b0-0"])
    }

    @Test("children carry the template with per-pod overrides and a deterministic name")
    func childSpec() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b")]
        let pod = Fixture.pod("db-0", on: "a", annotations: [PodOverrideAnnotation.queueName: "payments", PodOverrideAnnotation.replayCutoffSeconds: "x"])
        let move = try! #require(MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: nodes, pods: [pod])).moves.first)
        #expect(move.spec.sourcePod == "db-0" && move.spec.targetNode == "b")
        #expect(move.spec.messageQueueConfig?.queueName == "payments")
        #expect(move.spec.checkpointImageRepository == "registry.example.com/ckpt")
        #expect(move.rejectedOverrides == [PodOverrideAnnotation.replayCutoffSeconds])
        #expect(move.migrationName == ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-default-db-0"))
    }

    @Test("the plan does not depend on the order of the snapshot's lists")
    func deterministic() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b", cordoned: true), Fixture.node("c"), Fixture.node("d"), Fixture.node("e")]
        let pods = Self.pods(5, on: "a", prefix: "a") + Self.pods(5, on: "b", prefix: "b") + Self.pods(3, on: "c", prefix: "c")
        let policy = Fixture.policy(budgets: MigrationBudgets(maxConcurrent: 4))
        let reference = MigrationPlanner.plan(Fixture.snapshot(policy, nodes: nodes, pods: pods))
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<10 {
            let shuffled = MigrationPlanner.plan(Fixture.snapshot(
                policy, nodes: nodes.shuffled(using: &generator), pods: pods.shuffled(using: &generator)))
            #expect(shuffled == reference)
        }
    }
}

/// A small deterministic random generator (SplitMix64) for shuffles and generated snapshots.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
