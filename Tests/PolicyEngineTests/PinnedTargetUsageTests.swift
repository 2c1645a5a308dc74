import KubeModel
import MigrationAPI
import Placement
@testable import PolicyEngine
import Testing

/// A target ms2m created is pinned to its node by affinity and bound by the scheduler a moment later; in
/// between it already takes its room there, for the planner and the caches alike.
@Suite("Planning: a pinned target not yet bound takes room on its node")
struct PinnedTargetUsageTests {
    @Test("the cache summary and the planner's own count agree; a move does not land where the unbound target's room is")
    func pinnedTargetCounts() {
        var target = Fixture.pod("db-9-shadow", on: "node-b", cpu: "7")
        NodePin.pin(&target, to: "node-b")
        #expect(target.spec?.nodeName == nil)
        let source = Fixture.pod("db-0", on: "node-a", cpu: "2")
        let usage = NodeUsageSummary.usage(of: [target, source])
        #expect(usage["node-b"]?.requested["cpu"] == Quantity("7"))

        // node-b (8 CPU) has 1 left once the pinned target is counted, too little for db-0 (2); node-c has 3.
        let nodes = [
            Fixture.node("node-a", cordoned: true), Fixture.node("node-b", cpu: "8"), Fixture.node("node-c", cpu: "3"),
        ]
        let snapshot = Fixture.snapshot(Fixture.policy(), nodes: nodes, pods: [target, source])
        let plan = MigrationPlanner.plan(snapshot)
        #expect(plan.moves.map(\.targetNode) == ["node-c"])
        var summarised = snapshot
        summarised.nodeUsage = usage
        #expect(MigrationPlanner.plan(summarised) == plan)

        // Uncounted (a pending pod of no node), node-b looks emptiest and would be chosen.
        var unpinned = NodePin.unpinned(target)
        unpinned.spec?.nodeName = nil
        #expect(NodeUsageSummary.usage(of: [unpinned, source])["node-b"] == nil)
        let blind = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(), nodes: nodes, pods: [unpinned, source]))
        #expect(blind.moves.map(\.targetNode) == ["node-b"])
    }
}
