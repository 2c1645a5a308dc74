import ControllerRuntime
import KubeModel
import Logging
import MigrationAPI
import OperatorCore
import Placement
@testable import PolicyEngine
import Synchronization
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

    @Test("the controller plans from its informer caches: once synced, a cordon and an uncordon LIST no pods or nodes")
    func plansFromCaches() async throws {
        try await PolicyHarness.run { h in
            for node in ["node-a", "node-b"] { try await h.addNode(node) }
            let db = try await h.statefulSet("db")
            try await h.addPod("db-0", of: db, on: "node-a")
            try await h.createPolicy(Fixture.policy(name: "drain"))
            try await h.eventually("policy status written") { try await h.policy("drain").status?.observedGeneration == 1 }
            h.server.requests.clear()
            try await h.patchNode("node-a", ["spec": ["unschedulable": true]])
            try await h.eventually("a child") { try await h.children().count == 1 }
            try await h.patchNode("node-a", ["spec": ["unschedulable": false]])
            try await h.eventually("the pending child cancelled") { try await h.children().isEmpty }
            let lists = h.server.requests.all.filter { request in
                let path = request.uri.split(separator: "?").first.map(String.init) ?? ""
                return request.method == "GET" && ["/api/v1/pods", "/api/v1/nodes", "/api/v1/namespaces"].contains(path)
                    && !request.uri.contains("watch=")
            }
            #expect(lists.isEmpty, "\(lists.map(\.uri))")
        }
    }

    @Test("a node change reaches a policy no reconcile has recorded yet; a pod change reaches the policies its node drains for")
    func eventMappingDoesNotWaitForAReconcile() async throws {
        try await PolicyHarness.run { h in
            let factory = InformerFactory(api: h.client)
            let caches = PolicyCaches(factory: factory)
            let running = Task { await factory.run() }
            defer { running.cancel() }
            await caches.waitForSync()
            try await h.createPolicy(Fixture.policy(name: "drain"))
            try await h.createPolicy(Fixture.policy(name: "again"))
            try await h.eventually("the policies cached") { caches.policies.cache.list().count == 2 }
            // A cordon that lands while a policy's first reconcile is between its snapshot and its record
            // must still re-plan it: node changes map from the policy cache.
            #expect(MigrationPolicyController.allPolicies(caches).map(\.name) == ["again", "drain"])

            let registry = PolicyRegistry()
            #expect(registry.record(policy: "drain", drainingNodes: ["node-a"]) == ["node-a"])
            #expect(registry.policies(drainingNode: "node-a").map(\.name) == ["drain"])
            #expect(registry.record(policy: "drain", drainingNodes: ["node-a", "node-b"]) == ["node-b"], "only the new node")
            #expect(registry.record(policy: "drain", drainingNodes: ["node-b"]).isEmpty)
            #expect(registry.policies(drainingNode: "node-a").isEmpty)
        }
    }

    @Test("a policy whose first plan finds a newly draining node looks again soon, for pods that changed meanwhile")
    func newlyDrainingNodeRequeues() async throws {
        try await PolicyHarness.run(controllerRunning: false) { h in
            for node in ["node-a", "node-b"] { try await h.addNode(node) }
            try await h.patchNode("node-a", ["spec": ["unschedulable": true]])
            let factory = InformerFactory(api: h.client)
            let caches = PolicyCaches(factory: factory)
            let running = Task { await factory.run() }
            defer { running.cancel() }
            await caches.waitForSync()
            try await h.createPolicy(Fixture.policy(name: "drain"))
            try await h.eventually("the policy cached") { caches.policies.cache.list().count == 1 }
            let reconciler = MigrationPolicyReconciler(
                api: h.client, caches: caches, events: h.events, registry: PolicyRegistry(),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), budgetRecheck: .seconds(60))
            let first = try await reconciler.reconcile(ReconcileRequest(name: "drain"))
            guard case .requeue(let after) = first else {
                Issue.record("a newly draining node should requeue, got \(first)")
                return
            }
            #expect(after <= .seconds(1))
            #expect(try await reconciler.reconcile(ReconcileRequest(name: "drain")) == .done, "the node is known now")
        }
    }

    @Test("the caches keep each node's usage in step with pod changes; a snapshot holds only the pods planning reads")
    func cachesKeepNodeUsage() async throws {
        try await PolicyHarness.run { h in
            for node in ["node-a", "node-b", "node-c"] { try await h.addNode(node) }
            let db = try await h.statefulSet("db")
            let web = try await h.statefulSet("web")
            for index in 0..<6 { try await h.addPod("db-\(index)", of: db, on: ["node-a", "node-b", "node-c"][index % 3]) }
            try await h.addPod("web-0", of: web, on: "node-b")
            let factory = InformerFactory(api: h.client)
            let caches = PolicyCaches(factory: factory)
            let running = Task { await factory.run() }
            defer { running.cancel() }
            await caches.waitForSync()

            func recomputed() async throws -> NodeUsageSummary.Value {
                let pods = try await h.client.list(Pod.self, namespace: nil, options: ListOptions()).items
                return NodeUsageSummary.usage(of: pods.map(ObjectTransforms.schedulingPod))
            }
            try await h.eventually("usage of the listed pods") { try await caches.nodeUsage.value == recomputed() }
            #expect(caches.nodeUsage.value["node-b"]?.podCount == 3)
            #expect(caches.nodeUsage.value["node-b"]?.requested["cpu"] == Quantity("1500m"))

            // A pod that ends stops counting; a deleted one too; a new one counts.
            var ended = try await h.client.get(Pod.self, name: "db-1", namespace: "default")
            ended.status?.phase = .succeeded
            _ = try await h.client.updateStatus(ended)
            _ = try await h.client.delete(Pod.self, name: "db-2", namespace: "default", options: DeleteOptions(gracePeriodSeconds: 0))
            try await h.addPod("web-1", of: web, on: "node-c")
            try await h.eventually("usage after the changes") {
                let usage = caches.nodeUsage.value
                return usage["node-b"]?.podCount == 2 && usage["node-c"]?.podCount == 2
            }
            #expect(try await caches.nodeUsage.value == recomputed())

            // Cordoning node-a: the snapshot holds node-a's pods and the source pod of the migration in flight.
            var manual = Fixture.child("manual", pod: "web-1", policy: nil, source: "node-c", phase: nil)
            manual.spec.checkpointImageRepository = "registry.example.com/ckpt"
            manual.spec.messageQueueConfig = MessageQueueConfig(queueName: "orders", brokerUrl: "amqp://broker:5672/")
            _ = try await h.client.create(manual, namespace: "default", options: WriteOptions())
            try await h.patchNode("node-a", ["spec": ["unschedulable": true]])
            try await h.eventually("the caches see the cordon and the migration") {
                caches.nodes.cache.get(name: "node-a")?.isUnschedulable == true && caches.migrations.cache.count == 1
            }
            let policy = Fixture.policy(name: "drain")
            let snapshot = caches.snapshot(for: policy, now: Fixture.now)
            #expect(Set(snapshot.pods.compactMap(\.metadata.name)) == ["db-0", "db-3", "web-1"])
            #expect(snapshot.nodeUsage == caches.nodeUsage.value)
            // The prepared nodes are the cached nodes as they are now.
            let cachedNodes = caches.nodes.cache.list()
            #expect(Set(snapshot.nodes.map(\.name)) == Set(cachedNodes.compactMap(\.metadata.name)))
            #expect(snapshot.nodes.filter(\.unschedulable).map(\.name) == ["node-a"])
            var full = snapshot
            full.nodeUsage = nil
            full.pods = caches.pods.cache.list()
            full.nodes = cachedNodes.map(FitNode.init)
            #expect(MigrationPlanner.plan(snapshot) == MigrationPlanner.plan(full))
            #expect(MigrationPlanner.plan(snapshot).moves.count == 1, "one db pod at a time (maxInFlightPerStatefulSet)")
        }
    }

    @Test("the prepared nodes follow the node cache: added, replaced by their new state, removed")
    func fitNodeSummaryFollowsTheCache() {
        var nodes: FitNodeSummary.Value = [:]
        let node = Fixture.node("node-a")
        FitNodeSummary.update(&nodes, removed: nil, added: node)
        #expect(nodes["node-a"]?.unschedulable == false)
        FitNodeSummary.update(&nodes, removed: node, added: Fixture.node("node-a", cordoned: true))
        #expect(nodes["node-a"]?.unschedulable == true)
        FitNodeSummary.update(&nodes, removed: nil, added: Fixture.node("node-b"))
        FitNodeSummary.update(&nodes, removed: Fixture.node("node-a", cordoned: true), added: nil)
        #expect(nodes.keys.sorted() == ["node-b"])
    }

    @Test("a child just created counts against the budgets before the watch delivers it")
    func expectationsCoverTheWatchLag() {
        let expectations = ChildExpectations()
        let informer = SharedInformer(StatefulMigration.self, api: UnusedAPI())
        let child = Fixture.child("drain-db-0", pod: "db-0", source: "node-a", target: "node-b", phase: nil)
        expectations.created(child, policy: "drain")
        #expect(expectations.merged(into: informer.cache, policy: "drain").map(\.metadata.name) == ["drain-db-0"])
        #expect(expectations.merged(into: informer.cache, policy: "other").isEmpty)
        expectations.forget(policy: "drain")
        #expect(expectations.merged(into: informer.cache, policy: "drain").isEmpty)
        let expired = ChildExpectations(lifetime: .zero)
        expired.created(child, policy: "drain")
        #expect(expired.merged(into: informer.cache, policy: "drain").isEmpty, "an unseen child is not assumed forever")
    }

    @Test("ObjectTransforms.schedulingPod keeps what placement reads: node fit is the same as for the full pod")
    func schedulingPodKeepsPlacementFields() {
        var pod = Fixture.pod("db-0", on: "node-a", cpu: "3", memory: "1Gi")
        pod.spec?.nodeSelector = ["disk": "ssd"]
        pod.spec?.tolerations = [Toleration(key: "dedicated", operator: .exists, effect: .noSchedule)]
        pod.spec?.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(
            nodeSelectorTerms: [NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: .in, values: ["z1"])])])))
        pod.spec?.containers[0].env = [EnvVar(name: "SECRET", value: "dropped")]
        let slim = ObjectTransforms.schedulingPod(pod)
        #expect(slim.totalRequests == pod.totalRequests)
        #expect(slim.spec?.nodeSelector == pod.spec?.nodeSelector)
        #expect(slim.spec?.tolerations == pod.spec?.tolerations)
        #expect(slim.spec?.affinity == pod.spec?.affinity)
        #expect(slim.metadata.ownerReferences == pod.metadata.ownerReferences)
        #expect(slim.spec?.containers[0].env == nil, "environment is not cached")
        let nodes = [
            Fixture.node("fits", labels: ["disk": "ssd", "zone": "z1"], taints: [Taint(key: "dedicated", effect: .noSchedule)]),
            Fixture.node("no-label", labels: ["zone": "z1"]),
            Fixture.node("wrong-zone", labels: ["disk": "ssd", "zone": "z2"]),
            Fixture.node("small", cpu: "2", labels: ["disk": "ssd", "zone": "z1"]),
        ]
        for node in nodes {
            #expect(
                NodeFit.failures(of: slim, on: node, podsOnNode: []) == NodeFit.failures(of: pod, on: node, podsOnNode: []),
                "\(node.metadata.name ?? "")")
        }
        #expect(NodeFit.failures(of: slim, on: nodes[0], podsOnNode: []).isEmpty)
        // Two replicas of one template share one copy of what they have in common.
        var sibling = pod
        sibling.metadata.name = "db-1"
        sibling.spec?.nodeName = "node-b"
        let slimSibling = ObjectTransforms.schedulingPod(sibling)
        #expect(slimSibling.spec?.nodeName == "node-b" && slim.spec?.nodeName == "node-a")
        #expect(slimSibling.totalRequests == slim.totalRequests && slimSibling.spec?.tolerations == slim.spec?.tolerations)
        let containerBuffers = [slim, slimSibling].map { $0.spec?.containers.withUnsafeBufferPointer { $0.baseAddress } }
        #expect(containerBuffers[0] != nil && containerBuffers[0] == containerBuffers[1], "one container list")
        // The slim pod loses the requests: the planner must not be fed from a slimPod cache.
        #expect(ObjectTransforms.slimPod(pod).totalRequests.isEmpty)
    }

    @Test("status: evictions per node with their outcome, evicted pods remembered while the node drains, yielded pods with the winner")
    func statusReportsEvictionsAndYields() {
        var policy = Fixture.policy(name: "drain")
        var previous = MigrationPolicyStatus()
        var previousNode = DrainingNodeStatus(name: "node-a")
        previousNode.evictedPods = [
            EvictedPod(namespace: "default", name: "gone-0", reason: "Unplaceable", outcome: .evicted),
            EvictedPod(namespace: "default", name: "guarded-0", reason: "Unplaceable", outcome: .refused),
        ]
        previous.drainingNodes = [previousNode]
        policy.status = previous
        let snapshot = Fixture.snapshot(
            policy, nodes: [Fixture.node("node-a", cordoned: true), Fixture.node("node-b")],
            pods: [Fixture.pod("db-0", on: "node-a"), Fixture.pod("kv-0", on: "node-a", set: "kv", labels: ["app": "kv"])])
        var plan = MigrationPlanner.plan(snapshot)
        plan.yielded = [YieldedPod(namespace: "default", pod: "kv-0", node: "node-a", winner: "critical", why: "priority 10 > 0")]
        let status = PolicyStatusBuilder.status(
            snapshot: snapshot, plan: plan, dryRun: false,
            evictions: ["node-a": [EvictedPod(namespace: "default", name: "guarded-0", reason: "Unplaceable", outcome: .evicted)]])
        let node = status.drainingNodes?.first
        #expect(node?.name == "node-a")
        #expect(node?.evictedPods?.map(\.name) == ["gone-0", "guarded-0"])
        #expect(node?.evictedPods?.allSatisfy { $0.outcome == .evicted } == true)
        #expect(node?.migrations?.evicted == 2)
        #expect(status.migrations?.evicted == 2)
        #expect(node?.yieldedPods == [YieldedPodStatus(namespace: "default", name: "kv-0", winner: "critical", message: "priority 10 > 0")])
        #expect(node?.migrations?.yielded == 1)
        #expect(status.migrations?.yielded == 1)

        // A refusal this pass is reported as such and not counted as evicted.
        let refused = PolicyStatusBuilder.status(
            snapshot: snapshot, plan: plan, dryRun: false,
            evictions: ["node-a": [EvictedPod(namespace: "default", name: "guarded-0", reason: "Unplaceable", outcome: .refused)]])
        #expect(refused.drainingNodes?.first?.evictedPods?.first { $0.name == "guarded-0" }?.outcome == .refused)
        #expect(refused.drainingNodes?.first?.migrations?.evicted == 1)
    }

    @Test("fallback Evict: an unplaceable pod is evicted through the eviction API; a PodDisruptionBudget's refusal is reported and retried")
    func evictFallback() async throws {
        try await PolicyHarness.run { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b", cpu: "200m")  // every pod requests 500m: nothing fits
            let big = try await h.statefulSet("big")
            let guarded = try await h.statefulSet("guarded")
            let bigPod = try await h.addPod("big-0", of: big, on: "node-a")
            try await h.addPod("guarded-0", of: guarded, on: "node-a")
            _ = try await h.client.create(
                PodDisruptionBudget(
                    metadata: ObjectMeta(name: "guarded", namespace: "default"),
                    spec: PodDisruptionBudgetSpec(minAvailable: 1, selector: LabelSelector(matchLabels: ["app": "guarded"]))),
                namespace: "default", options: WriteOptions())
            var policy = Fixture.policy(name: "drain")
            policy.spec.fallback = MigrationFallback(action: .evict)
            try await h.createPolicy(policy)
            try await h.eventually("policy status written") { try await h.policy("drain").status != nil }
            try await h.patchNode("node-a", ["spec": ["unschedulable": true]])

            try await h.eventually("big-0 evicted") {
                (try? await h.client.get(Pod.self, name: "big-0", namespace: "default"))?.metadata.uid != bigPod.metadata.uid
            }
            try await h.eventually("status reports the eviction and the refusal") {
                let pods = try await h.policy("drain").status?.drainingNodes?.first?.evictedPods ?? []
                return pods.contains { $0.name == "big-0" && $0.outcome == .evicted }
                    && pods.contains { $0.name == "guarded-0" && $0.outcome == .refused }
            }
            #expect(try await h.children().isEmpty, "nothing fits: no child is created")
            #expect(h.events.reasons(PolicyEventReason.evicted).contains { $0.regarding == "default/big-0" })
            #expect(h.events.reasons(PolicyEventReason.evictionRefused).contains { $0.regarding == "default/guarded-0" })
            #expect(try await h.client.get(Pod.self, name: "guarded-0", namespace: "default").metadata.deletionTimestamp == nil)
            let unplaceable = try await h.policy("drain").status?.drainingNodes?.first?.unplaceablePods ?? []
            #expect(unplaceable.contains { $0.name == "guarded-0" && !$0.reason.isEmpty })

            // The budget goes away: a later pass (budgetRecheck 1 s) evicts the pod.
            _ = try await h.client.delete(PodDisruptionBudget.self, name: "guarded", namespace: "default", options: DeleteOptions())
            try await h.eventually("guarded-0 evicted once the budget allows it") {
                let pods = try await h.policy("drain").status?.drainingNodes?.first?.evictedPods ?? []
                return pods.contains { $0.name == "guarded-0" && $0.outcome == .evicted }
            }
        }
    }

    @Test("overlapping policies: the higher priority plans the pod, the other records why it yielded")
    func overlappingPolicies() async throws {
        try await PolicyHarness.run { h in
            for node in ["node-a", "node-b"] { try await h.addNode(node) }
            let db = try await h.statefulSet("db")
            try await h.addPod("db-0", of: db, on: "node-a")
            var high = Fixture.policy(name: "high")
            high.spec.priority = 10
            try await h.createPolicy(Fixture.policy(name: "low"))
            try await h.createPolicy(high)
            try await h.eventually("both statuses written") {
                let low = try await h.policy("low").status
                let high = try await h.policy("high").status
                return low != nil && high != nil
            }
            try await h.patchNode("node-a", ["spec": ["unschedulable": true]])
            try await h.eventually("one child, of the winner") {
                try await h.children().map { $0.metadata.labels?[MigrationPolicyLabel.policy] } == ["high"]
            }
            try await h.eventually("the loser records why") {
                let yielded = try await h.policy("low").status?.drainingNodes?.first?.yieldedPods ?? []
                return yielded.contains { $0.name == "db-0" && $0.winner == "high" && $0.message?.isEmpty == false }
            }
            #expect(h.events.reasons(PolicyEventReason.podYielded).contains { $0.note.contains("high") })
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await h.children().count == 1, "the loser never creates a child for the pod")
        }
    }
}

