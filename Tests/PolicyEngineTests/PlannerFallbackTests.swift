import KubeModel
import MigrationAPI
@testable import PolicyEngine
import Testing

@Suite("MigrationPlanner: retries and the fallback")
struct PlannerFallbackTests {
    static func policy(_ action: FallbackAction?, afterFailures: Int32? = nil, budgets: MigrationBudgets? = nil) -> MigrationPolicy {
        var policy = Fixture.policy(budgets: budgets)
        if action != nil || afterFailures != nil {
            policy.spec.fallback = MigrationFallback(action: action, afterFailures: afterFailures)
        }
        return policy
    }

    /// Attempt `attempt`'s child of `db-0` on node `a`, in `phase`.
    static func attempt(_ attempt: Int, _ phase: MigrationPhase?, pod: String = "db-0") -> StatefulMigration {
        Fixture.child(
            ChildMigrationName.make(policy: "drain", pod: pod, sourceUID: "uid-default-\(pod)", attempt: attempt),
            pod: pod, source: "a", target: "b", phase: phase)
    }

    static let nodes = [Fixture.node("a", cordoned: true), Fixture.node("b")]

    @Test("a pod no node fits is evicted with Evict, and only reported with None")
    func unplaceable() {
        let pods = [Fixture.pod("big-0", on: "a", set: "big", cpu: "64"), Fixture.pod("db-0", on: "a")]
        let evict = MigrationPlanner.plan(Fixture.snapshot(Self.policy(.evict), nodes: Self.nodes, pods: pods))
        #expect(evict.movedPods == ["db-0"])
        #expect(evict.unplaceable.map(\.pod) == ["big-0"])
        #expect(evict.evictions.map { "\($0.pod):\($0.reason.rawValue):\($0.sourceNode):\($0.podUID)" }
            == ["big-0:Unplaceable:a:uid-default-big-0"])
        #expect(evict.evictions.first?.message.hasPrefix("InsufficientCPU") == true)
        for action in [FallbackAction.none, nil] {
            let none = MigrationPlanner.plan(Fixture.snapshot(Self.policy(action), nodes: Self.nodes, pods: pods))
            #expect(none.unplaceable.map(\.pod) == ["big-0"])
            #expect(none.evictions.isEmpty)
        }
    }

    @Test("evictions do not use the migration budgets but wait for a closed schedule window")
    func evictionBudgetsAndWindows() {
        let pods = (0..<4).map { Fixture.pod("big\($0)-0", on: "a", set: "big\($0)", cpu: "64") }
        let tight = Self.policy(.evict, budgets: MigrationBudgets(maxConcurrent: 1, maxOutboundPerNode: 1))
        let plan = MigrationPlanner.plan(Fixture.snapshot(tight, nodes: Self.nodes, pods: pods))
        #expect(plan.evictions.count == 4 && plan.moves.isEmpty)

        var windowed = Fixture.policy(cordon: false, nodeSelector: LabelSelector(matchLabels: ["maintenance": "true"]),
            budgets: MigrationBudgets(scheduleWindows: [ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 3600)]))
        windowed.spec.fallback = MigrationFallback(action: .evict)
        let labelled = [Fixture.node("a", labels: ["maintenance": "true"]), Fixture.node("b")]
        let noon = MigrationPlanner.plan(Fixture.snapshot(windowed, nodes: labelled, pods: pods))
        #expect(noon.evictions.isEmpty && noon.unplaceable.count == 4)
        let night = MigrationPlanner.plan(Fixture.snapshot(
            windowed, nodes: labelled, pods: pods, now: Time(rfc3339: "2026-11-21T02:30:00Z")!))
        #expect(night.evictions.count == 4)
    }

    struct RetryCase: Sendable, CustomTestStringConvertible {
        var name: String
        var action: FallbackAction?
        var afterFailures: Int32?
        var children: [StatefulMigration]
        /// The attempt moved, if any.
        var movedAttempt: Int?
        var evicted: Bool = false
        var skipped: SkipReason?
        var testDescription: String { name }
    }

    static let retryCases: [RetryCase] = [
        RetryCase(name: "first attempt", action: nil, children: [], movedAttempt: 1),
        RetryCase(name: "one failure: attempt 2", action: nil, children: [attempt(1, .failed)], movedAttempt: 2),
        RetryCase(name: "two failures: attempt 3", action: .evict, children: [attempt(1, .failed), attempt(2, .failed)],
                  movedAttempt: 3),
        RetryCase(name: "three failures with None: skipped", action: .none,
                  children: [attempt(1, .failed), attempt(2, .failed), attempt(3, .failed)],
                  skipped: .migrationFailedRepeatedly(
                    failures: 3, lastMigration: ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-default-db-0", attempt: 3))),
        RetryCase(name: "three failures with Evict: evicted", action: .evict,
                  children: [attempt(1, .failed), attempt(2, .failed), attempt(3, .failed)], evicted: true),
        RetryCase(name: "afterFailures 1 evicts after the first failure", action: .evict, afterFailures: 1,
                  children: [attempt(1, .failed)], evicted: true),
        RetryCase(name: "afterFailures 5 keeps retrying", action: .evict, afterFailures: 5,
                  children: [attempt(1, .failed), attempt(2, .failed), attempt(3, .failed)], movedAttempt: 4),
        RetryCase(name: "an attempt in flight is already migrating", action: .evict,
                  children: [attempt(1, .failed), attempt(2, .checkpointing)],
                  skipped: .alreadyMigrating(migration: ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-default-db-0", attempt: 2))),
        RetryCase(name: "a completed attempt means the pod moved", action: .evict,
                  children: [attempt(1, .failed), attempt(2, .completed)],
                  skipped: .previousMigrationEnded(
                    migration: ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-default-db-0", attempt: 2), phase: .completed)),
        RetryCase(name: "another policy's failed children do not count", action: .evict,
                  children: [Fixture.child("x1", pod: "db-0", policy: "other", source: "a", phase: .failed),
                             Fixture.child("x2", pod: "db-0", policy: "other", source: "a", phase: .failed),
                             Fixture.child("x3", pod: "db-0", policy: "other", source: "a", phase: .failed)],
                  movedAttempt: 1),
    ]

    @Test("failed attempts are retried under the next name until afterFailures, then the fallback applies",
          arguments: retryCases)
    func retries(_ c: RetryCase) {
        let plan = MigrationPlanner.plan(Fixture.snapshot(
            Self.policy(c.action, afterFailures: c.afterFailures), nodes: Self.nodes, pods: [Fixture.pod("db-0", on: "a")],
            migrations: c.children))
        if let attempt = c.movedAttempt {
            #expect(plan.moves.map(\.migrationName)
                == [ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-default-db-0", attempt: attempt)])
        } else {
            #expect(plan.moves.isEmpty)
        }
        #expect(plan.evictions.map(\.reason) == (c.evicted ? [.migrationFailed] : []))
        #expect(plan.skipped.map(\.reason) == (c.skipped.map { [$0] } ?? []))
    }

    @Test("failed children are found by the source-pod-UID annotation too")
    func failuresByAnnotation() {
        let failed = (1...3).map { index -> StatefulMigration in
            var child = Fixture.child("legacy-\(index)", pod: "db-0", source: "a", phase: .failed)
            child.metadata.annotations = [ChildMigrationLabels.sourcePodUID: "uid-default-db-0"]
            return child
        }
        let plan = MigrationPlanner.plan(Fixture.snapshot(
            Self.policy(.evict), nodes: Self.nodes, pods: [Fixture.pod("db-0", on: "a")], migrations: failed))
        #expect(plan.evictions.map(\.reason) == [.migrationFailed] && plan.moves.isEmpty)
        // A re-created pod (new UID) starts over.
        var successor = Fixture.pod("db-0", on: "a")
        successor.metadata.uid = "uid-new"
        let fresh = MigrationPlanner.plan(Fixture.snapshot(Self.policy(.evict), nodes: Self.nodes, pods: [successor], migrations: failed))
        #expect(fresh.moves.map(\.migrationName) == [ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "uid-new")])
    }

    @Test("attempt names are deterministic, distinct, at most 63 characters, and attempt 1 keeps the original name")
    func attemptNames() {
        let first = ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "u")
        #expect(ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "u", attempt: 1) == first)
        let second = ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "u", attempt: 2)
        #expect(second == first + "-2")
        #expect(second == ChildMigrationName.make(policy: "drain", pod: "db-0", sourceUID: "u", attempt: 2))
        let long = (2...12).map {
            ChildMigrationName.make(policy: String(repeating: "p", count: 50), pod: String(repeating: "q", count: 50), sourceUID: "u", attempt: $0)
        }
        #expect(long.allSatisfy { $0.count <= 63 && !$0.contains("--") })
        #expect(Set(long).count == long.count)
        #expect(long[0].hasSuffix("-2") && long[10].hasSuffix("-12"))
    }
}
