import KubeModel
import MigrationAPI
import Placement
@testable import PolicyEngine
import Testing

/// The what-if drain: a snapshot's drain played forward by the planner in virtual time.
@Suite("DrainForecast: a drain played forward")
struct DrainForecastTests {
    static let durations = PhaseDurations(
        seconds: [.pending: 1, .checkpointing: 2, .transferring: 10, .restoring: 5, .replaying: 1, .finalizing: 1], source: "test")

    static func daemonPod(on node: String) -> Pod {
        Fixture.pod(
            "agent-\(node)", on: node, owner: OwnerReference(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "uid-ds", controller: true),
            cpu: "100m", labels: ["app": "agent"])
    }

    static func input(
        policy: MigrationPolicy, nodes: [Node], pods: [Pod], drained: [String] = ["node-a"], evicts: Bool = true
    ) -> DrainForecast.Input {
        DrainForecast.Input(
            policies: [policy], nodes: nodes, pods: pods, namespaceLabels: [:], migrations: [], volumes: VolumeTopology(),
            drained: drained, start: Fixture.now, durations: durations, evicts: evicts)
    }

    static let nodes = [Fixture.node("node-a"), Fixture.node("node-b"), Fixture.node("node-c")]

    @Test("waves within maxConcurrent, each wave when the last finishes; the uncovered pod evicted by the drain; DaemonSet pods stay")
    func wavesWithinBudget() {
        var policy = Fixture.policy()
        policy.spec.budgets = MigrationBudgets(maxConcurrent: 2)
        let pods = [
            Fixture.pod("db-0", on: "node-a", set: "db"), Fixture.pod("kv-0", on: "node-a", set: "kv"),
            Fixture.pod("mq-0", on: "node-a", set: "mq"), Fixture.pod("scratch", on: "node-a", bare: true),
            Self.daemonPod(on: "node-a"), Fixture.pod("db-1", on: "node-b", set: "db"),
        ]
        let timeline = DrainForecast.run(Self.input(policy: policy, nodes: Self.nodes, pods: pods))
        #expect(timeline.waves.map(\.time) == [0, 20])
        #expect(timeline.waves.map(\.moves.count) == [2, 1])
        #expect(Set(timeline.moves.map(\.pod)) == ["db-0", "kv-0", "mq-0"])
        #expect(timeline.moves.allSatisfy { $0.target != "node-a" && $0.finish == $0.start + 20 })
        #expect(timeline.moves.first { $0.pod == "db-0" }?.target == "node-c", "db-1 is on node-b: replicas kept apart")
        #expect(timeline.evictions.map(\.pod) == ["scratch"])
        #expect(timeline.evictions.first?.why.hasPrefix("kubectl drain") == true)
        #expect(timeline.stranded.isEmpty)
        #expect(timeline.emptied == ["node-a": 40])
        #expect(timeline.drainSeconds == 40)
    }

    @Test("a pod no node takes is stranded with the scheduler-style reason and the drain never ends; with fallback Evict it is evicted")
    func unplaceable() {
        let pods = [Fixture.pod("big-0", on: "node-a", set: "big", cpu: "6"), Fixture.pod("db-0", on: "node-a", set: "db")]
        let stuck = DrainForecast.run(Self.input(policy: Fixture.policy(), nodes: Self.nodes, pods: pods))
        #expect(stuck.moves.map(\.pod) == ["db-0"])
        #expect(stuck.stranded.map(\.pod) == ["big-0"])
        #expect(stuck.stranded.first?.why.contains("0/3 nodes are available") == true, "\(stuck.stranded.first?.why ?? "")")
        #expect(stuck.drainSeconds == nil)
        #expect(stuck.emptied.isEmpty)

        var evicting = Fixture.policy()
        evicting.spec.fallback = MigrationFallback(action: .evict)
        let evicted = DrainForecast.run(Self.input(policy: evicting, nodes: Self.nodes, pods: pods))
        #expect(evicted.evictions.map(\.pod) == ["big-0"])
        #expect(evicted.evictions.first?.why.contains("fallback") == true)
        #expect(evicted.drainSeconds == 20)
    }

    @Test("a policy that does not intercept evictions loses its pods to kubectl drain; a cordon alone lets it move them")
    func evictionInterception() {
        var policy = Fixture.policy()
        policy.spec.triggers?.eviction = false
        let pods = [Fixture.pod("db-0", on: "node-a", set: "db")]
        let drained = DrainForecast.run(Self.input(policy: policy, nodes: Self.nodes, pods: pods))
        #expect(drained.moves.isEmpty)
        #expect(drained.evictions.map(\.pod) == ["db-0"])
        #expect(drained.evictions.first?.why.contains("does not intercept evictions") == true)

        let cordoned = DrainForecast.run(Self.input(policy: policy, nodes: Self.nodes, pods: pods, evicts: false))
        #expect(cordoned.moves.map(\.pod) == ["db-0"])
        #expect(cordoned.evictions.isEmpty)
        #expect(cordoned.drainSeconds == 20)

        // Intercepting evictions without a cordon trigger: the drain's evictions alone start the moves.
        var evictionOnly = Fixture.policy(cordon: false)
        evictionOnly.spec.triggers?.eviction = true
        let intercepted = DrainForecast.run(Self.input(policy: evictionOnly, nodes: Self.nodes, pods: pods))
        #expect(intercepted.moves.map(\.reason) == [.eviction])
        #expect(intercepted.drainSeconds == 20)
    }

