@testable import ControllerRuntime
import KubeClient
import KubeModel
import OperatorCore
import KubeSim
import Testing

/// A replica of the collection built only from handler events: if it equals the server's list, no event
/// was lost or misordered.
final class EventMirror: Sendable {
    let objects = Shared<[ObjectKey: String]>([:])
    let unknownFinalStateDeletes = Shared<[ObjectKey]>([])

    func handle(_ event: InformerEvent<ConfigMap>) {
        switch event {
        case .added(let object), .updated(_, let object):
            objects.withLock { $0[ObjectKey(of: object)] = object.metadata.resourceVersion ?? "" }
        case .deleted(let object, let unknown):
            _ = objects.withLock { $0.removeValue(forKey: ObjectKey(of: object)) }
            if unknown { unknownFinalStateDeletes.withLock { $0.append(ObjectKey(of: object)) } }
        }
    }
}

func serverState(_ client: KubeClient) async throws -> [ObjectKey: String] {
    let list = try await client.list(ConfigMap.self)
    return Dictionary(uniqueKeysWithValues: list.items.map { (ObjectKey(of: $0), $0.metadata.resourceVersion ?? "") })
}

/// A summary counting config maps per value of `data.step` (absent: ""): exact only if every removal undoes
/// the addition of exactly the object that was cached.
func stepCounts() -> CacheSummary<ConfigMap, [String: Int]> {
    CacheSummary([:]) { counts, removed, added in
        if let removed {
            let step = removed.data?["step"] ?? ""
            counts[step, default: 0] -= 1
            if counts[step] == 0 { counts[step] = nil }
        }
        if let added { counts[added.data?["step"] ?? "", default: 0] += 1 }
    }
}

func stepCounts(of objects: [ConfigMap]) -> [String: Int] {
    Dictionary(grouping: objects) { $0.data?["step"] ?? "" }.mapValues(\.count)
}

func cacheState(_ informer: SharedInformer<ConfigMap>) -> [ObjectKey: String] {
    Dictionary(uniqueKeysWithValues: informer.cache.list().map { (ObjectKey(of: $0), $0.metadata.resourceVersion ?? "") })
}

