import Foundation
import KubeModel
import MigrationAPI
@testable import MigrationEngine
import OperatorCore
import Testing
import Unstructured

/// A Deployment's ReplicaSet with three replicas (pods `web-5d8f7-{a,b,c}`, on node-a, node-a, node-c), and
/// one sync of its controller played by the test: adopt matching orphans, then delete the lowest-ranked
/// surplus pods (not ready first, then the lowest deletion cost, then the newest).
struct ReplicaSetFixture {
    static let hash = "5d8f7"
    static let setName = "web-\(hash)"
    static let labels = ["app": "web", "pod-template-hash": hash]
    let h: EngineHarness
    var set: ReplicaSet
    var pods: [Pod]

    static func make(_ h: EngineHarness, selector: LabelSelector = LabelSelector(matchLabels: labels)) async throws -> ReplicaSetFixture {
        var container = Container(name: "app", image: "example.com/counter:1")
        container.resources = ResourceRequirements(requests: ["cpu": "100m"])
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [container]))
        var set = try await h.client.create(
            ReplicaSet(metadata: ObjectMeta(name: setName, namespace: "default"), spec: ReplicaSetSpec(replicas: 3, selector: selector, template: template)),
            namespace: "default", options: WriteOptions())
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: setName, uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true)
        var pods: [Pod] = []
        for (suffix, node) in [("a", "node-a"), ("b", "node-a"), ("c", "node-c")] {
            pods.append(try await h.addRunningPod("\(setName)-\(suffix)", node: node, labels: labels, owner: owner, cpu: "100m"))
        }
        set.status = ReplicaSetStatus(replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: set.metadata.generation)
        set = try await h.client.updateStatus(set)
        return ReplicaSetFixture(h: h, set: set, pods: pods)
    }

    /// The set's active pods, by name.
    func owned() async throws -> [String: Pod] {
        let all = try await h.client.list(Pod.self, namespace: "default", options: ListOptions()).items
        return Dictionary(uniqueKeysWithValues: all.filter {
            $0.metadata.controllerReference?.uid == set.metadata.uid && $0.metadata.deletionTimestamp == nil
        }.map { ($0.metadata.name ?? "", $0) })
    }

    /// One sync of the ReplicaSet controller; returns the pods it deleted.
    @discardableResult
    func sync() async throws -> [String] {
        let all = try await h.client.list(Pod.self, namespace: "default", options: ListOptions()).items
        var owned: [Pod] = []
        for pod in all where pod.metadata.deletionTimestamp == nil && (set.spec?.selector.matches(pod.metadata.labels ?? [:]) ?? false) {
            if pod.metadata.controllerReference == nil {
                let reference = try JSONValueEncoder().encode(OwnerReference(controller: set)!)
                let patch: JSONValue = ["metadata": ["ownerReferences": [reference], "uid": .string(pod.metadata.uid ?? "")]]
                owned.append(try await h.client.patch(Pod.self, name: pod.metadata.name ?? "", namespace: "default", patch: .merge(patch), subresource: nil, options: WriteOptions()))
            } else if pod.metadata.controllerReference?.uid == set.metadata.uid {
                owned.append(pod)
            }
        }
        let surplus = owned.count - (set.spec?.replicas ?? 1)
        guard surplus > 0 else { return [] }
        let ranked = owned.sorted { a, b in
            if a.isReady != b.isReady { return !a.isReady }
            let ca = ReplicaSetHandOff.deletionCost(of: a), cb = ReplicaSetHandOff.deletionCost(of: b)
            if ca != cb { return ca < cb }
            return (a.metadata.creationTimestamp ?? Time(secondsSinceEpoch: 0)) > (b.metadata.creationTimestamp ?? Time(secondsSinceEpoch: 0))
        }
        var deleted: [String] = []
        for pod in ranked.prefix(surplus) {
            _ = try await h.client.delete(Pod.self, name: pod.metadata.name ?? "", namespace: "default", options: DeleteOptions())
            deleted.append(pod.metadata.name ?? "")
        }
        return deleted
    }

    var source: String { "\(Self.setName)-a" }
    var target: String { "\(Self.setName)-a-shadow" }
}

