import KubeModel
import MigrationAPI
import OperatorCore
@testable import PolicyEngine
import Testing
import Unstructured

@Suite("MigrationPolicy controller against KubeSim", .serialized)
struct PolicyControllerTests {
    @Test("cordon drains within budgets, completions free budget, uncordon cancels what has not started, opt-outs are skipped")
    func cordonDrain() async throws {
        try await PolicyHarness.run { h in
            for node in ["node-a", "node-b", "node-c"] { try await h.addNode(node) }
            let db = try await h.statefulSet("db")
            let kv = try await h.statefulSet("kv")
            let opt = try await h.statefulSet("opt")
            try await h.addPod("db-0", of: db, on: "node-a")
            try await h.addPod("db-1", of: db, on: "node-a")
            try await h.addPod("kv-0", of: kv, on: "node-a")
            try await h.addPod("kv-1", of: kv, on: "node-a")
            try await h.addPod("opt-0", of: opt, on: "node-a", annotations: [PodOverrideAnnotation.optOut: "true"])
            try await h.addPod("db-2", of: db, on: "node-b")
            try await h.createPolicy(Fixture.policy(
                name: "drain", budgets: MigrationBudgets(maxConcurrent: 3, maxOutboundPerNode: 2, maxInFlightPerStatefulSet: 2)))
            try await h.eventually("policy status written") { try await h.policy("drain").status?.observedGeneration == 1 }
            #expect(try await h.children().isEmpty)

            try await h.patchNode("node-a", ["spec": ["unschedulable": true]])
            try await h.eventually("two children") { try await h.children().count == 2 }
            try await Task.sleep(for: .milliseconds(300))
            var children = try await h.children()
            #expect(children.count == 2, "maxOutboundPerNode holds")
            let policy = try await h.policy("drain")
            for child in children {
                #expect(child.spec.targetNode != "node-a")
                #expect(["node-b", "node-c"].contains(child.spec.targetNode ?? ""))
                #expect(child.metadata.labels?[MigrationPolicyLabel.policy] == "drain")
                #expect(child.metadata.labels?[MigrationPolicyLabel.sourceNode] == "node-a")
                // No ownerReference: deleting the policy must not garbage-collect in-flight children.
                #expect(child.metadata.ownerReferences == nil)
                #expect(child.metadata.labels?[MigrationPolicyLabel.policy] == policy.metadata.name)
                #expect(child.metadata.name?.hasPrefix("drain-") == true && (child.metadata.name?.count ?? 99) <= 63)
                #expect(child.spec.sourcePod != "opt-0")
            }
            #expect(!h.events.reasons(PolicyEventReason.podOptedOut).isEmpty)
            #expect(h.events.reasons(PolicyEventReason.podOptedOut).allSatisfy { $0.regarding == "default/opt-0" })
            try await h.eventually("status shows the draining node and budget use") {
                let status = try await h.policy("drain").status
                return status?.drainingNodeCount == 1 && status?.budget?.inFlight == 2
                    && status?.drainingNodes?.first?.name == "node-a"
                    && status?.conditions?.isTrue(PolicyConditions.progressing) == true
            }

            // A child completing frees one outbound slot: exactly one more child appears.
            try await h.setPhase(children[0], .completed)
            try await h.eventually("a third child") { try await h.children().count == 3 }
            try await Task.sleep(for: .milliseconds(300))
            children = try await h.children()
            #expect(children.count == 3)
            #expect(Set(children.map(\.spec.sourcePod)).count == 3, "no pod is planned twice")

            // One in-flight child starts checkpointing; then the node is uncordoned.
            let inFlight = children.filter { $0.status?.phase == nil }
            #expect(inFlight.count == 2)
            try await h.setPhase(inFlight[0], .checkpointing)
            try await h.patchNode("node-a", ["spec": ["unschedulable": false]])
            try await h.eventually("pending child cancelled") {
                let names = Set(try await h.children().compactMap(\.metadata.name))
                return !names.contains(inFlight[1].metadata.name!) && names.contains(inFlight[0].metadata.name!)
            }
            #expect(try await h.children().count == 2, "the completed and the checkpointing child remain")
            #expect(!h.events.reasons(PolicyEventReason.migrationCancelled).isEmpty)
            try await h.eventually("status clears the node") { try await h.policy("drain").status?.drainingNodeCount == 0 }
        }
    }

    @Test("a node with a trigger label or a trigger taint drains too")
    func labelAndTaint() async throws {
        try await PolicyHarness.run { h in
            for node in ["node-a", "node-b", "node-c"] { try await h.addNode(node) }
            let db = try await h.statefulSet("db")
            let kv = try await h.statefulSet("kv")
            try await h.addPod("db-0", of: db, on: "node-a")
            try await h.addPod("kv-0", of: kv, on: "node-b")
            try await h.createPolicy(Fixture.policy(
                name: "maint", cordon: false, nodeSelector: LabelSelector(matchLabels: ["maintenance": "true"]),
                taints: [TaintTrigger(key: "ms2m.io/maintenance", effect: .noSchedule)]))
            try await h.eventually("policy status written") { try await h.policy("maint").status != nil }
            #expect(try await h.children().isEmpty)

            try await h.patchNode("node-a", ["metadata": ["labels": ["maintenance": "true"]]])
            try await h.eventually("child for the labelled node") {
                try await h.children().map(\.spec.sourcePod) == ["db-0"]
            }
            try await h.patchNode("node-b", ["spec": ["taints": [["key": "ms2m.io/maintenance", "effect": "NoSchedule"]]]])
            try await h.eventually("child for the tainted node") { try await h.children().count == 2 }
            let children = try await h.children()
            #expect(Set(children.map(\.spec.sourcePod)) == ["db-0", "kv-0"])
            #expect(children.allSatisfy { $0.spec.targetNode == "node-c" }, "draining nodes are never targets")
            let status = try await h.policy("maint").status
            #expect(Set(status?.drainingNodes?.flatMap { $0.triggers ?? [] } ?? []) == [.nodeLabel, .taint])
        }
    }

    @Test("dry run writes the plan into status and creates nothing")
    func dryRun() async throws {
        try await PolicyHarness.run { h in
            for node in ["node-a", "node-b"] { try await h.addNode(node) }
            let db = try await h.statefulSet("db")
            try await h.addPod("db-0", of: db, on: "node-a")
            var policy = Fixture.policy(name: "preview")
            policy.spec.dryRun = true
            try await h.createPolicy(policy)
            try await h.patchNode("node-a", ["spec": ["unschedulable": true]])
            try await h.eventually("plan in status") {
                try await h.policy("preview").status?.plan?.map(\.targetNode) == ["node-b"]
            }
            #expect(try await h.children().isEmpty)
            #expect(try await h.policy("preview").status?.migrations?.planned == 1)
        }
    }
}
