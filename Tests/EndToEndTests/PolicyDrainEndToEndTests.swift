import Foundation
import KubeClient
import KubeModel
import MigrationAPI
import OperatorCore
import SampleWorkload
import Synchronization
import Testing
import Unstructured

/// A MigrationPolicy drives the drain: `kubectl cordon` (a PATCH of `spec.unschedulable`) on a node holding
/// pods of two StatefulSets and a bare pod, through the operator as `ms2m-operator` assembles it, on the
/// simulated cluster with a real RabbitMQ and registry.
@Suite("end to end: a MigrationPolicy drains a cordoned node (real RabbitMQ and registry)", .serialized)
struct PolicyDrainEndToEndTests {
    @Test("cordon migrates every covered pod within budgets, loses no message, and leaves the node empty of covered pods")
    func cordonDrainsNode() async throws {
        try await EndToEnd.run { e in try await e.withOperator {
            let queues = try await e.placeWorkloadOnNodeA(sets: ["alpha", "beta"], replicas: 2, barePod: "solo")
            try await e.createPolicy(e.drainPolicy(name: "drain", maxConcurrent: 2, maxOutboundPerNode: 2))
            try await e.waitUntil("the policy controller to answer") { try await e.policyStatus("drain") != nil }

            let producers = queues.map { queue in
                Producer(brokers: e.brokers, brokerURL: e.brokerURL, exchange: EndToEnd.exchange(for: queue), queue: nil, rate: 20, idPrefix: "m")
            }
            let producing = producers.map { producer in Task { try await producer.run(count: nil) } }
            let sampler = InFlightSampler(client: e.client, policy: "drain")
            let sampling = Task { await sampler.run() }
            try await Task.sleep(for: .milliseconds(400))

            try await e.cordon("node-a", true)
            var children: [StatefulMigration] = []
            try await e.waitUntil("every covered pod's migration to finish", timeout: .seconds(180)) {
                children = try await e.policyChildren("drain")
                return children.count == queues.count && children.allSatisfy { $0.status?.phase?.isFinal == true }
            }
            try await Task.sleep(for: .milliseconds(300))
            for producer in producers { await producer.stop() }
            for task in producing { _ = try? await task.value }
            sampling.cancel()
            _ = await sampling.value

            for child in children {
                #expect(child.status?.phase == .completed, "\(child.metadata.name ?? ""): \(child.status?.failureReason ?? "") \(child.status?.failureMessage ?? "")")
                #expect(child.status?.sourceNode == "node-a")
                #expect(child.status?.targetNode != "node-a")
            }
            #expect(Set(children.map(\.spec.sourcePod)) == Set(queues))
            let peak = sampler.peak
            #expect(peak.inFlight <= 2, "maxConcurrent 2 exceeded: \(peak.inFlight) in flight")
            #expect(peak.outboundFromNodeA <= 2, "maxOutboundPerNode 2 exceeded: \(peak.outboundFromNodeA)")
            #expect(peak.inFlight >= 1, "the sampler never saw a migration in flight")

            // No message lost: each queue's final consumer applied every produced message exactly once.
            for (queue, producer) in zip(queues, producers) {
                let child = try #require(children.first { $0.spec.sourcePod == queue })
                let finalPod = child.status?.targetPod ?? queue
                try await e.expectAllApplied(by: finalPod, produced: await producer.published)
            }
            // The node holds no covered pod (transfer Jobs' pods are not covered and are gone anyway).
            let left = try await e.client.list(Pod.self, namespace: "default", options: ListOptions(fieldSelector: "spec.nodeName=node-a")).items
                .filter { pod in pod.metadata.ownerReferences?.contains { $0.kind == "Job" } != true }
            #expect(left.isEmpty, "still on node-a: \(left.compactMap(\.metadata.name))")
            let status = try await e.policyStatus("drain")
            #expect(status?.migrations?.completed == Int32(queues.count))
            print("E2E policy drain pods=\(queues.count) peakInFlight=\(peak.inFlight) timings=\(children.map { "\($0.spec.sourcePod): \($0.status?.phaseTimings ?? [:])" })")
        } }
    }

