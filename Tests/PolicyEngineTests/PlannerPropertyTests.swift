import KubeModel
import MigrationAPI
@testable import PolicyEngine
import Testing

@Suite("MigrationPlanner: invariants on generated snapshots")
struct PlannerPropertyTests {
    @Test("plans never exceed a budget, target a draining or unfit node, or over-commit a node", arguments: 0..<40)
    func invariants(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed) &+ 1)
        let nodeCount = Int.random(in: 3...8, using: &random)
        let nodes = (0..<nodeCount).map { index in
            Fixture.node(
                "n\(index)", cpu: ["1", "2", "4"].randomElement(using: &random)!, cordoned: Bool.random(using: &random),
                ready: Int.random(in: 0..<6, using: &random) > 0)
        }
        var pods: [Pod] = []
        for index in 0..<Int.random(in: 5...40, using: &random) {
            let node = nodes.randomElement(using: &random)!.metadata.name!
            let set = "s\(Int.random(in: 0..<6, using: &random))"
            let cpu = ["100m", "250m", "500m", "900m"].randomElement(using: &random)!
            pods.append(Fixture.pod("\(set)-\(index)", on: node, set: set, cpu: cpu))
        }
        let budgets = MigrationBudgets(
            maxConcurrent: Int32.random(in: 1...6, using: &random), maxOutboundPerNode: Int32.random(in: 1...3, using: &random),
            maxInboundPerNode: Bool.random(using: &random) ? Int32.random(in: 1...3, using: &random) : nil,
            maxInFlightPerStatefulSet: Int32.random(in: 1...2, using: &random))
        let plan = MigrationPlanner.plan(Fixture.snapshot(Fixture.policy(budgets: budgets), nodes: nodes, pods: pods))

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
    }
}