@Suite("SharedInformer against the emulator")
struct InformerTests {
    @Test("the cache and the handlers converge on the server's state after 1,000 rapid changes")
    func convergesAfterRapidChanges() async throws {
        try await withEmulator { server, client in
            for index in 0..<50 { _ = try await client.create(configMap("seed-\(index)")) }
            let informer = SharedInformer(ConfigMap.self, api: client, options: InformerOptions(pageSize: 20), logger: quietLogger)
            let mirror = EventMirror()
            informer.addEventHandler(mirror.handle)
            let running = Task { await informer.run() }
            defer { running.cancel() }
            await informer.waitForSync()
            #expect(informer.cache.count == 50)
            #expect(informer.statistics.lists == 1)
            // Attached after the sync: it starts from the cached objects.
            let summary = stepCounts()
            informer.cache.addSummary(summary)
            #expect(summary.value == ["": 50])

            // 1,000 changes from 4 concurrent writers: creates, updates and deletes over 100 names.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        var generator = SplitMix(seed: UInt64(writer + 1))
                        for step in 0..<250 {
                            let name = "cm-\(generator.next() % 100)"
                            do {
                                switch generator.next() % 3 {
                                case 0: _ = try await client.create(configMap(name, data: ["step": "\(step)"]))
                                case 1:
                                    _ = try await client.patch(
                                        ConfigMap.self, name: name, namespace: "default",
                                        patch: .merge(["data": ["step": .string("\(writer)-\(step)")]]))
                                default: _ = try await client.delete(ConfigMap.self, name: name, namespace: "default")
                                }
                            } catch let error as KubeAPIError where error.isNotFound || error.isAlreadyExists {
                                // Another writer got there first; still a change attempt, as intended.
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let expected = try await serverState(client)
            let converged = await eventually { cacheState(informer) == expected && mirror.objects.current == expected }
            #expect(converged)
            #expect(cacheState(informer) == expected)
            #expect(mirror.objects.current == expected)
            #expect(informer.statistics.lists == 1, "no re-list was needed")
            let items = try await client.list(ConfigMap.self).items
            #expect(summary.value == stepCounts(of: items))
            _ = server
        }
    }

    /// A real API server's bookmarks carry zero-valued objects (`"selector":null`, `"containers":null`); an
    /// informer that decoded them as full objects broke its watch at every one. Here hundreds of real-shaped
    /// bookmarks — more than ten minutes of kube-apiserver's cadence (one a minute per watch) many times over — reach
    /// informers of the kinds the operator watches, with changes in between; no watch breaks and no re-list
    /// happens. (`ms2m bench informers` runs the same for as long as asked, at a chosen cadence.)
    @Test("informers take real-shaped bookmarks (null fields) for every watched kind without a watch error or a re-list")
    func realShapedBookmarks() async throws {
        try await withEmulator({ $0.bookmarkInterval = .milliseconds(20) }) { _, client in
            let sets = SharedInformer(StatefulSet.self, api: client, logger: quietLogger)
            let pods = SharedInformer(Pod.self, api: client, logger: quietLogger)
            let nodes = SharedInformer(Node.self, api: client, logger: quietLogger)
            let jobs = SharedInformer(Job.self, api: client, logger: quietLogger)
            let running = [
                Task { await sets.run() }, Task { await pods.run() }, Task { await nodes.run() }, Task { await jobs.run() },
            ]
            defer { for task in running { task.cancel() } }
            for informer in [sets, pods, nodes, jobs] as [any InformerRunning] { await informer.waitForSync() }
            for index in 0..<20 {
                _ = try await client.create(configMap("tick-\(index)"))
                _ = try await client.create(Node(metadata: ObjectMeta(name: "node-\(index)")), namespace: nil, options: WriteOptions())
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await eventually { nodes.cache.count == 20 })
            for statistics in [sets.statistics, pods.statistics, nodes.statistics, jobs.statistics] {
                #expect(statistics.watchErrors == 0)
                #expect(statistics.lists == 1)
                #expect(statistics.watches == 1)
            }
        }
    }

    @Test("a watch broken mid-stream resumes from the last resourceVersion without missing an event")
    func resumesAfterBrokenWatch() async throws {
        try await withEmulator { server, client in
            let informer = SharedInformer(ConfigMap.self, api: client, logger: quietLogger)
            let mirror = EventMirror()
            informer.addEventHandler(mirror.handle)
            let running = Task { await informer.run() }
            defer { running.cancel() }
            await informer.waitForSync()
            for index in 0..<20 { _ = try await client.create(configMap("before-\(index)")) }
            #expect(await eventually { informer.cache.count == 20 })
            for round in 0..<3 {
                server.faults.breakWatches()
                // Changes made while the informer reconnects must all arrive.
                for index in 0..<10 { _ = try await client.create(configMap("during-\(round)-\(index)")) }
                _ = try await client.delete(ConfigMap.self, name: "before-\(round)", namespace: "default")
                _ = try await client.patch(
                    ConfigMap.self, name: "before-10", namespace: "default",
                    patch: .merge(["data": ["round": .string("\(round)")]]))
            }
            let expected = try await serverState(client)
            #expect(await eventually { mirror.objects.current == expected && cacheState(informer) == expected })
            let statistics = informer.statistics
            #expect(statistics.lists == 1, "resuming must not need a re-list")
            #expect(statistics.watches >= 4)
            #expect(mirror.unknownFinalStateDeletes.current.isEmpty)
        }
    }

    @Test("a 410 Expired on resume triggers a re-list that converges and reports deletions made meanwhile")
    func relistsAfterExpiry() async throws {
        try await withEmulator({ $0.watchHistoryLimit = 10 }) { server, client in
            for index in 0..<15 { _ = try await client.create(configMap("old-\(index)")) }
            let informer = SharedInformer(ConfigMap.self, api: client, options: InformerOptions(pageSize: 5), logger: quietLogger)
            let summary = stepCounts()
            informer.cache.addSummary(summary)
            let mirror = EventMirror()
            informer.addEventHandler(mirror.handle)
            let running = Task { await informer.run() }
            defer { running.cancel() }
            await informer.waitForSync()
            #expect(informer.cache.count == 15)

            // Hold the informer's reconnect while more changes than the history holds are made.
            server.faults.delay(.milliseconds(800), method: .get, pathPrefix: "/api/v1/configmaps", times: 1)
            server.faults.breakWatches()
            for index in 0..<5 { _ = try await client.delete(ConfigMap.self, name: "old-\(index)", namespace: "default") }
            for index in 0..<20 { _ = try await client.create(configMap("new-\(index)")) }
            _ = try await client.patch(
                ConfigMap.self, name: "old-14", namespace: "default", patch: .merge(["data": ["x": "y", "step": "7"]]))

            let expected = try await serverState(client)
            #expect(await eventually { mirror.objects.current == expected && cacheState(informer) == expected })
            // The re-list's replacements and deletions reached the summary too.
            #expect(summary.value == ["": 29, "7": 1])
            #expect(informer.statistics.expiredRelists >= 1)
            #expect(informer.statistics.lists >= 2)
            let unknown = Set(mirror.unknownFinalStateDeletes.current.map(\.name))
            #expect(unknown == Set((0..<5).map { "old-\($0)" }))
        }
    }

    @Test("indexes file objects by node and owner, and follow updates and deletes")
    func indexes() async throws {
        try await withEmulator { _, client in
            func pod(_ name: String, node: String, owner: String) -> Pod {
                var spec = PodSpec(containers: [Container(name: "app", image: "app:1")])
                spec.nodeName = node
                return Pod(metadata: ObjectMeta(
                    name: name, namespace: "default",
                    ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: owner, uid: "uid-\(owner)", controller: true)]),
                    spec: spec)
            }
            let informer = SharedInformer(
                Pod.self, api: client,
                options: InformerOptions(transform: ObjectTransforms.slimPod, indexes: [.podsByNode, .byControllerUID]))
            let running = Task { await informer.run() }
            defer { running.cancel() }
            _ = try await client.create(pod("a", node: "n1", owner: "x"))
            _ = try await client.create(pod("b", node: "n1", owner: "y"))
            _ = try await client.create(pod("c", node: "n2", owner: "x"))
            await informer.waitForSync()
            #expect(await eventually { informer.cache.count == 3 })
            #expect(Set(informer.cache.list(index: .podsByNode, value: "n1").compactMap(\.metadata.name)) == ["a", "b"])
            #expect(Set(informer.cache.list(index: .byControllerUID, value: "uid-x").compactMap(\.metadata.name)) == ["a", "c"])
            _ = try await client.delete(Pod.self, name: "a", namespace: "default", options: DeleteOptions(gracePeriodSeconds: 0))
            #expect(await eventually { informer.cache.list(index: .podsByNode, value: "n1").count == 1 })
            #expect(informer.cache.list(index: .byControllerUID, value: "uid-x").compactMap(\.metadata.name) == ["c"])
            // The slim transform dropped what the operator does not read.
            #expect(informer.cache.get(namespace: "default", name: "b")?.spec?.containers.first?.image == "app:1")
            #expect(informer.cache.get(namespace: "default", name: "b")?.metadata.managedFields == nil)
        }
    }
}

