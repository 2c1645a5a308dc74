import Foundation
import KubeModel
import MigrationAPI
@testable import MigrationEngine
import OperatorCore
import Testing

extension EngineHarness {
    /// Reconciles until the phase is no longer `phase` (or the attempts run out). With `adopting`, plays the
    /// StatefulSet controller between passes: that set adopts the pods it selects and nobody owns.
    func reconcile(while phase: MigrationPhase, attempts: Int = 200, adopting statefulSet: String? = nil) async throws {
        for _ in 0..<attempts where try await self.phase() == phase {
            try await reconcile()
            if let statefulSet { try await adoptOrphans(of: statefulSet) }
            try await Task.sleep(for: .milliseconds(15))
        }
    }

    /// Plays the restored process of `target` (a consumer of its control and replay queues) and its kubelet
    /// (Running and Ready), and reconciles the migration through Restoring, Replaying and Finalizing, adopting
    /// for StatefulSet `set` as its controller would. Returns the consumer (the caller stops it).
    func serve(_ target: Pod, set: String = "web", primary: String = "orders") async throws -> ReplayConsumer {
        let consumer = ReplayConsumer()
        consumer.start(broker: broker, pod: target.metadata.name ?? "", primary: primary)
        try await markRunning(target)
        try await reconcile(while: .restoring)
        try await reconcile(while: .replaying)
        try await reconcile(while: .finalizing, adopting: set)
        return consumer
    }

    /// Reconciles until the pod named like `previous` is another one (a target given up and restored again),
    /// and returns it.
    func reconcileUntilReplaced(_ previous: Pod) async throws -> Pod {
        let name = previous.metadata.name ?? ""
        for _ in 0..<50 {
            if let pod = try? await client.get(Pod.self, name: name, namespace: "default"), pod.metadata.uid != previous.metadata.uid {
                return pod
            }
            try await reconcile()
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await client.get(Pod.self, name: name, namespace: "default")
    }

    /// What the StatefulSet controller does for a set it finds (and is not deleting): owns the pods its
    /// selector matches that have no controller.
    func adoptOrphans(of name: String) async throws {
        guard let set = try? await client.get(StatefulSet.self, name: name, namespace: "default"),
            set.metadata.deletionTimestamp == nil, let labels = set.spec?.selector.matchLabels
        else { return }
        let selector = labels.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        for var pod in try await client.list(Pod.self, namespace: "default", options: ListOptions(labelSelector: selector)).items
        where pod.metadata.controllerReference == nil {
            pod.metadata.ownerReferences = [OwnerReference(
                apiVersion: "apps/v1", kind: "StatefulSet", name: name, uid: set.metadata.uid ?? "", controller: true,
                blockOwnerDeletion: true)]
            _ = try? await client.update(pod, options: WriteOptions())
        }
    }

    func statefulSet(_ name: String, replicas: Int) async throws -> StatefulSet {
        var container = Container(name: "app", image: "example.com/counter:1")
        container.resources = ResourceRequirements(requests: ["cpu": "100m"])
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: PodSpec(containers: [container]))
        var spec = StatefulSetSpec(selector: LabelSelector(matchLabels: ["app": name]), template: template)
        spec.replicas = replicas
        spec.serviceName = name
        return try await client.create(StatefulSet(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
    }
}

@Suite("engine: Sequential migration of one StatefulSet ordinal", .serialized)
struct SequentialFlowTests {
    @Test("orphan-delete, delete the source, create the target under its name, re-create the StatefulSet; siblings untouched")
    func sequential() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let set = try await h.statefulSet("web", replicas: 3)
            let owner = OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true)
            var pods: [Pod] = []
            for i in 0..<3 {
                pods.append(try await h.addRunningPod("web-\(i)", node: "node-a", labels: ["app": "web", "controller-revision-hash": "web-1"], owner: owner, cpu: "100m"))
            }
            try await h.setUpBroker()
            try await h.createMigration(spec: h.spec(source: "web-1", target: "node-c"))
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.strategy == .sequential)
            #expect(m.status?.statefulSetName == "web")
            #expect(m.status?.originalReplicas == 3)
            try await h.completeTransferJob(for: m)
            try await h.reconcile(while: .transferring)
            try await h.reconcile(while: .restoring, attempts: 40)
            m = try await h.migration()
            #expect(m.status?.phase == .restoring)  // waits for the target to be ready
            #expect(m.status?.restoringSteps == ["StatefulSetSaved", "StatefulSetOrphaned", "SourceDeleted", "TargetCreated"])
            #expect(m.status?.restore?.attempts == 1)
            // Until the target serves, the StatefulSet stays deleted: its controller must not start web-1 fresh.
            #expect((try? await h.client.get(StatefulSet.self, name: "web", namespace: "default")) == nil)
            let target = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
            #expect(target.metadata.uid != pods[1].metadata.uid)
            #expect(target.spec?.nodeName == "node-c")
            #expect(target.metadata.labels?["controller-revision-hash"] == "web-1")
            let consumer = try await h.serve(target)
            #expect(try await h.phase() == .completed)
            consumer.stop()
            // Re-created once the target holds the whole state (replayed), so it adopts the target.
            m = try await h.migration()
            #expect(m.status?.restoringSteps == ["StatefulSetSaved", "StatefulSetOrphaned", "SourceDeleted", "TargetCreated", "StatefulSetRecreated"])
            #expect(try await h.broker.queueStatus("orders.ms2m-journal") == nil, "the journal goes with the replay queue")
            let recreated = try await h.client.get(StatefulSet.self, name: "web", namespace: "default")
            #expect(recreated.metadata.uid != set.metadata.uid)
            #expect(recreated.spec?.replicas == 3)
            #expect(recreated.spec?.template == set.spec?.template)
            for i in [0, 2] {
                let sibling = try await h.client.get(Pod.self, name: "web-\(i)", namespace: "default")
                #expect(sibling.metadata.uid == pods[i].metadata.uid)  // never restarted
            }
        }
    }
}