/// A port that is never called (an informer that is not run).
private struct UnusedAPI: KubernetesReading & KubernetesWatching {
    func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?) async throws -> T {
        throw CancellationError()
    }
    func list<T: KubernetesObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ObjectList<T> {
        throw CancellationError()
    }
    func watch<T: KubernetesObject>(
        _ type: T.Type, namespace: String?, options: WatchOptions
    ) -> AsyncThrowingStream<TypedWatchEvent<T>, any Error> {
        AsyncThrowingStream { $0.finish() }
    }
}

/// The harness's API with a hook run before each status patch (to change the world in between).
struct HookedStatusAPI: KubernetesAPI {
    let inner: any KubernetesAPI
    let beforeStatusPatch: @Sendable (String) async throws -> Void

    func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?) async throws -> T {
        try await inner.get(type, name: name, namespace: namespace)
    }
    func list<T: KubernetesObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ObjectList<T> {
        try await inner.list(type, namespace: namespace, options: options)
    }
    func watch<T: KubernetesObject>(_ type: T.Type, namespace: String?, options: WatchOptions) -> AsyncThrowingStream<TypedWatchEvent<T>, any Error> {
        inner.watch(type, namespace: namespace, options: options)
    }
    func create<T: KubernetesObject>(_ object: T, namespace: String?, options: WriteOptions) async throws -> T {
        try await inner.create(object, namespace: namespace, options: options)
    }
    func update<T: KubernetesObject>(_ object: T, options: WriteOptions) async throws -> T {
        try await inner.update(object, options: options)
    }
    func patch<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, subresource: String?, options: WriteOptions
    ) async throws -> T {
        try await inner.patch(type, name: name, namespace: namespace, patch: patch, subresource: subresource, options: options)
    }
    func delete<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?, options: DeleteOptions) async throws -> T? {
        try await inner.delete(type, name: name, namespace: namespace, options: options)
    }
    func updateStatus<T: HasStatus>(_ object: T, options: WriteOptions) async throws -> T {
        try await inner.updateStatus(object, options: options)
    }
    func patchStatus<T: HasStatus>(_ type: T.Type, name: String, namespace: String?, patch: Patch, options: WriteOptions) async throws -> T {
        try await beforeStatusPatch(name)
        return try await inner.patchStatus(type, name: name, namespace: namespace, patch: patch, options: options)
    }
    func evict(podName: String, namespace: String?, options: DeleteOptions?) async throws {
        try await inner.evict(podName: podName, namespace: namespace, options: options)
    }
}