@Suite("engine: ShadowPod migration of a ReplicaSet (Deployment) pod", .serialized)
struct ReplicaSetFlowTests {
    typealias Fixture = ReplicaSetFixture

    /// Runs the migration of replica `a` up to Finalizing, with the replay consumer of the target running.
    static func runToFinalizing(_ h: EngineHarness, _ rs: Fixture) async throws -> ReplayConsumer {
        try await h.setUpBroker()
        try await h.createMigration(spec: h.spec(source: rs.source, target: "node-b"))
        try await h.reconcile()
        let m = try await h.migration()
        #expect(m.status?.phase == .transferring)
        try await h.completeTransferJob(for: m)
        try await h.reconcile(while: .transferring)
        let consumer = ReplayConsumer()
        consumer.start(broker: h.broker, pod: rs.target, primary: "orders")
        try await h.markRunning(try await h.client.get(Pod.self, name: rs.target, namespace: "default"))
        try await h.publish(1...20)
        try await h.reconcile(while: .restoring)
        try await h.reconcile(while: .replaying)
        #expect(try await h.phase() == .finalizing)
        return consumer
    }

    @Test("the target restores outside the set and is handed to it in Finalizing; the set removes the source; count and siblings unchanged")
    func handOff() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let rs = try await Fixture.make(h)
            try await h.setUpBroker()
            try await h.createMigration(spec: h.spec(source: rs.source, target: "node-b"))
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.strategy == .shadowPod)
            #expect(m.status?.replicaSetName == Fixture.setName)
            #expect(m.status?.originalReplicas == 3)
            #expect(m.status?.replicaSetHandOff?.uid == rs.set.metadata.uid)
            #expect(m.status?.replicaSetHandOff?.heldLabelKey == "pod-template-hash")
            #expect(m.status?.replicaSetHandOff?.heldLabelValue == Fixture.hash)

            try await h.completeTransferJob(for: m)
            try await h.reconcile(while: .transferring)
            // The target is not the set's: no hash label, no ownerReference; a controller sync changes nothing.
            var target = try await h.client.get(Pod.self, name: rs.target, namespace: "default")
            #expect(target.metadata.labels?["pod-template-hash"] == nil)
            #expect(target.metadata.labels?["app"] == "web")
            #expect(target.metadata.ownerReferences == nil)
            #expect(try await rs.sync().isEmpty)
            #expect(try await rs.owned().count == 3)
            #expect(try await h.client.get(Pod.self, name: rs.target, namespace: "default").metadata.ownerReferences == nil)

            let consumer = ReplayConsumer()
            consumer.start(broker: h.broker, pod: rs.target, primary: "orders")
            target = try await h.markRunning(target)
            try await h.publish(1...20)
            try await h.reconcile(while: .restoring)
            try await h.reconcile(while: .replaying)
            #expect(try await h.phase() == .finalizing)

            // Finalizing: the source gets the minimum cost, the target its label back; the engine deletes nothing.
            try await h.reconcile()
            let source = try await h.client.get(Pod.self, name: rs.source, namespace: "default")
            #expect(source.metadata.annotations?[ReplicaSetHandOff.deletionCostAnnotation] == "-2147483648")
            target = try await h.client.get(Pod.self, name: rs.target, namespace: "default")
            #expect(target.metadata.labels?["pod-template-hash"] == Fixture.hash)
            m = try await h.migration()
            #expect(m.status?.replicaSetHandOff?.releaseTime != nil)
            #expect(m.status?.finalizingSteps == ["SourceDeletionCostLowered"])
            // Until the controller syncs, the engine waits (and does not re-patch or delete).
            for _ in 0..<3 { try await h.reconcile() }
            #expect(try await h.phase() == .finalizing)
            #expect((try? await h.client.get(Pod.self, name: rs.source, namespace: "default"))?.metadata.uid == source.metadata.uid)

            // The controller adopts the target, has four, and removes the cheapest: the source.
            #expect(try await rs.sync() == [rs.source])
            try await h.publish(21...30)
            try await h.reconcile(while: .finalizing)
            m = try await h.migration()
            #expect(m.status?.phase == .completed, "\(m.status?.failureReason ?? ""): \(m.status?.failureMessage ?? "")")
            #expect(m.status?.finalizingSteps?.prefix(3) == ["SourceDeletionCostLowered", "TargetAdopted", "SourceStopped"])
            let owned = try await rs.owned()
            #expect(Set(owned.keys) == [rs.target, "\(Fixture.setName)-b", "\(Fixture.setName)-c"])
            for pod in rs.pods.dropFirst() {
                #expect(owned[pod.metadata.name ?? ""]?.metadata.uid == pod.metadata.uid)
            }
            #expect(try await rs.sync().isEmpty)  // settled: nothing more to create or delete
            #expect(h.events.reasons.current.contains("TargetHandedOver"))
            #expect(!h.events.reasons.current.contains("SourceDeletedByEngine"))

            for _ in 0..<200 where consumer.applied.current.count < 30 { try await Task.sleep(for: .milliseconds(10)) }
            consumer.stop()
            #expect(Set(consumer.applied.current) == Set((1...30).map { "m-\($0)" }))
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
        }
    }

    @Test("a crash after each new Finalizing step: re-running it changes nothing and the migration completes")
    func crashSafeFinalizing() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let rs = try await Fixture.make(h)
            let consumer = try await Self.runToFinalizing(h, rs)
            // Crash after the source's cost was lowered and the target relabelled, before either was recorded.
            try await h.reconcile()
            let before = try await h.migration()
            let patch: JSONValue = ["status": ["finalizingSteps": .null]]
            _ = try await h.client.patchStatus(StatefulMigration.self, name: "move", namespace: "default", patch: .merge(patch), options: WriteOptions())
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.finalizingSteps == ["SourceDeletionCostLowered"])
            #expect(m.status?.replicaSetHandOff?.releaseTime == before.status?.replicaSetHandOff?.releaseTime, "the hand-over was repeated")
            #expect(try await rs.sync() == [rs.source])
            // Crash after the adoption was recorded and the source gone, before SourceStopped was recorded.
            try await h.reconcile()
            m = try await h.migration()
            #expect(m.status?.finalizingSteps?.contains("TargetAdopted") == true)
            if m.status?.phase == .finalizing {
                let kept = (m.status?.finalizingSteps ?? []).filter { $0 != "TargetAdopted" && $0 != "SourceStopped" }
                let rewind: JSONValue = ["status": ["finalizingSteps": .array(kept.map { .string($0) })]]
                _ = try await h.client.patchStatus(StatefulMigration.self, name: "move", namespace: "default", patch: .merge(rewind), options: WriteOptions())
            }
            try await h.reconcile(while: .finalizing)
            m = try await h.migration()
            #expect(m.status?.phase == .completed, "\(m.status?.failureReason ?? ""): \(m.status?.failureMessage ?? "")")
            #expect(Set(try await rs.owned().keys) == [rs.target, "\(Fixture.setName)-b", "\(Fixture.setName)-c"])
            for _ in 0..<200 where consumer.applied.current.count < 20 { try await Task.sleep(for: .milliseconds(10)) }
            consumer.stop()
            #expect(Set(consumer.applied.current) == Set((1...20).map { "m-\($0)" }))
        }
    }

    @Test("the hand-over waits while another replica is not ready (the set would delete that one instead)")
    func waitsForSettledSet() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let rs = try await Fixture.make(h)
            var sibling = rs.pods[2]
            sibling.status?.conditions = [PodCondition(type: .ready, status: .false)]
            _ = try await h.client.updateStatus(sibling)
            let consumer = try await Self.runToFinalizing(h, rs)
            defer { consumer.stop() }
            for _ in 0..<3 { try await h.reconcile() }
            #expect(try await h.migration().status?.finalizingSteps == ["SourceDeletionCostLowered"])
            let target = try await h.client.get(Pod.self, name: rs.target, namespace: "default")
            #expect(target.metadata.labels?["pod-template-hash"] == nil, "handed over while a sibling was not ready")
            #expect(try await h.migration().status?.replicaSetHandOff?.releaseTime == nil)
            try await h.markRunning(try await h.client.get(Pod.self, name: sibling.metadata.name ?? "", namespace: "default"))
            try await h.reconcile()
            #expect(try await h.client.get(Pod.self, name: rs.target, namespace: "default").metadata.labels?["pod-template-hash"] == Fixture.hash)
        }
    }

    @Test("a controller that removes another pod: after the wait the engine removes the source itself")
    func fallbackDeletesSource() async throws {
        try await EngineHarness.run(configuration: EngineConfiguration(replayPollInterval: .milliseconds(20), sourceReleaseWait: .seconds(30))) { h in
            try await h.standardNodes()
            let rs = try await Fixture.make(h)
            let consumer = try await Self.runToFinalizing(h, rs)  // hands the target over
            defer { consumer.stop() }
            // The controller adopts the target but, racing a sibling that turned unready, deletes the sibling.
            let reference = try JSONValueEncoder().encode(OwnerReference(controller: rs.set)!)
            let adopt: JSONValue = ["metadata": ["ownerReferences": [reference]]]
            _ = try await h.client.patch(Pod.self, name: rs.target, namespace: "default", patch: .merge(adopt), subresource: nil, options: WriteOptions())
            _ = try await h.client.delete(Pod.self, name: "\(Fixture.setName)-c", namespace: "default", options: DeleteOptions())
            try await h.reconcile()
            #expect(try await h.migration().status?.finalizingSteps?.contains("TargetAdopted") == true)
            let status = try await h.migration().status
            #expect((try? await h.client.get(Pod.self, name: rs.source, namespace: "default")) != nil, "deleted before the wait: \(h.events.reasons.current) \(String(describing: status))")
            // The wait passes (moved back in time rather than slept through).
            let past: JSONValue = ["status": ["replicaSetHandOff": ["releaseTime": .string(MicroTime(Date().addingTimeInterval(-31)).description)]]]
            _ = try await h.client.patchStatus(StatefulMigration.self, name: "move", namespace: "default", patch: .merge(past), options: WriteOptions())
            try await h.reconcile(while: .finalizing)
            #expect(try await h.phase() == .completed)
            #expect((try? await h.client.get(Pod.self, name: rs.source, namespace: "default")) == nil)
            #expect(h.events.reasons.current.contains("SourceDeletedByEngine"))
        }
    }

    @Test("deleting the migration before the hand-over removes the target and gives the source its deletion cost back")
    func rollbackBeforeAdoption() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let rs = try await Fixture.make(h)
            // The user set a cost on the source before the migration; the rollback restores it.
            let annotate: JSONValue = ["metadata": ["annotations": .object([ReplicaSetHandOff.deletionCostAnnotation: "7"])]]
            _ = try await h.client.patch(Pod.self, name: rs.source, namespace: "default", patch: .merge(annotate), subresource: nil, options: WriteOptions())
            var sibling = rs.pods[2]
            sibling.status?.conditions = [PodCondition(type: .ready, status: .false)]
            _ = try await h.client.updateStatus(sibling)
            let consumer = try await Self.runToFinalizing(h, rs)  // lowers the cost, waits for the sibling
            defer { consumer.stop() }
            #expect(try await h.client.get(Pod.self, name: rs.target, namespace: "default").metadata.labels?["pod-template-hash"] == nil)
            #expect(try await h.client.get(Pod.self, name: rs.source, namespace: "default").metadata.annotations?[ReplicaSetHandOff.deletionCostAnnotation] == "-2147483648")
            let target = try await h.client.get(Pod.self, name: rs.target, namespace: "default")
            #expect(target.metadata.annotations?[ReplicaSetHandOff.deletionCostAnnotation] == "7")
            _ = try await h.client.delete(StatefulMigration.self, name: "move", namespace: "default", options: DeleteOptions())
            for _ in 0..<20 where (try? await h.migration()) != nil {
                _ = try? await h.reconcile()
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect((try? await h.migration()) == nil)
            #expect((try? await h.client.get(Pod.self, name: rs.target, namespace: "default")) == nil)
            let source = try await h.client.get(Pod.self, name: rs.source, namespace: "default")
            #expect(source.metadata.uid == rs.pods[0].metadata.uid)
            #expect(source.metadata.annotations?[ReplicaSetHandOff.deletionCostAnnotation] == "7")
            #expect(try await rs.owned().count == 3)
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
        }
    }

    @Test("deleting the migration after the set adopted the target rolls forward: the target stays, the source goes")
    func rollbackAfterAdoption() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let rs = try await Fixture.make(h)
            let consumer = try await Self.runToFinalizing(h, rs)
            try await h.reconcile()
            // The controller adopts the target but has not removed the source yet.
            let target = try await h.client.get(Pod.self, name: rs.target, namespace: "default")
            let reference = try JSONValueEncoder().encode(OwnerReference(controller: rs.set)!)
            let adopt: JSONValue = ["metadata": ["ownerReferences": [reference]]]
            _ = try await h.client.patch(Pod.self, name: target.metadata.name ?? "", namespace: "default", patch: .merge(adopt), subresource: nil, options: WriteOptions())
            _ = try await h.client.delete(StatefulMigration.self, name: "move", namespace: "default", options: DeleteOptions())
            for _ in 0..<100 where (try? await h.migration()) != nil {
                _ = try? await h.reconcile()
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect((try? await h.migration()) == nil)
            #expect((try? await h.client.get(Pod.self, name: rs.source, namespace: "default")) == nil)
            #expect(Set(try await rs.owned().keys) == [rs.target, "\(Fixture.setName)-b", "\(Fixture.setName)-c"])
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
            for _ in 0..<200 where consumer.mode.current != "primary" { try await Task.sleep(for: .milliseconds(10)) }
            #expect(consumer.mode.current == "primary")
            consumer.stop()
        }
    }

    @Test("Pending: Sequential is refused for a ReplicaSet pod; other owners and unusable selectors fail with reasons")
    func pendingChecks() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let rs = try await Fixture.make(h)
            try await h.setUpBroker()
            try await h.createMigration("seq", spec: h.spec(source: rs.source, strategy: "Sequential"))
            try await h.reconcile("seq")
            var m = try await h.migration("seq")
            #expect(m.status?.failureReason == "StrategyNotApplicable")
            #expect(m.status?.failureMessage?.contains("ReplicaSet") == true)

            // A Job's pod (the owner must exist, or the garbage collector removes the pod).
            let job = try await h.client.create(Job(metadata: ObjectMeta(name: "batch", namespace: "default"), spec: JobSpec(template: PodTemplateSpec(spec: PodSpec(containers: [Container(name: "app", image: "example.com/counter:1")], restartPolicy: "Never")))), namespace: "default", options: WriteOptions())
            try await h.addRunningPod("batch-x", node: "node-a", owner: OwnerReference(controller: job))
            try await h.createMigration("job", spec: h.spec(source: "batch-x"))
            try await h.reconcile("job")
            m = try await h.migration("job")
            #expect(m.status?.failureReason == "UnsupportedOwner")
            #expect(m.status?.failureMessage?.contains("controlled by a Job (batch)") == true)

        }
    }

    @Test("Pending: a ReplicaSet selecting by matchExpressions only cannot hold its target back")
    func expressionsOnly() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let selector = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "app", operator: .in, values: ["web"])])
            let rs = try await ReplicaSetFixture.make(h, selector: selector)
            try await h.setUpBroker()
            try await h.createMigration(spec: h.spec(source: rs.source))
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.failureReason == "UnsupportedOwner")
            #expect(m.status?.failureMessage?.contains("matchExpressions") == true)
            #expect(try await h.client.get(Pod.self, name: rs.source, namespace: "default").metadata.uid == rs.pods[0].metadata.uid)
        }
    }

    @Test("the held label: pod-template-hash when selected, else the first matchLabels key; none for expressions only")
    func heldLabelChoice() {
        let pod = ["app": "web", "tier": "front", "pod-template-hash": "abc"]
        #expect(ReplicaSetHandOff.heldLabel(selector: LabelSelector(matchLabels: pod), podLabels: pod)! == ("pod-template-hash", "abc"))
        #expect(ReplicaSetHandOff.heldLabel(selector: LabelSelector(matchLabels: ["tier": "front", "app": "web"]), podLabels: pod)! == ("app", "web"))
        #expect(ReplicaSetHandOff.heldLabel(selector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "app", operator: .exists)]), podLabels: pod) == nil)
        var target = Pod(metadata: ObjectMeta(name: "t", labels: pod, annotations: [ReplicaSetHandOff.deletionCostAnnotation: "-2147483648"], ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: "u", controller: true)]))
        ReplicaSetHandOff.holdBack(&target, heldLabel: "pod-template-hash")
        #expect(target.metadata.labels == ["app": "web", "tier": "front"])
        #expect(target.metadata.ownerReferences == nil)
        #expect(target.metadata.annotations?[ReplicaSetHandOff.deletionCostAnnotation] == nil)
    }

    /// The controller ranks a pod that is not ready below every deletion cost
    /// (https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#pod-deletion-cost: "the ReplicaSet
    /// controller ... prefers ... pods that are not ready" before it looks at the cost), so a target whose
    /// readiness flaps after the hand-over is deleted instead of the source.
    @Test("the hand-over waits until the target has been ready for a while, not just now")
    func targetReadyOnlyJustNow() {
        let labels = ["app": "web", "pod-template-hash": "h"]
        let set = ReplicaSet(
            metadata: ObjectMeta(name: "web-h", generation: 1), spec: ReplicaSetSpec(replicas: 1, selector: LabelSelector(matchLabels: labels)),
            status: ReplicaSetStatus(replicas: 1, observedGeneration: 1))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func pod(_ name: String, readySince: Date?) -> Pod {
            var status = PodStatus(phase: .running)
            status.conditions = [PodCondition(type: .ready, status: .true, lastTransitionTime: readySince.map { Time(secondsSinceEpoch: Int64($0.timeIntervalSince1970)) })]
            return Pod(metadata: ObjectMeta(name: name, uid: name, labels: labels), spec: PodSpec(containers: []), status: status)
        }
        let source = pod("web-h-a", readySince: now.addingTimeInterval(-600))
        let blockers = ReplicaSetHandOff.handOffBlockers(
            replicaSet: set, ownedPods: [source], source: source, target: pod("web-h-a-shadow", readySince: now.addingTimeInterval(-1)), now: now)
        #expect(blockers == ["target web-h-a-shadow has been ready only 1.0 s"])
        #expect(ReplicaSetHandOff.handOffBlockers(
            replicaSet: set, ownedPods: [source], source: source, target: pod("web-h-a-shadow", readySince: now.addingTimeInterval(-3)), now: now).isEmpty)
        // A kubelet that reports no transition time is taken at its word.
        #expect(ReplicaSetHandOff.handOffBlockers(
            replicaSet: set, ownedPods: [source], source: source, target: pod("web-h-a-shadow", readySince: nil), now: now).isEmpty)
    }
}