/// A small deterministic random number generator for reproducible change sequences.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Object transforms")
struct ObjectTransformTests {
    @Test("the slim pod keeps identity, owners, node, containers and conditions, and drops the rest")
    func slimPod() {
        var spec = PodSpec(containers: [Container(
            name: "app", image: "registry.example.com/team/app:1.2.3", env: [EnvVar(name: "A", value: "b")])])
        spec.nodeName = "node-1"
        spec.tolerations = [Toleration(key: "k", operator: "Exists")]
        var status = PodStatus()
        status.phase = .running
        status.conditions = [PodCondition(type: .ready, status: .true, message: "long message")]
        status.containerStatuses = [ContainerStatus(name: "app", ready: true, imageID: "sha256:…")]
        let pod = Pod(
            metadata: ObjectMeta(
                name: "p", namespace: "ns", uid: "uid-1", resourceVersion: "7",
                labels: ["app.kubernetes.io/name": "counter"],
                annotations: ["kubectl.kubernetes.io/last-applied-configuration": "{…}", "team": "a"],
                ownerReferences: [OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "s", uid: "owner-uid-0000000000000000", controller: true)],
                managedFields: [["manager": "kubectl"]]),
            spec: spec, status: status)
        let slim = ObjectTransforms.slimPod(pod)
        #expect(slim.metadata.name == "p" && slim.metadata.uid == "uid-1" && slim.metadata.resourceVersion == "7")
        #expect(slim.metadata.labels == ["app.kubernetes.io/name": "counter"])
        #expect(slim.metadata.annotations == ["team": "a"])
        #expect(slim.metadata.managedFields == nil)
        #expect(slim.metadata.controllerReference?.uid == "owner-uid-0000000000000000")
        #expect(slim.spec?.nodeName == "node-1")
        #expect(slim.spec?.containers.map(\.name) == ["app"])
        #expect(slim.spec?.containers.first?.image == "registry.example.com/team/app:1.2.3")
        #expect(slim.spec?.containers.first?.env == nil)
        #expect(slim.spec?.tolerations == nil)
        #expect(slim.status?.phase == .running)
        #expect(slim.isReady)
        #expect(slim.status?.conditions?.first?.message == nil)
        #expect(slim.status?.containerStatuses == nil)

        // Conditions that differ only in their times are one shared list.
        var later = pod
        later.metadata.name = "q"
        later.status?.conditions = [PodCondition(
            type: .ready, status: .true, lastTransitionTime: Time(rfc3339: "2026-11-20T12:00:00Z"))]
        let slimLater = ObjectTransforms.slimPod(later)
        #expect(slimLater.status?.conditions == [PodCondition(type: .ready, status: .true)])
        let buffers = [slim, slimLater].map { $0.status?.conditions?.withUnsafeBufferPointer { $0.baseAddress } }
        #expect(buffers[0] != nil && buffers[0] == buffers[1], "one condition list for both pods")
    }
}