@Suite("MigrationPolicy reconciler: a policy deleted mid-reconcile", .serialized)
struct PolicyDeletedMidReconcileTests {
    @Test("a policy deleted between the read and the status patch ends the reconcile quietly (the 404 is its normal end)")
    func deletedBeforeStatusPatch() async throws {
        // No controller runs beside this reconciler: one that wrote the status first would leave nothing to patch.
        try await PolicyHarness.run(controllerRunning: false) { h in
            for node in ["node-a", "node-b"] { try await h.addNode(node) }
            let factory = InformerFactory(api: h.client)
            let caches = PolicyCaches(factory: factory)
            let running = Task { await factory.run() }
            defer { running.cancel() }
            await caches.waitForSync()
            var policy = Fixture.policy(name: "brief")
            policy.metadata.finalizers = nil
            try await h.createPolicy(policy)
            let client = h.client
            let deletions = Mutex(0)
            let api = HookedStatusAPI(inner: client) { name in
                deletions.withLock { $0 += 1 }
                _ = try await client.delete(MigrationPolicy.self, name: name, namespace: nil, options: DeleteOptions())
            }
            let reconciler = MigrationPolicyReconciler(
                api: api, caches: caches, events: h.events, registry: PolicyRegistry(),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let result = try await reconciler.reconcile(ReconcileRequest(name: "brief"))
            #expect(result == .done)
            #expect(deletions.withLock { $0 } == 1, "the status patch was reached")
            #expect((try? await h.policy("brief")) == nil)
        }
    }
}
