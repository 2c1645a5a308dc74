import KubeClient
import KubeModel
import OperatorCore
@testable import SimCluster
import Testing
import Unstructured

@Suite("SimStatefulSetController", .serialized)
struct ControllersStatefulSetTests {
    typealias F = ControllersFixture

    static func set(
        _ name: String, replicas: Int, policy: String? = nil, claims: Bool = false
    ) -> StatefulSet {
        let labels = ["app": name]
        var claimTemplates: [PersistentVolumeClaim]?
        if claims {
            claimTemplates = [PersistentVolumeClaim(
                metadata: ObjectMeta(name: "data"),
                spec: PersistentVolumeClaimSpec(
                    accessModes: ["ReadWriteOnce"],
                    resources: VolumeResourceRequirements(requests: ["storage": Quantity("1Gi")])))]
        }
        return StatefulSet(
            metadata: ObjectMeta(name: name, namespace: F.namespace),
            spec: StatefulSetSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: labels), serviceName: name,
                template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: F.podSpec()),
                volumeClaimTemplates: claimTemplates, podManagementPolicy: policy))
    }

    static func runController(_ client: KubeClient) -> @Sendable () async -> Void {
        let controller = SimStatefulSetController(api: client, logger: F.quiet)
        return { await controller.run() }
    }

    static func currentSet(_ client: KubeClient, _ name: String) async throws -> StatefulSet {
        try await client.get(StatefulSet.self, name: name, namespace: F.namespace)
    }

    @Test("scales up one ordinal at a time with labels, claims and identity, and down from the highest ordinal")
    func orderedScaling() async throws {
        try await F.withRunning(Self.runController) { client in
            let created = try await client.create(Self.set("web", replicas: 3, claims: true))
            #expect(try await F.eventually { try await F.pod(client, "web-0") != nil })
            // OrderedReady: web-1 waits for web-0 to be Running and Ready.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await F.pod(client, "web-1") == nil)

            let web0 = try #require(try await F.pod(client, "web-0"))
            let revision = try #require(web0.metadata.labels?[WorkloadLabels.controllerRevisionHash])
            #expect(revision.hasPrefix("web-"))
            #expect(web0.metadata.labels?[WorkloadLabels.statefulSetPodName] == "web-0")
            #expect(web0.metadata.labels?[WorkloadLabels.podIndex] == "0")
            #expect(web0.metadata.labels?["app"] == "web")
            #expect(web0.spec?.hostname == "web-0")
            #expect(web0.spec?.subdomain == "web")
            let owner = try #require(web0.metadata.controllerReference)
            #expect(owner.uid == created.metadata.uid && owner.kind == "StatefulSet" && owner.blockOwnerDeletion == true)
            #expect(web0.spec?.volumes?.first { $0.name == "data" }?.claimName == "data-web-0")
            let claim = try await client.get(PersistentVolumeClaim.self, name: "data-web-0", namespace: F.namespace)
            #expect(claim.metadata.labels?["app"] == "web")
            let history = try await client.get(ControllerRevision.self, name: revision, namespace: F.namespace)
            #expect(history.metadata.controllerReference?.uid == created.metadata.uid)

            for ordinal in 0..<3 {
                #expect(try await F.eventually { try await F.pod(client, "web-\(ordinal)") != nil })
                try await F.setPodStatus(client, "web-\(ordinal)", phase: .running, ready: true)
            }
            #expect(try await F.eventually {
                let status = try await Self.currentSet(client, "web").status
                return status?.readyReplicas == 3 && status?.replicas == 3 && status?.updatedReplicas == 3
                    && status?.currentRevision == revision && status?.updateRevision == revision
                    && status?.observedGeneration == 1
            })

            try await client.setReplicas(StatefulSet.self, name: "web", namespace: F.namespace, replicas: 1)
            // The highest ordinal goes first, while the one below it is still there.
            #expect(try await F.eventually { try await F.pod(client, "web-2") == nil })
            #expect(try await F.eventually { try await F.pod(client, "web-1") == nil })
            #expect(try await F.pod(client, "web-0") != nil)
            #expect(try await F.eventually { try await Self.currentSet(client, "web").status?.replicas == 1 })
            // Claims are retained on scale down by default.
            _ = try await client.get(PersistentVolumeClaim.self, name: "data-web-2", namespace: F.namespace)
        }
    }

    @Test("Parallel creates every ordinal at once without waiting for readiness")
    func parallelScaling() async throws {
        try await F.withRunning(Self.runController) { client in
            _ = try await client.create(Self.set("par", replicas: 3, policy: "Parallel"))
            #expect(try await F.eventually {
                try await F.podNames(client, labelSelector: "app=par") == ["par-0", "par-1", "par-2"]
            })
        }
    }

    /// The revision the controller will compute for `set`, from the object as the server would store it
    /// (defaults included), read with a dry-run create.
    static func expectedRevision(_ client: KubeClient, _ set: StatefulSet) async throws -> String {
        let defaulted = try await client.create(set, options: WriteOptions(dryRun: true))
        return try StatefulSetRevision(of: defaulted).name
    }

    @Test("adopts an orphan pod named for an ordinal without restarting it, and ignores other names")
    func adoption() async throws {
        try await F.withRunning(Self.runController) { client in
            let set = Self.set("db", replicas: 1)
            let revision = try await Self.expectedRevision(client, set)
            let labels = ["app": "db", WorkloadLabels.controllerRevisionHash: revision]
            let orphan = try await client.create(Pod(
                metadata: ObjectMeta(name: "db-0", namespace: F.namespace, labels: labels), spec: F.podSpec()))
            let stranger = try await client.create(Pod(
                metadata: ObjectMeta(name: "db-extra", namespace: F.namespace, labels: labels), spec: F.podSpec()))
            try await F.setPodStatus(client, "db-0", phase: .running, ready: true)
            let created = try await client.create(set)

            #expect(try await F.eventually {
                try await F.pod(client, "db-0")?.metadata.controllerReference?.uid == created.metadata.uid
            })
            #expect(try await F.eventually {
                let status = try await Self.currentSet(client, "db").status
                return status?.readyReplicas == 1 && status?.updateRevision == revision
            })
            try await Task.sleep(for: .milliseconds(300))
            let adopted = try #require(try await F.pod(client, "db-0"))
            #expect(adopted.metadata.uid == orphan.metadata.uid)
            #expect(adopted.metadata.controllerReference?.blockOwnerDeletion == true)
            #expect(adopted.metadata.labels?[WorkloadLabels.statefulSetPodName] == "db-0")
            let untouched = try #require(try await F.pod(client, "db-extra"))
            #expect(untouched.metadata.uid == stranger.metadata.uid && untouched.metadata.ownerReferences == nil)
        }
    }

    @Test("replaces an adopted pod on another revision")
    func rollingReplacement() async throws {
        try await F.withRunning(Self.runController) { client in
            let set = Self.set("old", replicas: 1)
            let revision = try await Self.expectedRevision(client, set)
            let stale = try await client.create(Pod(
                metadata: ObjectMeta(
                    name: "old-0", namespace: F.namespace,
                    labels: ["app": "old", WorkloadLabels.controllerRevisionHash: "old-stale"]),
                spec: F.podSpec()))
            try await F.setPodStatus(client, "old-0", phase: .running, ready: true)
            _ = try await client.create(set)
            #expect(try await F.eventually {
                guard let pod = try await F.pod(client, "old-0") else { return false }
                return pod.metadata.uid != stale.metadata.uid
            })
            let replaced = try #require(try await F.pod(client, "old-0"))
            #expect(replaced.metadata.labels?[WorkloadLabels.controllerRevisionHash] == revision)
        }
    }

    @Test("recreates a pod that was deleted or failed")
    func recreation() async throws {
        try await F.withRunning(Self.runController) { client in
            _ = try await client.create(Self.set("re", replicas: 1))
            #expect(try await F.eventually { try await F.pod(client, "re-0") != nil })
            let first = try #require(try await F.pod(client, "re-0"))
            try await client.delete(Pod.self, name: "re-0", namespace: F.namespace)
            #expect(try await F.eventually {
                guard let pod = try await F.pod(client, "re-0") else { return false }
                return pod.metadata.uid != first.metadata.uid
            })
            let second = try #require(try await F.pod(client, "re-0"))
            try await F.setPodStatus(client, "re-0", phase: .failed)
            #expect(try await F.eventually {
                guard let pod = try await F.pod(client, "re-0") else { return false }
                return pod.metadata.uid != second.metadata.uid && pod.metadata.uid != first.metadata.uid
            })
        }
    }

    @Test("re-adopts the same pods after an orphaning delete and re-creation of the set")
    func orphanAndReadopt() async throws {
        try await F.withRunning(Self.runController) { client in
            _ = try await client.create(Self.set("kv", replicas: 2, policy: "Parallel"))
            #expect(try await F.eventually { try await F.podNames(client, labelSelector: "app=kv").count == 2 })
            for name in ["kv-0", "kv-1"] { try await F.setPodStatus(client, name, phase: .running, ready: true) }
            let before = try await client.list(Pod.self, namespace: F.namespace, options: ListOptions(labelSelector: "app=kv"))
            let uids = Set(before.items.compactMap(\.metadata.uid))

            try await client.delete(
                StatefulSet.self, name: "kv", namespace: F.namespace, options: DeleteOptions(propagationPolicy: .orphan))
            #expect(try await F.eventually {
                let pods = try await client.list(Pod.self, namespace: F.namespace, options: ListOptions(labelSelector: "app=kv"))
                let sets = try await client.list(StatefulSet.self, namespace: F.namespace)
                return sets.items.isEmpty && pods.items.count == 2
                    && pods.items.allSatisfy { ($0.metadata.ownerReferences ?? []).isEmpty }
            })

            let recreated = try await client.create(Self.set("kv", replicas: 2, policy: "Parallel"))
            #expect(try await F.eventually {
                let pods = try await client.list(Pod.self, namespace: F.namespace, options: ListOptions(labelSelector: "app=kv"))
                return pods.items.allSatisfy { $0.metadata.controllerReference?.uid == recreated.metadata.uid }
            })
            #expect(try await F.eventually { try await Self.currentSet(client, "kv").status?.readyReplicas == 2 })
            let after = try await client.list(Pod.self, namespace: F.namespace, options: ListOptions(labelSelector: "app=kv"))
            #expect(Set(after.items.compactMap(\.metadata.uid)) == uids)
        }
    }
}