@Suite("engine: Pending validation", .serialized)
struct PendingValidationTests {
    func failure(_ setUp: (EngineHarness) async throws -> StatefulMigrationSpec) async throws -> (String?, String?) {
        try await EngineHarness.run { h in
            try await h.setUpBroker()
            let spec = try await setUp(h)
            try await h.createMigration(spec: spec)
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(h.kubelet.calls.current.isEmpty)
            #expect(m.metadata.finalizers ?? [] == [])
            return (m.status?.failureReason, m.status?.failureMessage)
        }
    }

    @Test("a missing source pod")
    func missingPod() async throws {
        let (reason, _) = try await failure { h in try await h.standardNodes(); return h.spec() }
        #expect(reason == "SourcePodNotFound")
    }

    @Test("an unsupported runtime on the target names the upgrade")
    func oldRuntime() async throws {
        let (reason, message) = try await failure { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b", runtime: "containerd://1.7.22")
            try await h.addRunningPod("app-0", node: "node-a")
            return h.spec()
        }
        #expect(reason == "RuntimeUnsupported")
        #expect(message?.contains("containerd ≥ 2.1") == true)
    }

    @Test("a cordoned or too small target")
    func unfitTarget() async throws {
        let (reason, message) = try await failure { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b", cpu: "250m", unschedulable: true)
            try await h.addRunningPod("app-0", node: "node-a")
            return h.spec()
        }
        #expect(reason == "TargetNodeUnfit")
        #expect(message?.contains("cordoned") == true)
        #expect(message?.contains("insufficient cpu") == true)
    }

    @Test("an invalid spec is rejected before anything happens")
    func invalidSpec() async throws {
        let (reason, message) = try await failure { h in
            try await h.standardNodes()
            try await h.addRunningPod("app-0", node: "node-a")
            var spec = h.spec()
            spec.messageQueueConfig?.exchangeName = nil
            return spec
        }
        #expect(reason == "InvalidSpec")
        #expect(message?.contains("exchangeName") == true)
    }

    @Test("without a target node the engine picks the emptiest node that fits")
    func picksTarget() async throws {
        try await EngineHarness.run { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b", cpu: "1")
            try await h.addNode("node-c", cpu: "8")
            try await h.addNode("node-d", cpu: "16", unschedulable: true)
            try await h.addRunningPod("app-0", node: "node-a")
            try await h.setUpBroker()
            try await h.createMigration(spec: h.spec(target: nil))
            try await h.reconcile()
            #expect(try await h.migration().status?.targetNode == "node-c")
        }
    }
}
