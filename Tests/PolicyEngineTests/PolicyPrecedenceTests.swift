import KubeModel
import MigrationAPI
@testable import PolicyEngine
import Testing

@Suite("MigrationPlanner: several policies covering one pod")
struct PolicyPrecedenceTests {
    static let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b"), Fixture.node("c")]
    static let pods = [
        Fixture.pod("db-0", on: "a", set: "db", labels: ["app": "db", "tier": "gold"]),
        Fixture.pod("web-0", on: "a", set: "web", labels: ["app": "web"]),
    ]

    static func policy(
        _ name: String, priority: Int32? = nil, podLabels: [String: String]? = nil, namespaceLabels: [String: String]? = nil,
        cordon: Bool = true
    ) -> MigrationPolicy {
        var policy = Fixture.policy(
            name: name, cordon: cordon,
            budgets: MigrationBudgets(maxConcurrent: 10, maxOutboundPerNode: 10),
            selection: PodSelection(
                namespaceSelector: namespaceLabels.map { LabelSelector(matchLabels: $0) },
                podSelector: podLabels.map { LabelSelector(matchLabels: $0) }))
        policy.spec.priority = priority
        return policy
    }

    static func plan(_ policy: MigrationPolicy, others: [MigrationPolicy]) -> MigrationPlan {
        var snapshot = Fixture.snapshot(
            policy, nodes: nodes, pods: pods, namespaceLabels: ["default": ["env": "prod"]])
        snapshot.otherPolicies = others
        return MigrationPlanner.plan(snapshot)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var planned: MigrationPolicy
        var other: MigrationPolicy
        /// The pods the planned policy yields, with the reason it gives.
        var yielded: [String: String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "higher priority wins over a more specific selection",
             planned: policy("specific", podLabels: ["app": "db", "tier": "gold"]),
             other: policy("broad", priority: 10),
             yielded: ["db-0": "priority 10 > 0"]),
        Case(name: "the winner keeps what it covers",
             planned: policy("broad", priority: 10),
             other: policy("specific", podLabels: ["app": "db", "tier": "gold"]),
             yielded: [:]),
        Case(name: "equal priority: more selector terms win (namespace selector terms count)",
             planned: policy("one", podLabels: ["app": "db"]),
             other: policy("two", podLabels: ["app": "db"], namespaceLabels: ["env": "prod"]),
             yielded: ["db-0": "more specific selection (2 selector terms > 1)"]),
        Case(name: "equal priority and specificity: the name sorting first wins",
             planned: policy("beta", podLabels: ["app": "db"]),
             other: policy("alpha", podLabels: ["app": "db"]),
             yielded: ["db-0": "same priority and specificity; name \"alpha\" sorts before \"beta\""]),
        Case(name: "the name sorting first keeps its pods",
             planned: policy("alpha", podLabels: ["app": "db"]),
             other: policy("beta", podLabels: ["app": "db"]),
             yielded: [:]),
        Case(name: "coverage decides, not triggers: a winner without a draining node still owns the pod",
             planned: policy("cordon", podLabels: ["app": "db"]),
             other: policy("maintenance", priority: 5, podLabels: ["app": "db"], cordon: false),
             yielded: ["db-0": "priority 5 > 0"]),
        Case(name: "a higher-priority policy takes only the pods it covers",
             planned: policy("all"),
             other: policy("web-only", priority: 100, podLabels: ["app": "web"]),
             yielded: ["web-0": "priority 100 > 0"]),
    ]

    @Test("priority, then specificity, then the name decide; the loser yields with the reason", arguments: cases)
    func precedence(_ c: Case) {
        let plan = Self.plan(c.planned, others: [c.other])
        #expect(Dictionary(uniqueKeysWithValues: plan.yielded.map { ($0.pod, $0.why) }) == c.yielded)
        #expect(plan.yielded.allSatisfy { $0.winner == c.other.metadata.name && $0.node == "a" })
        let covered = Self.pods.filter { PodCoverage(c.planned.spec.selection).covers($0, namespaceLabels: ["env": "prod"]) }
        #expect(Set(plan.movedPods) == Set(covered.map { $0.metadata.name! }).subtracting(c.yielded.keys))
        #expect(Set(plan.movedPods).isDisjoint(with: plan.yielded.map(\.pod)))
    }

    @Test("exactly one of two overlapping policies moves each pod, whichever is planned")
    func exactlyOneOwner() {
        let first = Self.policy("first", podLabels: ["app": "db"])
        let second = Self.policy("second")
        let a = Self.plan(first, others: [first, second])
        let b = Self.plan(second, others: [first, second])
        #expect(a.movedPods == ["db-0"] && a.yielded.isEmpty)
        #expect(b.movedPods == ["web-0"] && b.yielded.map(\.pod) == ["db-0"])
    }

    @Test("a policy being deleted never wins, and the policy itself in otherPolicies is ignored")
    func deletedAndSelf() {
        var deleting = Self.policy("top", priority: 50)
        deleting.metadata.deletionTimestamp = Fixture.now
        let planned = Self.policy("low")
        let plan = Self.plan(planned, others: [deleting, planned])
        #expect(plan.yielded.isEmpty && Set(plan.movedPods) == ["db-0", "web-0"])
    }

    @Test("a pod whose active migration belongs to another policy is already migrating")
    func activeChildOfAnotherPolicy() {
        var snapshot = Fixture.snapshot(
            Self.policy("mine"), nodes: Self.nodes, pods: Self.pods,
            migrations: [Fixture.child("theirs-db-0", pod: "db-0", policy: "theirs", source: "a", phase: .transferring)])
        snapshot.otherPolicies = [Self.policy("theirs")]
        let plan = MigrationPlanner.plan(snapshot)
        #expect(plan.skipped.map(\.reason) == [.alreadyMigrating(migration: "theirs-db-0")])
        #expect(plan.movedPods == ["web-0"])
    }

    @Test("rank order: priority, then specificity, then the name in byte order")
    func rankOrder() {
        let low = PolicyPrecedence.Rank(priority: 0, specificity: 5, name: "a")
        let high = PolicyPrecedence.Rank(priority: 1, specificity: 0, name: "z")
        #expect(low < high)
        #expect(PolicyPrecedence.Rank(priority: 0, specificity: 1, name: "z") > PolicyPrecedence.Rank(priority: 0, specificity: 0, name: "a"))
        #expect(PolicyPrecedence.Rank(priority: 0, specificity: 0, name: "B") > PolicyPrecedence.Rank(priority: 0, specificity: 0, name: "a"))
        let selection = PodSelection(
            namespaceSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "env", operator: .exists)]),
            podSelector: LabelSelector(matchLabels: ["a": "1", "b": "2"]))
        #expect(PolicyPrecedence.specificity(of: selection) == 3)
        #expect(PolicyPrecedence.specificity(of: nil) == 0)
    }
}
