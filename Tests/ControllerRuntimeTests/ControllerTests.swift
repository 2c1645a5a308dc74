@testable import ControllerRuntime
import KubeClient
import KubeModel
import OperatorCore
import KubeSim
import Testing

/// Records when each reconcile of each request ran.
final class ReconcileLog: Sendable {
    let calls = Shared<[ReconcileRequest: [ContinuousClock.Instant]]>([:])

    func record(_ request: ReconcileRequest) -> Int {
        calls.withLock { calls -> Int in
            calls[request, default: []].append(.now)
            return calls[request]!.count
        }
    }

    func count(_ request: ReconcileRequest) -> Int { calls.current[request]?.count ?? 0 }
    func times(_ request: ReconcileRequest) -> [ContinuousClock.Instant] { calls.current[request] ?? [] }
}

struct ExpectedFailure: Error {}

@Suite("Controller against the emulator")
struct ControllerTests {
    let request = ReconcileRequest(namespace: "default", name: "target")

    @Test("a reconciler that throws is retried with growing gaps until it succeeds")
    func retriesWithBackoff() async throws {
        try await withEmulator { _, client in
            let log = ReconcileLog()
            let request = self.request
            let controller = ControllerBuilder(named: "retry", for: ConfigMap.self)
                .withOptions(ControllerOptions(rateLimiter: ControllerRateLimiter(
                    backoff: ItemExponentialBackoff(baseDelay: .milliseconds(30)), bucket: nil)))
                .build(reconciler: ReconcilerFunction { request in
                    if log.record(request) <= 5 { throw ExpectedFailure() }
                    return .done
                })
            let manager = makeManager(client)
            manager.add(controller)
            let running = RunningManager(manager)
            _ = try await client.create(configMap("target"))
            #expect(await eventually { log.count(request) == 6 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(log.count(request) == 6, "no retry after the success")
            let times = log.times(request)
            let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
            let nominal: [Duration] = [.milliseconds(30), .milliseconds(60), .milliseconds(120), .milliseconds(240), .milliseconds(480)]
            for (gap, minimum) in zip(gaps, nominal) { #expect(gap >= minimum, "retry came before its backoff") }
            #expect(gaps[3] > gaps[0] * 2, "gaps must grow: \(gaps)")
            #expect(gaps[4] > gaps[1] * 2, "gaps must grow: \(gaps)")
            await running.shutDownGracefully()
        }
    }

    @Test("a TerminalError is not retried")
    func terminalErrorNotRetried() async throws {
        try await withEmulator { _, client in
            let log = ReconcileLog()
            let controller = ControllerBuilder(named: "terminal", for: ConfigMap.self)
                .build(reconciler: ReconcilerFunction { request in
                    _ = log.record(request)
                    throw TerminalError(ExpectedFailure())
                })
            let manager = makeManager(client)
            manager.add(controller)
            let running = RunningManager(manager)
            _ = try await client.create(configMap("target"))
            #expect(await eventually { log.count(request) == 1 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(log.count(request) == 1)
            #expect(manager.metrics.exposition().contains(#"controller_runtime_terminal_reconcile_errors_total{controller="terminal"} 1"#))
            await running.shutDownGracefully()
        }
    }

    @Test("requeue(after:) reconciles again after the delay")
    func requeueAfter() async throws {
        try await withEmulator { _, client in
            let log = ReconcileLog()
            let controller = ControllerBuilder(named: "requeue", for: ConfigMap.self)
                .build(reconciler: ReconcilerFunction { request in
                    log.record(request) == 1 ? .requeue(after: .milliseconds(250)) : .done
                })
            let manager = makeManager(client)
            manager.add(controller)
            let running = RunningManager(manager)
            _ = try await client.create(configMap("target"))
            #expect(await eventually { log.count(request) == 2 })
            let times = log.times(request)
            #expect(times[1] - times[0] >= .milliseconds(250))
            #expect(times[1] - times[0] < .milliseconds(1000))
            try await Task.sleep(for: .milliseconds(300))
            #expect(log.count(request) == 2)
            await running.shutDownGracefully()
        }
    }

    @Test("an object changed 100 times while its reconcile is in flight is reconciled at most twice")
    func collapsesWhileInFlight() async throws {
        try await withEmulator { _, client in
            let log = ReconcileLog()
            let gate = AsyncLatch()
            let controller = ControllerBuilder(named: "collapse", for: ConfigMap.self)
                .withOptions(ControllerOptions(workers: 4))
                .build(reconciler: ReconcilerFunction { request in
                    if log.record(request) == 1 { await gate.wait() }
                    return .done
                })
            let manager = makeManager(client)
            manager.add(controller)
            let running = RunningManager(manager)
            _ = try await client.create(configMap("target"))
            #expect(await eventually { log.count(request) == 1 })
            var last = ""
            for step in 0..<100 {
                let updated = try await client.patch(
                    ConfigMap.self, name: "target", namespace: "default", patch: .merge(["data": ["step": .string("\(step)")]]))
                last = updated.metadata.resourceVersion ?? ""
            }
            let informer = manager.informers.informer(for: ConfigMap.self)
            let lastVersion = last
            #expect(await eventually { informer.cache.get(namespace: "default", name: "target")?.metadata.resourceVersion == lastVersion })
            gate.open()
            #expect(await eventually { log.count(request) == 2 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(log.count(request) == 2)
            await running.shutDownGracefully()
        }
    }

    @Test("several workers never reconcile one object concurrently, but do reconcile different ones in parallel")
    func exclusivePerObject() async throws {
        try await withEmulator { _, client in
            let inFlight = Shared<[ReconcileRequest: Int]>([:])
            let violations = Shared(0)
            let maxParallel = Shared(0)
            let total = Shared(0)
            let controller = ControllerBuilder(named: "exclusive", for: ConfigMap.self)
                .withOptions(ControllerOptions(workers: 4))
                .build(reconciler: ReconcilerFunction { request in
                    inFlight.withLock { flights in
                        flights[request, default: 0] += 1
                        if flights[request]! > 1 { violations.withLock { $0 += 1 } }
                        let parallel = flights.values.reduce(0, +)
                        maxParallel.withLock { $0 = max($0, parallel) }
                    }
                    try await Task.sleep(for: .milliseconds(5))
                    inFlight.withLock { $0[request]! -= 1 }
                    total.withLock { $0 += 1 }
                    return .done
                })
            let manager = makeManager(client)
            manager.add(controller)
            let running = RunningManager(manager)
            for index in 0..<6 { _ = try await client.create(configMap("cm-\(index)")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        for step in 0..<25 {
                            _ = try await client.patch(
                                ConfigMap.self, name: "cm-\(index)", namespace: "default",
                                patch: .merge(["data": ["step": .string("\(step)")]]))
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await eventually { controller.queue?.depth == 0 && controller.queue?.inFlightCount == 0 })
            #expect(violations.current == 0)
            #expect(maxParallel.current > 1)
            #expect(total.current >= 6)
            await running.shutDownGracefully()
        }
    }

    @Test("owned objects wake their controlling owner, and mapped objects wake what the map returns")
    func ownsAndWatches() async throws {
        try await withEmulator { _, client in
            let log = ReconcileLog()
            let controller = ControllerBuilder(named: "owner", for: ConfigMap.self)
                .owns(Secret.self)
                .watches(Namespace.self) { namespace in
                    [ReconcileRequest(namespace: "default", name: "ns-\(namespace.metadata.name ?? "")")]
                }
                .build(reconciler: ReconcilerFunction { request in
                    _ = log.record(request)
                    return .done
                })
            let manager = makeManager(client)
            manager.add(controller)
            let running = RunningManager(manager)
            let parent = try await client.create(configMap("parent"))
            let owner = OwnerReference(controller: parent)!
            #expect(await eventually { log.count(ReconcileRequest(namespace: "default", name: "parent")) == 1 })
            _ = try await client.create(Secret(metadata: ObjectMeta(name: "child", namespace: "default", ownerReferences: [owner])))
            #expect(await eventually { log.count(ReconcileRequest(namespace: "default", name: "parent")) == 2 })
            #expect(log.count(ReconcileRequest(namespace: "default", name: "child")) == 0)
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: "extra")))
            #expect(await eventually { log.count(ReconcileRequest(namespace: "default", name: "ns-extra")) >= 1 })
            await running.shutDownGracefully()
        }
    }
}