    @Test("uncordon mid-way cancels the children that had not started; their pods keep running on the node")
    func uncordonCancelsPending() async throws {
        try await EndToEnd.run { e in try await e.withOperator {
            let queues = try await e.placeWorkloadOnNodeA(sets: ["alpha", "beta"], replicas: 1, barePod: nil)
            let before = try await e.client.list(Pod.self, namespace: "default", options: ListOptions(fieldSelector: "spec.nodeName=node-a")).items
            // The template's broker refuses connections: the engine retries Pending and never starts.
            var policy = e.drainPolicy(name: "drain", maxConcurrent: 4, maxOutboundPerNode: 4)
            policy.spec.template?.messageQueueConfig?.brokerUrl = "amqp://guest:guest@127.0.0.1:1/"
            try await e.createPolicy(policy)
            try await e.waitUntil("the policy controller to answer") { try await e.policyStatus("drain") != nil }

            try await e.cordon("node-a", true)
            try await e.waitUntil("a child per covered pod") { try await e.policyChildren("drain").count == queues.count }
            try await Task.sleep(for: .milliseconds(500))
            let pending = try await e.policyChildren("drain")
            #expect(pending.allSatisfy { ($0.status?.phase ?? .pending) == .pending }, "\(pending.map { $0.status?.phase?.rawValue ?? "-" })")

            try await e.cordon("node-a", false)
            try await e.waitUntil("the pending children to be deleted", timeout: .seconds(20)) {
                try await e.policyChildren("drain").isEmpty
            }
            let after = try await e.client.list(Pod.self, namespace: "default", options: ListOptions(fieldSelector: "spec.nodeName=node-a")).items
            for name in queues {
                let old = before.first { $0.metadata.name == name }
                let now = after.first { $0.metadata.name == name }
                #expect(now != nil && now?.metadata.uid == old?.metadata.uid, "\(name) no longer runs on node-a")
                #expect(now?.status?.phase == .running)
            }
            try await e.waitUntil("the status to clear the node") { try await e.policyStatus("drain")?.drainingNodeCount == 0 }
        } }
    }

    @Test("a pod that fits nowhere is reported unplaceable; with fallback Evict it is evicted and, being bare, disappears")
    func unplaceableThenEvicted() async throws {
        try await EndToEnd.run { e in try await e.withOperator {
            // Ballast leaves node-b and node-c 1 Gi of memory each; the big pod needs 4 Gi.
            for node in ["node-b", "node-c"] {
                try await e.createConsumerPod("ballast-\(node)", node: node, memory: "7Gi")
            }
            try await e.createConsumerPod("big", node: "node-a", memory: "4Gi")
            for pod in ["ballast-node-b", "ballast-node-c", "big"] { try await e.waitForRunning(pod) }
            let big = try #require(try await e.pod("big"))
            try await e.createPolicy(e.drainPolicy(name: "drain", maxConcurrent: 2, maxOutboundPerNode: 2))
            try await e.cordon("node-a", true)

            try await e.waitUntil("the big pod reported unplaceable") {
                let node = try await e.policyStatus("drain")?.drainingNodes?.first { $0.name == "node-a" }
                return node?.unplaceablePods?.contains { $0.name == "big" } == true
            }
            let status = try await e.policyStatus("drain")
            let entry = status?.drainingNodes?.first?.unplaceablePods?.first { $0.name == "big" }
            #expect(entry?.reason == "InsufficientMemory", "\(entry?.reason ?? "-"): \(entry?.message ?? "")")
            #expect(status?.conditions?.first { $0.type == "Degraded" }?.status == .true)
            #expect(try await e.policyChildren("drain").isEmpty)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await e.pod("big")?.metadata.uid == big.metadata.uid, "fallback None leaves the pod")

            _ = try await e.client.patch(
                MigrationPolicy.self, name: "drain", namespace: nil,
                patch: .merge(["spec": ["fallback": ["action": "Evict"]]]), subresource: nil, options: WriteOptions())
            try await e.waitUntil("the big pod evicted", timeout: .seconds(20)) { try await e.pod("big") == nil }
            try await e.waitUntil("the status to record the eviction") {
                let node = try await e.policyStatus("drain")?.drainingNodes?.first { $0.name == "node-a" }
                return node?.evictedPods?.contains { $0.name == "big" && $0.outcome == .evicted } == true
            }
            #expect(try await e.policyChildren("drain").isEmpty, "an evicted pod is never migrated too")
            for ballast in ["ballast-node-b", "ballast-node-c"] { #expect(try await e.pod(ballast) != nil) }
        } }
    }
}

// MARK: - Helpers

extension EndToEnd {
    /// Cordons (`true`) or uncordons `node` as kubectl does: a merge patch of `spec.unschedulable`.
    func cordon(_ node: String, _ unschedulable: Bool) async throws {
        _ = try await client.patch(
            Node.self, name: node, namespace: nil, patch: .merge(["spec": ["unschedulable": .bool(unschedulable)]]),
            subresource: nil, options: WriteOptions())
    }

