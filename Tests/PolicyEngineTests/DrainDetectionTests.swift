import KubeModel
import MigrationAPI
@testable import PolicyEngine
import Testing

@Suite("DrainDetection")
struct DrainDetectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var node: Node
        var triggers: PolicyTriggers
        var expected: [DrainTrigger]
        var testDescription: String { name }
    }

    static let maintenance = LabelSelector(matchLabels: ["maintenance": "true"])
    static let cases: [Case] = [
        Case(name: "cordoned node, cordon trigger", node: Fixture.node("a", cordoned: true),
             triggers: PolicyTriggers(cordon: true), expected: [.cordon]),
        Case(name: "cordoned node, cordon trigger off", node: Fixture.node("a", cordoned: true),
             triggers: PolicyTriggers(cordon: false), expected: []),
        Case(name: "schedulable node", node: Fixture.node("a"), triggers: PolicyTriggers(cordon: true), expected: []),
        Case(name: "label selector matches", node: Fixture.node("a", labels: ["maintenance": "true"]),
             triggers: PolicyTriggers(nodeSelector: maintenance), expected: [.nodeLabel]),
        Case(name: "label selector does not match", node: Fixture.node("a", labels: ["maintenance": "false"]),
             triggers: PolicyTriggers(nodeSelector: maintenance), expected: []),
        Case(name: "empty label selector never drains", node: Fixture.node("a"),
             triggers: PolicyTriggers(nodeSelector: LabelSelector()), expected: []),
        Case(name: "taint by key", node: Fixture.node("a", taints: [Taint(key: "maint", value: "x", effect: .noSchedule)]),
             triggers: PolicyTriggers(taints: [TaintTrigger(key: "maint")]), expected: [.taint]),
        Case(name: "taint value mismatch", node: Fixture.node("a", taints: [Taint(key: "maint", value: "x", effect: .noSchedule)]),
             triggers: PolicyTriggers(taints: [TaintTrigger(key: "maint", value: "y")]), expected: []),
        Case(name: "taint effect mismatch", node: Fixture.node("a", taints: [Taint(key: "maint", effect: .preferNoSchedule)]),
             triggers: PolicyTriggers(taints: [TaintTrigger(key: "maint", effect: .noExecute)]), expected: []),
        Case(name: "taint key, value and effect match", node: Fixture.node("a", taints: [Taint(key: "maint", value: "now", effect: .noExecute)]),
             triggers: PolicyTriggers(taints: [TaintTrigger(key: "maint", value: "now", effect: .noExecute)]), expected: [.taint]),
        Case(name: "all three triggers",
             node: Fixture.node("a", cordoned: true, labels: ["maintenance": "true"], taints: [Taint(key: "maint", effect: .noSchedule)]),
             triggers: PolicyTriggers(cordon: true, nodeSelector: maintenance, taints: [TaintTrigger(key: "maint")]),
             expected: [.cordon, .nodeLabel, .taint]),
    ]

    @Test("a node drains when it matches any trigger", arguments: cases)
    func triggers(_ c: Case) {
        #expect(DrainDetection.triggers(of: c.node, for: c.triggers) == c.expected)
    }

    @Test("draining nodes are sorted by name and carry their triggers")
    func drainingNodes() {
        let nodes = [Fixture.node("c", cordoned: true), Fixture.node("b"), Fixture.node("a", cordoned: true)]
        let draining = DrainDetection.drainingNodes(nodes, for: PolicyTriggers(cordon: true))
        #expect(draining == [DrainingNode(name: "a", triggers: [.cordon]), DrainingNode(name: "c", triggers: [.cordon])])
        #expect(DrainDetection.drainingNodes(nodes, for: nil).isEmpty)
    }
}