@Suite("Request mapping")
struct RequestMappingTests {
    @Test("only a controller reference of the owner's group and kind maps to the owner")
    func controllerOwner() {
        func pod(_ references: [OwnerReference]) -> Pod {
            Pod(metadata: ObjectMeta(name: "p", namespace: "ns", ownerReferences: references))
        }
        let controller = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "u", controller: true)
        let notController = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "other", uid: "v")
        let otherKind = OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "set", uid: "w", controller: true)
        #expect(RequestMapping.controllerOwner(ConfigMap.self, of: pod([notController, controller])) == [ReconcileRequest(namespace: "ns", name: "owner")])
        #expect(RequestMapping.controllerOwner(ConfigMap.self, of: pod([notController])).isEmpty)
        #expect(RequestMapping.controllerOwner(ConfigMap.self, of: pod([otherKind])).isEmpty)
    }

    @Test("an update maps both the old and the new state, without duplicates")
    func updatesMapBothStates() {
        let old = ConfigMap(metadata: ObjectMeta(name: "a", namespace: "ns", labels: ["target": "x"]))
        let new = ConfigMap(metadata: ObjectMeta(name: "a", namespace: "ns", labels: ["target": "y"]))
        let map: (ConfigMap) -> [ReconcileRequest] = { [ReconcileRequest(namespace: "ns", name: $0.metadata.labels?["target"] ?? "")] }
        let requests = RequestMapping.requests(for: .updated(old: old, new: new), map: map)
        #expect(requests == [ReconcileRequest(namespace: "ns", name: "y"), ReconcileRequest(namespace: "ns", name: "x")])
        #expect(RequestMapping.requests(for: .updated(old: old, new: old), map: map).count == 1)
    }
}