    /// StatefulSets `sets` of `replicas` each and an optional bare pod, all on node-a (the other nodes are
    /// cordoned while the scheduler places them), running and ready, each pod annotated with its own queue
    /// and exchange as the policy's template reads them. Returns the pod names (= their queues).
    func placeWorkloadOnNodeA(sets: [String], replicas: Int, barePod: String?) async throws -> [String] {
        for node in ["node-b", "node-c"] { try await cordon(node, true) }
        var pods: [String] = []
        for set in sets {
            try await createStatefulSet(set, replicas: replicas)
            pods += (0..<replicas).map { "\(set)-\($0)" }
        }
        if let barePod {
            try await createBarePod(barePod, node: "node-a", queue: barePod)
            pods.append(barePod)
        }
        for pod in pods {
            try await waitForRunning(pod)
            #expect(try await self.pod(pod)?.spec?.nodeName == "node-a")
            _ = try await client.patch(
                Pod.self, name: pod, namespace: "default",
                patch: .merge(["metadata": ["annotations": [
                    PodOverrideAnnotation.queueName: .string(pod),
                    PodOverrideAnnotation.exchangeName: .string(Self.exchange(for: pod)),
                ]]]), subresource: nil, options: WriteOptions())
        }
        for node in ["node-b", "node-c"] { try await cordon(node, false) }
        return pods
    }

    /// A bare sample consumer pinned to `node`, requesting `memory`.
    func createConsumerPod(_ name: String, node: String, memory: String) async throws {
        var container = consumerContainer(queue: name)
        container.resources = ResourceRequirements(requests: ["cpu": "100m", "memory": Quantity(memory)!])
        var spec = PodSpec(containers: [container])
        spec.nodeName = node
        _ = try await client.create(
            Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: ["app": name]), spec: spec),
            namespace: "default", options: WriteOptions())
    }

    /// A cordon-triggered policy covering StatefulSet and bare pods, migrating the consumer container with
    /// the test's registry and broker; each pod's queue and exchange come from its annotations.
    func drainPolicy(name: String, maxConcurrent: Int32, maxOutboundPerNode: Int32) -> MigrationPolicy {
        var template = MigrationTemplate(
            containerName: "consumer", checkpointImageRepository: "\(registry.host)/checkpoints", replayCutoffSeconds: 20,
            messageQueueConfig: MessageQueueConfig(queueName: "unused", brokerUrl: brokerURL, exchangeName: "unused.fanout"))
        template.registry = RegistryOptions(insecure: true)
        // maxInFlightPerStatefulSet stays 1 (the default): Sequential migrations re-create their StatefulSet.
        let budgets = MigrationBudgets(maxConcurrent: maxConcurrent, maxOutboundPerNode: maxOutboundPerNode)
        return MigrationPolicy(
            metadata: ObjectMeta(name: name),
            spec: MigrationPolicySpec(
                triggers: PolicyTriggers(cordon: true), selection: PodSelection(ownerKinds: [.statefulSet, .barePod]),
                template: template, budgets: budgets))
    }

    func createPolicy(_ policy: MigrationPolicy) async throws {
        _ = try await client.create(policy, namespace: nil, options: WriteOptions())
    }

    func policyStatus(_ name: String) async throws -> MigrationPolicyStatus? {
        try await client.get(MigrationPolicy.self, name: name, namespace: nil).status
    }

    /// The policy's children, by name.
    func policyChildren(_ policy: String) async throws -> [StatefulMigration] {
        try await client.list(
            StatefulMigration.self, namespace: "default",
            options: ListOptions(labelSelector: "\(MigrationPolicyLabel.policy)=\(policy)")
        ).items.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }
}

/// Samples a policy's children every 20 ms and keeps the most seen in flight at once (not Completed or
/// Failed), overall and from node-a.
final class InFlightSampler: Sendable {
    struct Peak: Sendable {
        var inFlight = 0
        var outboundFromNodeA = 0
    }
    let client: KubeClient
    let policy: String
    private let state = Mutex(Peak())

    init(client: KubeClient, policy: String) {
        self.client = client
        self.policy = policy
    }

    var peak: Peak { state.withLock { $0 } }

    func run() async {
        while !Task.isCancelled {
            if let children = try? await client.list(
                StatefulMigration.self, namespace: "default",
                options: ListOptions(labelSelector: "\(MigrationPolicyLabel.policy)=\(policy)")
            ).items {
                let active = children.filter { $0.status?.phase?.isFinal != true }
                let fromA = active.filter { $0.metadata.labels?[MigrationPolicyLabel.sourceNode] == "node-a" }
                state.withLock {
                    $0.inFlight = max($0.inFlight, active.count)
                    $0.outboundFromNodeA = max($0.outboundFromNodeA, fromA.count)
                }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
