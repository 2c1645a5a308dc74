import KubeModel
import MigrationAPI
@testable import PolicyEngine
import Testing

@Suite("MigrationPlanner: rebalance")
struct RebalancePlannerTests {
    static let nodes = [Fixture.node("a"), Fixture.node("b"), Fixture.node("c")]
    static func crowded(annotations: [String: String] = [:]) -> [Pod] {
        (0..<4).map { Fixture.pod("p\($0)-0", on: "a", set: "p\($0)", annotations: $0 == 0 ? annotations : [:]) }
    }
    static func policy(enabled: Bool = true, threshold: Int32 = 20) -> MigrationPolicy {
        Fixture.policy(
            cordon: true, budgets: MigrationBudgets(maxConcurrent: 10, maxOutboundPerNode: 10),
            rebalance: RebalanceSettings(enabled: enabled, thresholdPercent: threshold))
    }

    @Test("moves the fewest pods from the fullest to the emptiest nodes")
    func fewestMoves() {
        let plan = MigrationPlanner.plan(Fixture.snapshot(Self.policy(), nodes: Self.nodes, pods: Self.crowded()))
        #expect(plan.moveSummary == ["p0-0→b", "p1-0→c"])
        #expect(plan.moves.allSatisfy { $0.reason == .rebalance })
    }

    @Test("planning again on the result plans nothing")
    func stable() {
        let first = MigrationPlanner.plan(Fixture.snapshot(Self.policy(), nodes: Self.nodes, pods: Self.crowded()))
        let moved = Self.crowded().map { pod -> Pod in
            var pod = pod
            if let move = first.moves.first(where: { $0.pod == pod.metadata.name }) { pod.spec?.nodeName = move.targetNode }
            return pod
        }
        #expect(MigrationPlanner.plan(Fixture.snapshot(Self.policy(), nodes: Self.nodes, pods: moved)).moves.isEmpty)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var policy: MigrationPolicy
        var nodes: [Node] = RebalancePlannerTests.nodes
        var pods: [Pod] = RebalancePlannerTests.crowded()
        var migrations: [StatefulMigration] = []
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "disabled", policy: policy(enabled: false), expected: []),
        Case(name: "within a wide threshold", policy: policy(threshold: 300), expected: []),
        Case(name: "a pod in cooldown by annotation stays",
             policy: policy(), pods: crowded(annotations: [PolicyPodAnnotation.lastMigrated: "2026-11-20T11:30:00Z"]),
             expected: ["p1-0→b", "p2-0→c"]),
        Case(name: "an old last-migrated stamp does not hold a pod",
             policy: policy(), pods: crowded(annotations: [PolicyPodAnnotation.lastMigrated: "2026-11-20T10:00:00Z"]),
             expected: ["p0-0→b", "p1-0→c"]),
        Case(name: "a pod in cooldown by a completed migration stays", policy: policy(),
             migrations: [Fixture.child("old", pod: "p0-0", policy: "other", source: "b", phase: .completed,
                                        completed: Time(rfc3339: "2026-11-20T11:50:00Z"))],
             expected: ["p1-0→b", "p2-0→c"]),
        Case(name: "nothing while a node drains", policy: policy(),
             nodes: [Fixture.node("a"), Fixture.node("b"), Fixture.node("c"), Fixture.node("d", cordoned: true)],
             expected: []),
        Case(name: "nothing while a child is in flight", policy: policy(),
             migrations: [Fixture.child("busy", pod: "x-0", source: "c", phase: .replaying)], expected: []),
        Case(name: "budgets limit the moves",
             policy: Fixture.policy(budgets: MigrationBudgets(maxConcurrent: 1), rebalance: RebalanceSettings(enabled: true)),
             expected: ["p0-0→b"]),
    ]

    @Test("rebalance honours its switch, threshold, cooldown and budgets", arguments: cases)
    func rules(_ c: Case) {
        let plan = MigrationPlanner.plan(Fixture.snapshot(c.policy, nodes: c.nodes, pods: c.pods, migrations: c.migrations))
        #expect(plan.moveSummary == c.expected)
    }
}