    @Test("a label trigger waits for its schedule window; a window that starts nothing ends the forecast")
    func scheduleWindow() {
        var policy = Fixture.policy(cordon: false, nodeSelector: LabelSelector(matchLabels: ["drain": "yes"]))
        policy.spec.budgets = MigrationBudgets(scheduleWindows: [ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 7200)])
        let nodes = [Fixture.node("node-a", labels: ["drain": "yes"]), Fixture.node("node-b"), Fixture.node("node-c")]
        let pods = [Fixture.pod("db-0", on: "node-a", set: "db"), Fixture.pod("big-0", on: "node-a", set: "big", cpu: "6")]
        let timeline = DrainForecast.run(Self.input(policy: policy, nodes: nodes, pods: pods, evicts: false))
        // Fixture.now is 12:00 UTC: the window opens at 02:00 the next day, 14 h later.
        #expect(timeline.moves.map(\.pod) == ["db-0"])
        #expect(timeline.moves.first?.start == Double(14 * 3600))
        #expect(timeline.stranded.map(\.pod) == ["big-0"])
        #expect(timeline.rounds < 10, "\(timeline.rounds) rounds")
        #expect(!timeline.cutShort)
    }

    @Test("property: no move targets a drained node or breaks a node's pod count, every leaving pod ends moved, evicted or stranded, and kept usage gives the full path's timeline")
    func invariants() {
        var generator = SeededGenerator(seed: 7)
        for round in 0..<20 {
            let nodeCount = Int.random(in: 3...8, using: &generator)
            let nodes = (0..<nodeCount).map { Fixture.node("n\($0)", cpu: ["2", "4", "8"].randomElement(using: &generator)!, pods: 6) }
            var pods: [Pod] = []
            // Placed as the scheduler would have: at most 6 pods per node, 250m each on nodes of at least 2 CPU.
            var placed: [String: Int] = [:]
            for index in 0..<Int.random(in: 4...30, using: &generator) {
                let node = "n\(Int.random(in: 0..<nodeCount, using: &generator))"
                guard placed[node, default: 0] < 6 else { continue }
                placed[node, default: 0] += 1
                let set = ["db", "kv", "mq", "web"].randomElement(using: &generator)!
                pods.append(Fixture.pod("\(set)-\(index)", on: node, set: set, cpu: "250m"))
            }
            let drained = Array(Set((0..<Int.random(in: 1...2, using: &generator)).map { _ in "n\(Int.random(in: 0..<nodeCount, using: &generator))" })).sorted()
            var policy = Fixture.policy()
            policy.spec.budgets = MigrationBudgets(maxConcurrent: Int32.random(in: 1...4, using: &generator))
            let timeline = DrainForecast.run(Self.input(policy: policy, nodes: nodes, pods: pods, drained: drained))
            var fullInput = Self.input(policy: policy, nodes: nodes, pods: pods, drained: drained)
            fullInput.keepsUsage = false
            #expect(DrainForecast.run(fullInput) == timeline, "round \(round): kept usage plans as every pod does")
            #expect(timeline.moves.allSatisfy { !drained.contains($0.target) }, "round \(round)")
            let leaving = pods.filter { drained.contains($0.spec?.nodeName ?? "") }.compactMap(\.metadata.name)
            let accounted = timeline.moves.map(\.pod) + timeline.evictions.map(\.pod) + timeline.stranded.map(\.pod)
            #expect(accounted.sorted() == leaving.sorted(), "round \(round): each leaving pod exactly once")
            // Replay the moves: no node ever holds more than its 6 pods.
            var count: [String: Int] = [:]
            for pod in pods { count[pod.spec?.nodeName ?? "", default: 0] += 1 }
            for event in timeline.moves.flatMap({ [($0.start, $0.target, 1), ($0.finish, $0.source, -1)] }).sorted(by: { ($0.0, $0.2) < ($1.0, $1.2) }) {
                count[event.1, default: 0] += event.2
                #expect((count[event.1] ?? 0) <= 6, "round \(round): node \(event.1) over its pod count")
            }
            #expect(timeline.drainSeconds != nil || !timeline.stranded.isEmpty)
        }
    }
}
