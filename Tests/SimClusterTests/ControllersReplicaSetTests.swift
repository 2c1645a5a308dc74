import KubeClient
import KubeModel
import OperatorCore
@testable import SimCluster
import Testing
import Unstructured

@Suite("SimReplicaSetController", .serialized)
struct ControllersReplicaSetTests {
    typealias F = ControllersFixture

    /// A ReplicaSet as a Deployment makes it: `pod-template-hash` in selector and template labels.
    static func set(_ name: String, replicas: Int, hash: String = "5d8f7c9b4") -> ReplicaSet {
        let labels = ["app": name, "pod-template-hash": hash]
        return ReplicaSet(
            metadata: ObjectMeta(name: "\(name)-\(hash)", namespace: F.namespace),
            spec: ReplicaSetSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: labels),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: F.podSpec())))
    }

    static func runController(_ client: KubeClient) -> @Sendable () async -> Void {
        let controller = SimReplicaSetController(api: client, logger: F.quiet)
        return { await controller.run() }
    }

    static func owned(_ client: KubeClient, by set: ReplicaSet) async throws -> [Pod] {
        try await client.list(Pod.self, namespace: F.namespace, options: ListOptions()).items
            .filter { $0.metadata.controllerReference?.uid == set.metadata.uid && !$0.metadata.isBeingDeleted }
    }

    static func currentSet(_ client: KubeClient, _ name: String) async throws -> ReplicaSet {
        try await client.get(ReplicaSet.self, name: name, namespace: F.namespace)
    }

    static func annotate(_ client: KubeClient, _ pod: String, cost: Int32) async throws {
        let patch: JSONValue = ["metadata": ["annotations": .object([ReplicaSetPodRanking.deletionCostAnnotation: .string(String(cost))])]]
        _ = try await client.patch(Pod.self, name: pod, namespace: F.namespace, patch: .merge(patch), subresource: nil, options: WriteOptions())
    }

    @Test("creates the replicas from the template with generated names and an ownerReference; reports status; scales down")
    func scaling() async throws {
        try await F.withRunning(Self.runController) { client in
            let created = try await client.create(Self.set("web", replicas: 3))
            let name = created.metadata.name ?? ""
            #expect(try await F.eventually { try await Self.owned(client, by: created).count == 3 })
            // No more than asked for, even after several syncs.
            try await Task.sleep(for: .milliseconds(300))
            let pods = try await Self.owned(client, by: created)
            #expect(pods.count == 3)
            for pod in pods {
                #expect(pod.metadata.name?.hasPrefix("\(name)-") == true)
                #expect(pod.metadata.labels?["pod-template-hash"] == "5d8f7c9b4")
                let owner = try #require(pod.metadata.controllerReference)
                #expect(owner.kind == "ReplicaSet" && owner.name == name && owner.blockOwnerDeletion == true)
            }
            #expect(try await F.eventually {
                let s = try await Self.currentSet(client, name).status
                return s?.replicas == 3 && s?.fullyLabeledReplicas == 3 && s?.readyReplicas == 0 && s?.observedGeneration == 1
            })
            for pod in pods { try await F.setPodStatus(client, pod.metadata.name ?? "", phase: .running, ready: true) }
            #expect(try await F.eventually {
                let s = try await Self.currentSet(client, name).status
                return s?.readyReplicas == 3 && s?.availableReplicas == 3
            })

            // Scale down: the not-ready pod goes before the ready ones.
            let notReady = pods[1].metadata.name ?? ""
            try await F.setPodStatus(client, notReady, phase: .running, ready: false)
            // The controller ranks by what its cache shows: scale down only once it has seen the pod unready (its
            // status counts 2 ready), as an operator reading the status would.
            #expect(try await F.eventually { try await Self.currentSet(client, name).status?.readyReplicas == 2 })
            try await client.setReplicas(ReplicaSet.self, name: name, namespace: F.namespace, replicas: 2)
            #expect(try await F.eventually { try await F.pod(client, notReady) == nil })
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.owned(client, by: created).count == 2)
            #expect(try await F.eventually {
                let s = try await Self.currentSet(client, name).status
                return s?.replicas == 2 && s?.readyReplicas == 2 && s?.observedGeneration == 2
            })

            // A deleted pod is replaced.
            let victim = pods.first { $0.metadata.name != notReady }!.metadata.name ?? ""
            _ = try await client.delete(Pod.self, name: victim, namespace: F.namespace, options: DeleteOptions())
            #expect(try await F.eventually {
                let now = try await Self.owned(client, by: created)
                return now.count == 2 && !now.contains { $0.metadata.name == victim }
            })
        }
    }

    @Test("adopts a matching orphan instead of creating a pod, and releases a pod relabelled out of the selector")
    func adoptionAndRelease() async throws {
        try await F.withRunning(Self.runController) { client in
            let template = Self.set("api", replicas: 2)
            let orphan = try await client.create(Pod(
                metadata: ObjectMeta(name: "api-handmade", namespace: F.namespace, labels: template.spec?.template?.metadata?.labels),
                spec: F.podSpec()))
            let other = try await client.create(Pod(
                metadata: ObjectMeta(name: "api-other", namespace: F.namespace, labels: ["app": "api"]), spec: F.podSpec()))
            let created = try await client.create(template)
            #expect(try await F.eventually { try await Self.owned(client, by: created).count == 2 })
            try await Task.sleep(for: .milliseconds(300))
            let pods = try await Self.owned(client, by: created)
            #expect(pods.count == 2)
            #expect(pods.contains { $0.metadata.uid == orphan.metadata.uid }, "the matching orphan was not adopted")
            let untouched = try #require(try await F.pod(client, "api-other"))
            #expect(untouched.metadata.ownerReferences == nil && untouched.metadata.uid == other.metadata.uid)

            // Relabelled out of the selector: released (ownerReference removed, pod kept), and replaced.
            let patch: JSONValue = ["metadata": ["labels": ["pod-template-hash": .null]]]
            _ = try await client.patch(Pod.self, name: "api-handmade", namespace: F.namespace, patch: .merge(patch), subresource: nil, options: WriteOptions())
            #expect(try await F.eventually {
                try await F.pod(client, "api-handmade")?.metadata.controllerReference == nil
            })
            #expect(try await F.eventually {
                let now = try await Self.owned(client, by: created)
                return now.count == 2 && !now.contains { $0.metadata.uid == orphan.metadata.uid }
            })
            #expect(try await F.pod(client, "api-handmade")?.metadata.uid == orphan.metadata.uid)
        }
    }

    @Test("a set being deleted adopts nothing")
    func noAdoptionWhileDeleting() async throws {
        try await F.withRunning(Self.runController) { client in
            var template = Self.set("gone", replicas: 0)
            template.metadata.finalizers = ["test.ms2m.io/hold"]
            let created = try await client.create(template)
            _ = try await client.delete(ReplicaSet.self, name: created.metadata.name ?? "", namespace: F.namespace, options: DeleteOptions())
            #expect(try await F.eventually { try await Self.currentSet(client, created.metadata.name ?? "").metadata.isBeingDeleted })
            _ = try await client.create(Pod(
                metadata: ObjectMeta(name: "gone-orphan", namespace: F.namespace, labels: template.spec?.template?.metadata?.labels),
                spec: F.podSpec()))
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await F.pod(client, "gone-orphan")?.metadata.ownerReferences == nil)
            let patch: JSONValue = ["metadata": ["finalizers": .null]]
            _ = try await client.patch(ReplicaSet.self, name: created.metadata.name ?? "", namespace: F.namespace, patch: .merge(patch), subresource: nil, options: WriteOptions())
        }
    }

    @Test("adopting a fourth ready pod deletes the pod with the lowest pod-deletion-cost, nothing else, and creates nothing")
    func deletionCostDecides() async throws {
        try await F.withRunning(Self.runController) { client in
            let created = try await client.create(Self.set("worker", replicas: 3))
            #expect(try await F.eventually { try await Self.owned(client, by: created).count == 3 })
            let pods = try await Self.owned(client, by: created)
            for pod in pods { try await F.setPodStatus(client, pod.metadata.name ?? "", phase: .running, ready: true) }
            // The middle one is marked to go first; the newest pod would otherwise be the one to go.
            let cheap = pods[1].metadata.name ?? ""
            try await Self.annotate(client, cheap, cost: Int32.min)

            // A ready pod without the selector's hash label: not the set's business.
            var labels = created.spec?.template?.metadata?.labels ?? [:]
            labels["pod-template-hash"] = nil
            _ = try await client.create(Pod(metadata: ObjectMeta(name: "worker-newcomer", namespace: F.namespace, labels: labels), spec: F.podSpec()))
            try await F.setPodStatus(client, "worker-newcomer", phase: .running, ready: true)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await F.pod(client, "worker-newcomer")?.metadata.ownerReferences == nil)

            // It gains the label: adopted; the set has four and deletes the cheap one.
            let patch: JSONValue = ["metadata": ["labels": ["pod-template-hash": "5d8f7c9b4"]]]
            _ = try await client.patch(Pod.self, name: "worker-newcomer", namespace: F.namespace, patch: .merge(patch), subresource: nil, options: WriteOptions())
            #expect(try await F.eventually { try await F.pod(client, cheap) == nil })
            try await Task.sleep(for: .milliseconds(300))
            let after = try await Self.owned(client, by: created)
            #expect(Set(after.compactMap(\.metadata.name)) == Set(pods.compactMap(\.metadata.name).filter { $0 != cheap } + ["worker-newcomer"]))
            #expect(Set(after.compactMap(\.metadata.uid)).isSuperset(of: pods.filter { $0.metadata.name != cheap }.compactMap(\.metadata.uid)))
            let all = try await F.podNames(client)
            #expect(all.count == 3, "pods: \(all)")
        }
    }

    @Test("the deletion ranking follows ActivePodsWithRanks")
    func ranking() throws {
        func pod(_ name: String, node: String = "n1", phase: PodPhase = .running, ready: Bool = true, cost: Int32? = nil,
                 readySince: Int64 = 1000, restarts: Int = 0, created: Int64 = 500) -> Pod {
            var p = Pod(metadata: ObjectMeta(name: name, creationTimestamp: Time(secondsSinceEpoch: created)), spec: F.podSpec())
            p.spec?.nodeName = node.isEmpty ? nil : node
            if let cost { p.metadata.annotations = [ReplicaSetPodRanking.deletionCostAnnotation: String(cost)] }
            var status = PodStatus()
            status.phase = phase
            status.conditions = [PodCondition(type: .ready, status: ready ? .true : .false, lastTransitionTime: Time(secondsSinceEpoch: readySince))]
            status.containerStatuses = [ContainerStatus(name: "app", ready: ready, restartCount: restarts)]
            p.status = status
            return p
        }
        func first(_ pods: [Pod], related: [Pod]? = nil) -> String? {
            ReplicaSetPodRanking.podsToDelete(1, from: pods, related: related ?? pods).first?.metadata.name
        }
        #expect(first([pod("a"), pod("b", node: "")]) == "b")
        #expect(first([pod("a"), pod("b", phase: .pending, ready: false)]) == "b")
        #expect(first([pod("a"), pod("b", ready: false)]) == "b")
        #expect(first([pod("a"), pod("b", cost: -5), pod("c", cost: 10)]) == "b")
        // Cost before readiness time: a long-ready cheap pod goes before a just-ready one.
        #expect(first([pod("a", readySince: 5000), pod("b", cost: Int32.min, readySince: 1)]) == "b")
        // Readiness before cost: a not-ready pod goes before the cheapest ready one.
        #expect(first([pod("a", ready: false), pod("b", cost: Int32.min)]) == "a")
        // Doubled up: the pod sharing its node with more of the set goes first.
        #expect(first([pod("a", node: "n1"), pod("b", node: "n2")], related: [pod("a", node: "n1"), pod("b", node: "n2"), pod("x", node: "n2")]) == "b")
        #expect(first([pod("a", readySince: 100), pod("b", readySince: 200)]) == "b")
        #expect(first([pod("a", restarts: 0), pod("b", restarts: 3)]) == "b")
        #expect(first([pod("a", created: 100), pod("b", created: 200)]) == "b")
        #expect(ReplicaSetPodRanking.deletionCost(of: pod("a", cost: nil)) == 0)
        var invalid = pod("a")
        invalid.metadata.annotations = [ReplicaSetPodRanking.deletionCostAnnotation: "lots"]
        #expect(ReplicaSetPodRanking.deletionCost(of: invalid) == 0)
        #expect(ReplicaSetPodRanking.podsToDelete(3, from: [pod("a"), pod("b")], related: []).count == 2)
    }
}
