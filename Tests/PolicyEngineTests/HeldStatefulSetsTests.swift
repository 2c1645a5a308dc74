import KubeModel
import MigrationAPI
@testable import PolicyEngine
import Testing
import Unstructured

@Suite("HeldStatefulSets: the siblings a Sequential migration orphaned are still their StatefulSet's")
struct HeldStatefulSetsTests {
    /// A migration of `pod` that recorded StatefulSet `db` (selector app=db) in `phase`.
    static func holding(_ pod: String, phase: MigrationPhase, retained: Bool = false) -> StatefulMigration {
        var migration = Fixture.child("move-\(pod)", pod: pod, policy: nil, source: "a", target: "b", phase: phase)
        migration.status?.statefulSetName = "db"
        migration.status?.savedStatefulSet = [
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "namespace": "default"],
            "spec": ["selector": ["matchLabels": ["app": "db"]]],
        ]
        if retained {
            migration.status?.conditions = [Condition(type: MigrationConditionType.stateRetained, status: .true, reason: "RestoreFailed")]
        }
        return migration
    }

    @Test("an orphaned pod the held set selects gets its controller back; others are left alone")
    func owning() {
        let orphan = Fixture.pod("db-0", on: "a", bare: true)
        let held = HeldStatefulSets(migrations: [Self.holding("db-1", phase: .replaying)])
        #expect(PodCoverage.statefulSetKey(of: held.owning(orphan)) == "default/db")
        #expect(held.owning(Fixture.pod("web-0", on: "a", bare: true, labels: ["app": "web"])).metadata.controllerReference == nil)
        #expect(held.owning(Fixture.pod("db-0", on: "a", namespace: "other", bare: true)).metadata.controllerReference == nil)
        let owned = Fixture.pod("db-2", on: "a", set: "db")
        #expect(held.owning(owned) == owned)
        // Finished migrations hold nothing; one that failed retaining its state keeps the set away.
        #expect(HeldStatefulSets(migrations: [Self.holding("db-1", phase: .completed)]).isEmpty)
        #expect(HeldStatefulSets(migrations: [Self.holding("db-1", phase: .failed)]).isEmpty)
        #expect(!HeldStatefulSets(migrations: [Self.holding("db-1", phase: .failed, retained: true)]).isEmpty)
    }

    @Test("a drain counts an orphaned sibling against its StatefulSet's budget instead of ignoring or mis-moving it")
    func plannedAsTheSetsPod() {
        let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b"), Fixture.node("c")]
        let orphan = Fixture.pod("db-0", on: "a", bare: true)
        let inFlight = Self.holding("db-1", phase: .restoring)
        let plan = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: nodes, pods: [orphan], migrations: [inFlight]))
        #expect(plan.moves.isEmpty)
        #expect(plan.waiting.map(\.pod) == ["db-0"])
        #expect(plan.waiting.first?.blockedBy == .maxInFlightPerStatefulSet(statefulSet: "default/db"))
        // Without the held set the policy (StatefulSet pods only) would not even see it: a drain would evict it.
        let unheld = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: nodes, pods: [orphan]))
        #expect(unheld.moves.isEmpty && unheld.waiting.isEmpty)
    }
}
