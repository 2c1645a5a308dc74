import KubeModel
import MigrationAPI
import Placement
@testable import PolicyEngine
import Testing

@Suite("Evictions: the planner moves evicted pods, the webhook's verdict follows the plan")
struct EvictionPlanningTests {
    /// `pod` with an eviction request recorded at `at` (default: the fixture's now).
    static func evicted(_ pod: Pod, at: Time = Fixture.now) -> Pod {
        EvictionDecision.withRequest(pod, at: at)
    }

    static let nodes = [Fixture.node("a"), Fixture.node("b"), Fixture.node("c")]

    @Test("an evicted pod on a node no trigger drains moves alone, with reason Eviction; its neighbours stay")
    func evictedPodMovesAlone() {
        let pods = [Self.evicted(Fixture.pod("db-0", on: "a")), Fixture.pod("db-1", on: "a"), Fixture.pod("web-0", on: "b", set: "web")]
        let plan = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: Self.nodes, pods: pods))
        #expect(plan.movedPods == ["db-0"])
        #expect(plan.moves.first?.reason == .eviction)
        #expect(plan.moves.first?.targetNode != "a")
        #expect(plan.drainingNodes == [DrainingNode(name: "a", triggers: [.eviction])])
        // The evicted pod's node takes nobody else's pods meanwhile.
        #expect(!plan.moves.contains { $0.targetNode == "a" })
    }

    @Test("a request for another UID, a stale request, or a policy with triggers.eviction false moves nothing")
    func requestsThatDoNotCount() {
        var otherUID = Fixture.pod("db-0", on: "a")
        otherUID.metadata.annotations = [
            EvictionRequest.annotation: EvictionRequest(podUID: "uid-of-a-predecessor", requestedAt: Fixture.now).annotationValue
        ]
        let stale = Self.evicted(Fixture.pod("db-0", on: "a"), at: Time(secondsSinceEpoch: Fixture.now.secondsSinceEpoch - EvictionRequest.lifetime))
        let fresh = Self.evicted(Fixture.pod("db-0", on: "a"))
        for pod in [otherUID, stale] {
            let plan = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: Self.nodes, pods: [pod]))
            #expect(plan.moves.isEmpty && plan.drainingNodes.isEmpty)
        }
        var off = Fixture.policy()
        off.spec.triggers?.eviction = false
        #expect(MigrationPlanner.plan(Fixture.snapshot(off, nodes: Self.nodes, pods: [fresh])).moves.isEmpty)
        // Absent means true.
        #expect(MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: Self.nodes, pods: [fresh])).movedPods == ["db-0"])
    }

    @Test("an evicted pod on a labelled node starts outside the schedule window; its unevicted neighbours wait")
    func evictionIgnoresScheduleWindows() {
        let policy = Fixture.policy(
            cordon: false, nodeSelector: LabelSelector(matchLabels: ["maintenance": "true"]),
            budgets: MigrationBudgets(scheduleWindows: [ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 3600)]))
        let nodes = [Fixture.node("a", labels: ["maintenance": "true"]), Fixture.node("b")]
        let pods = [Fixture.pod("db-0", on: "a"), Self.evicted(Fixture.pod("db-1", on: "a"))]
        let plan = MigrationPlanner.plan(Fixture.snapshot(policy, nodes: nodes, pods: pods))
        #expect(plan.movedPods == ["db-1"])
        #expect(plan.moves.first?.reason == .drain)
        #expect(plan.waiting.map(\.pod) == ["db-0"])
        #expect(plan.waiting.first?.blockedBy == .scheduleWindowClosed)
    }

    @Test("a pending Eviction child is cancelled once its request lapses, not while it stands")
    func lapsedRequestCancelsPendingChild() {
        let child = Fixture.child("drain-db-0", pod: "db-0", source: "a", target: "b", phase: .pending, reason: .eviction)
        let current = MigrationPlanner.plan(Fixture.snapshot(
            Fixture.policy(), nodes: Self.nodes, pods: [Self.evicted(Fixture.pod("db-0", on: "a"))], migrations: [child]))
        #expect(current.cancellations.isEmpty)
        let lapsed = MigrationPlanner.plan(Fixture.snapshot(
            Fixture.policy(), nodes: Self.nodes, pods: [Fixture.pod("db-0", on: "a")], migrations: [child]))
        #expect(lapsed.cancellations.map(\.name) == ["drain-db-0"])
    }

    @Test("podsToPlan brings the evicted pods of non-draining nodes, once")
    func podsToPlanIncludesEvicted() {
        let evicted = Self.evicted(Fixture.pod("db-0", on: "a"))
        let cordoned = [Fixture.node("a", cordoned: true), Fixture.node("b")]
        let picked = PolicySnapshot.podsToPlan(
            Fixture.policy(), nodes: cordoned.map(FitNode.init), migrations: [], onNode: { $0 == "a" ? [evicted] : [] },
            named: { _, _ in nil }, allBound: { [] }, evicted: { [evicted] })
        #expect(picked.map(\.metadata.name) == ["db-0"])
        let elsewhere = PolicySnapshot.podsToPlan(
            Fixture.policy(), nodes: Self.nodes.map(FitNode.init), migrations: [], onNode: { _ in [] }, named: { _, _ in nil },
            allBound: { [] }, evicted: { [evicted] })
        #expect(elsewhere.map(\.metadata.name) == ["db-0"])
    }

    // MARK: - The verdict

    struct VerdictCase: Sendable, CustomTestStringConvertible {
        var name: String
        var pods: [Pod]
        var migrations: [StatefulMigration] = []
        var policy: MigrationPolicy = Fixture.policy()
        var outcome: EvictionVerdict.Outcome
        var records: Bool
        /// Words the message must contain.
        var mentions: [String]
        var testDescription: String { name }
    }

    static let big = Fixture.pod("db-0", on: "a", cpu: "64")

    static func fallback(_ action: FallbackAction) -> MigrationPolicy {
        var policy = Fixture.policy()
        policy.spec.fallback = MigrationFallback(action: action)
        return policy
    }

    static let verdictCases: [VerdictCase] = [
        VerdictCase(
            name: "a movable pod is refused, naming the migration and the target", pods: [Fixture.pod("db-0", on: "a")],
            outcome: .refuse, records: true, mentions: ["default/db-0", "StatefulMigration default/drain-db-0-", "to node b"]),
        VerdictCase(
            name: "a pod already migrating is refused, naming its migration, target and phase",
            pods: [Fixture.pod("db-0", on: "a")],
            migrations: [Fixture.child("manual", pod: "db-0", policy: nil, source: "a", target: "c", phase: .transferring)],
            outcome: .refuse, records: true, mentions: ["StatefulMigration default/manual", "to node c", "Transferring"]),
        VerdictCase(
            name: "a pod waiting for the budget is refused with what it waits for",
            pods: [Fixture.pod("db-0", on: "a")],
            migrations: [Fixture.child("other", pod: "db-9", source: "c", target: "b", phase: .replaying)],
            policy: Fixture.policy(budgets: MigrationBudgets(maxConcurrent: 1)),
            outcome: .refuse, records: true, mentions: ["maxConcurrent"]),
        VerdictCase(
            name: "an unplaceable pod with fallback Evict is allowed", pods: [Self.big], policy: Self.fallback(.evict),
            outcome: .allow, records: false, mentions: ["falls back to eviction", "InsufficientCPU"]),
        VerdictCase(
            name: "an unplaceable pod with fallback None is refused with the reason", pods: [Self.big],
            policy: Self.fallback(.none), outcome: .refuse, records: false, mentions: ["no node fits", "fallback None"]),
        VerdictCase(
            name: "an opted-out pod is allowed",
            pods: [Fixture.pod("db-0", on: "a", annotations: [PodOverrideAnnotation.optOut: "true"])],
            outcome: .allow, records: false, mentions: ["opted out"]),
        VerdictCase(
            name: "a pending pod is allowed", pods: [Fixture.pod("db-0", on: "a", phase: .pending)],
            outcome: .allow, records: false, mentions: ["not running"]),
    ]

    @Test("the verdict is read from the owning policy's plan", arguments: verdictCases)
    func verdict(_ test: VerdictCase) {
        let pod = test.pods[0]
        var snapshot = Fixture.snapshot(test.policy, nodes: Self.nodes, pods: test.pods, migrations: test.migrations)
        snapshot.pods[0] = EvictionDecision.withRequest(pod, at: Fixture.now)
        let plan = MigrationPlanner.plan(snapshot)
        let verdict = EvictionDecision.verdict(for: pod, policy: test.policy, plan: plan, migrations: test.migrations)
        #expect(verdict.outcome == test.outcome)
        #expect(verdict.recordsRequest == test.records)
        #expect(verdict.policy == "drain")
        for word in test.mentions {
            #expect(verdict.message.contains(word), "\(word) missing from: \(verdict.message)")
        }
    }

    @Test("the owning policy is the highest ranked covering one; deleted and non-covering ones never own")
    func owningPolicy() {
        let pod = Fixture.pod("db-0", on: "a")
        var low = Fixture.policy(name: "low")
        var high = Fixture.policy(name: "high")
        high.spec.priority = 5
        var deleting = Fixture.policy(name: "deleting")
        deleting.spec.priority = 9
        deleting.metadata.deletionTimestamp = Fixture.now
        let other = Fixture.policy(name: "other", selection: PodSelection(podSelector: LabelSelector(matchLabels: ["app": "web"])))
        #expect(EvictionDecision.owningPolicy(for: pod, among: [low, high, deleting, other], namespaceLabels: [:])?.metadata.name == "high")
        low.spec.priority = 6
        #expect(EvictionDecision.owningPolicy(for: pod, among: [low, high], namespaceLabels: [:])?.metadata.name == "low")
        #expect(EvictionDecision.owningPolicy(for: pod, among: [other], namespaceLabels: [:]) == nil)
    }

    /// `db-0` restored on `node` from node `a` by migration `drain-db-0`, running and ready unless `serving` is false.
    static func restored(on node: String = "b", serving: Bool = true, created: Time = Fixture.now) -> Pod {
        var pod = Fixture.pod("db-0", on: node, annotations: [
            RestoredPodOrigin.annotation: RestoredPodOrigin(namespace: "default", name: "db-0", node: "a").annotationValue
        ])
        pod.metadata.labels?[RestoredPodOrigin.migrationLabel] = "drain-db-0"
        pod.metadata.creationTimestamp = created
        if serving { pod.status?.conditions = [PodCondition(type: .ready, status: .true)] }
        return pod
    }

    @Test("a retried eviction naming a pod restored under the same name elsewhere: refused while it restores, gone after")
    func restoredSuccessor() throws {
        var done = Fixture.child("drain-db-0", pod: "db-0", source: "a", target: "b", phase: .completed)
        done.status?.targetPod = "db-0"
        done.status?.completionTime = Time(secondsSinceEpoch: Fixture.now.secondsSinceEpoch - 10)
        let successor = Self.restored()
        let verdict = try #require(EvictionDecision.restoredSuccessor(
            successor, migrations: [done], now: Fixture.now, nodeDrains: false))
        #expect(verdict.outcome == .gone)
        #expect(verdict.message.contains("live-migrated off node a") && verdict.message.contains("default/drain-db-0"))
        // The pod alone tells: with its migration not (yet) cached, a serving restored pod is gone too…
        #expect(EvictionDecision.restoredSuccessor(successor, migrations: [], now: Fixture.now, nodeDrains: false)?.outcome == .gone)
        // …and one still restoring is refused without recording anything.
        let restoring = try #require(EvictionDecision.restoredSuccessor(
            Self.restored(serving: false), migrations: [], now: Fixture.now, nodeDrains: false))
        #expect(restoring.outcome == .refuse && !restoring.recordsRequest)
        var running = done
        running.status?.phase = .replaying
        running.status?.completionTime = nil
        let replaying = try #require(EvictionDecision.restoredSuccessor(
            successor, migrations: [running], now: Fixture.now, nodeDrains: false))
        #expect(replaying.outcome == .refuse && !replaying.recordsRequest && replaying.message.contains("Replaying"))
        // Not when its own node drains, not long after, not after a failed migration, not for the source itself.
        #expect(EvictionDecision.restoredSuccessor(successor, migrations: [done], now: Fixture.now, nodeDrains: true) == nil)
        let later = Time(secondsSinceEpoch: Fixture.now.secondsSinceEpoch + EvictionRequest.lifetime)
        #expect(EvictionDecision.restoredSuccessor(successor, migrations: [done], now: later, nodeDrains: false) == nil)
        var failed = done
        failed.status?.phase = .failed
        #expect(EvictionDecision.restoredSuccessor(successor, migrations: [failed], now: Fixture.now, nodeDrains: false) == nil)
        #expect(EvictionDecision.restoredSuccessor(Self.restored(on: "a"), migrations: [done], now: Fixture.now, nodeDrains: false) == nil)
        #expect(EvictionDecision.restoredSuccessor(Fixture.pod("db-0", on: "b"), migrations: [done], now: Fixture.now, nodeDrains: false) == nil)
    }

    @Test("a retried eviction naming a migration's terminating source is refused, so the API server cannot evict the copy restored under its name")
    func departingSource() throws {
        var source = Fixture.pod("db-0", on: "a")
        source.metadata.deletionTimestamp = Fixture.now
        var finalizing = Fixture.child("drain-db-0", pod: "db-0", source: "a", target: "b", phase: .finalizing)
        finalizing.status?.sourcePodUID = source.metadata.uid
        let verdict = try #require(EvictionDecision.departingSource(source, migrations: [finalizing], now: Fixture.now))
        #expect(verdict.outcome == .refuse && !verdict.recordsRequest)
        #expect(verdict.message.contains("terminating") && verdict.message.contains("default/drain-db-0"))
        var done = finalizing
        done.status?.phase = .completed
        done.status?.completionTime = Time(secondsSinceEpoch: Fixture.now.secondsSinceEpoch - 10)
        #expect(EvictionDecision.departingSource(source, migrations: [done], now: Fixture.now)?.outcome == .refuse)
        // Not a source that is not being deleted, not after a failed migration, not long after, not another pod
        // of the same name.
        #expect(EvictionDecision.departingSource(Fixture.pod("db-0", on: "a"), migrations: [finalizing], now: Fixture.now) == nil)
        var failed = finalizing
        failed.status?.phase = .failed
        #expect(EvictionDecision.departingSource(source, migrations: [failed], now: Fixture.now) == nil)
        let later = Time(secondsSinceEpoch: Fixture.now.secondsSinceEpoch + EvictionRequest.lifetime)
        #expect(EvictionDecision.departingSource(source, migrations: [done], now: later) == nil)
        var other = finalizing
        other.status?.sourcePodUID = "another-uid"
        #expect(EvictionDecision.departingSource(source, migrations: [other], now: Fixture.now) == nil)
    }

    @Test("an eviction request is bound to the pod's UID and lapses after its lifetime")
    func requestValue() throws {
        let pod = Self.evicted(Fixture.pod("db-0", on: "a"))
        let request = try #require(EvictionRequest.recorded(on: pod))
        #expect(request.podUID == "uid-default-db-0" && request.requestedAt == Fixture.now)
        #expect(request.isCurrent(at: Fixture.now))
        #expect(!request.needsRefresh(at: Time(secondsSinceEpoch: Fixture.now.secondsSinceEpoch + 59)))
        #expect(request.needsRefresh(at: Time(secondsSinceEpoch: Fixture.now.secondsSinceEpoch + 60)))
        #expect(!request.isCurrent(at: Time(secondsSinceEpoch: Fixture.now.secondsSinceEpoch + EvictionRequest.lifetime)))
        var garbled = pod
        garbled.metadata.annotations?[EvictionRequest.annotation] = "uid-default-db-0,yesterday"
        #expect(EvictionRequest.recorded(on: garbled) == nil)
    }
}
