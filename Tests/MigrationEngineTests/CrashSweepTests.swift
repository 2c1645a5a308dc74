import ControllerRuntime
import Foundation
import InProcessBroker
import KubeModel
import Logging
import MigrationAPI
@testable import MigrationEngine
import OperatorCore
import Testing

// The operator killed inside a step: every side effect the engine causes (an API write, a kubelet checkpoint, a
// broker declaration, binding, publish or deletion, an image deletion) is a point where the process may die —
// either just before the request leaves, or just after the world applied it but before the engine saw the
// answer. The sweep kills a first engine at each such point in turn, lets the world go on, and resumes with a
// fresh engine (new in-memory state, as after a restart) on the same cluster and broker. Every run must end
// Completed, with every published message applied by the target and nothing left behind.

/// The process dying: once tripped, every port of the dead engine fails.
struct SimulatedCrash: Error {}

/// Counts the dead-to-be engine's side effects and trips at the chosen one.
final class CrashSwitch: Sendable {
    enum Moment: Sendable { case beforeApplying, afterApplying }
    private struct State { var effects = 0; var tripped = false; var log: [String] = [] }
    private let state = Shared(State())
    /// The side effect (0-based) at which the process dies; nil counts without dying.
    let crashAt: Int?
    let moment: Moment

    init(crashAt: Int?, moment: Moment) {
        self.crashAt = crashAt
        self.moment = moment
    }

    var tripped: Bool { state.withLock { $0.tripped } }
    var effects: [String] { state.withLock { $0.log } }

    /// Fails when the process is already dead.
    func alive() throws {
        if tripped { throw SimulatedCrash() }
    }

    /// Runs one side effect, dying before or after it when it is the chosen one.
    func effect<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        let index: Int? = state.withLock { state in
            if state.tripped { return nil }
            state.log.append(what)
            state.effects += 1
            return state.effects - 1
        }
        guard let index else { throw SimulatedCrash() }
        guard index == crashAt else { return try await body() }
        if moment == .beforeApplying {
            state.withLock { $0.tripped = true }
            throw SimulatedCrash()
        }
        _ = try? await body()
        state.withLock { $0.tripped = true }
        throw SimulatedCrash()
    }
}

/// What the simulated world does when the engine acts on it: the source's container stops consuming when its
/// pod is deleted (before the deletion is observable), and a checkpoint captures the source's state.
struct WorldHooks: Sendable {
    var podDeleted: @Sendable (String) async -> Void = { _ in }
    var checkpointed: @Sendable (String) async -> Void = { _ in }
}

/// The Kubernetes API as the crashing engine sees it.
struct CrashingAPI: KubernetesAPI {
    let inner: any KubernetesAPI
    let crash: CrashSwitch
    let hooks: WorldHooks

    func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?) async throws -> T {
        try crash.alive()
        return try await inner.get(type, name: name, namespace: namespace)
    }

    func list<T: KubernetesObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ObjectList<T> {
        try crash.alive()
        return try await inner.list(type, namespace: namespace, options: options)
    }

    func watch<T: KubernetesObject>(_ type: T.Type, namespace: String?, options: WatchOptions) -> AsyncThrowingStream<TypedWatchEvent<T>, any Error> {
        inner.watch(type, namespace: namespace, options: options)
    }

    func create<T: KubernetesObject>(_ object: T, namespace: String?, options: WriteOptions) async throws -> T {
        try await crash.effect("create \(T.kind) \(object.metadata.name ?? "")") {
            try await inner.create(object, namespace: namespace, options: options)
        }
    }

    func update<T: KubernetesObject>(_ object: T, options: WriteOptions) async throws -> T {
        try await crash.effect("update \(T.kind) \(object.metadata.name ?? "")") {
            try await inner.update(object, options: options)
        }
    }

    func patch<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, subresource: String?, options: WriteOptions
    ) async throws -> T {
        try await crash.effect("patch \(T.kind) \(name) \(subresource ?? "")") {
            try await inner.patch(type, name: name, namespace: namespace, patch: patch, subresource: subresource, options: options)
        }
    }

    func delete<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?, options: DeleteOptions) async throws -> T? {
        try await crash.effect("delete \(T.kind) \(name)") {
            if T.self == Pod.self { await hooks.podDeleted(name) }
            return try await inner.delete(type, name: name, namespace: namespace, options: options)
        }
    }

    func updateStatus<T: HasStatus>(_ object: T, options: WriteOptions) async throws -> T {
        try await crash.effect("status \(T.kind) \(object.metadata.name ?? "")") {
            try await inner.updateStatus(object, options: options)
        }
    }

    func patchStatus<T: HasStatus>(_ type: T.Type, name: String, namespace: String?, patch: Patch, options: WriteOptions) async throws -> T {
        try await crash.effect("status \(T.kind) \(name)") {
            try await inner.patchStatus(type, name: name, namespace: namespace, patch: patch, options: options)
        }
    }

    func evict(podName: String, namespace: String?, options: DeleteOptions?) async throws {
        try await crash.effect("evict \(podName)") {
            try await inner.evict(podName: podName, namespace: namespace, options: options)
        }
    }
}

/// The broker as the crashing engine sees it (the broker itself survives: only the engine's connection dies).
struct CrashingBroker: MessageBroker, MessageConsuming {
    let inner: InProcessBroker
    let crash: CrashSwitch

    func declareExchange(_ name: String, type: ExchangeType, durable: Bool) async throws {
        try await crash.effect("declare exchange \(name)") { try await inner.declareExchange(name, type: type, durable: durable) }
    }

    func declareQueue(_ name: String, durable: Bool, arguments: [String: BrokerFieldValue]) async throws {
        try await crash.effect("declare queue \(name)") { try await inner.declareQueue(name, durable: durable, arguments: arguments) }
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try await crash.effect("bind \(queue)") { try await inner.bindQueue(queue, exchange: exchange, routingKey: routingKey) }
    }

    func unbindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try await crash.effect("unbind \(queue)") { try await inner.unbindQueue(queue, exchange: exchange, routingKey: routingKey) }
    }

    func queueStatus(_ name: String) async throws -> QueueStatus? {
        try crash.alive()
        return try await inner.queueStatus(name)
    }

    func deleteQueue(_ name: String, ifUnused: Bool, ifEmpty: Bool) async throws {
        try await crash.effect("delete queue \(name)") { try await inner.deleteQueue(name, ifUnused: ifUnused, ifEmpty: ifEmpty) }
    }

    func publish(_ message: OutgoingMessage, exchange: String, routingKey: String) async throws {
        try await crash.effect("publish \(routingKey) \(String(decoding: message.body.prefix(24), as: UTF8.self))") {
            try await inner.publish(message, exchange: exchange, routingKey: routingKey)
        }
    }

    func consume(queue: String, prefetch: Int) -> AsyncThrowingStream<Delivery, any Error> {
        inner.consume(queue: queue, prefetch: prefetch)
    }

    func ack(_ delivery: Delivery) async throws {
        try await crash.effect("ack") { try await inner.ack(delivery) }
    }

    func reject(_ delivery: Delivery, requeue: Bool) async throws {
        try await crash.effect("reject") { try await inner.reject(delivery, requeue: requeue) }
    }
}

struct CrashingConnector: MessageBrokerConnecting {
    let inner: InProcessBrokerConnector
    let crash: CrashSwitch

    func broker(url: String, credentials: BrokerCredentials?) async throws -> any MessageBroker & MessageConsuming {
        try crash.alive()
        return CrashingBroker(inner: try inner.broker(for: url), crash: crash)
    }
}

struct CrashingKubelet: KubeletCheckpointing {
    let inner: FakeKubelet
    let crash: CrashSwitch
    let hooks: WorldHooks

    func checkpoint(node: String, namespace: String, pod: String, container: String, timeout: Duration) async throws -> [String] {
        try await crash.effect("checkpoint \(pod)") {
            let archive = try await inner.checkpoint(node: node, namespace: namespace, pod: pod, container: container, timeout: timeout)
            await hooks.checkpointed(pod)
            return archive
        }
    }
}

struct CrashingImages: CheckpointImageDeleting {
    let inner: RecordingImageStore
    let crash: CrashSwitch

    func deleteImage(_ reference: String, dockerConfigJSON: [UInt8]?, insecure: Bool) async throws {
        try await crash.effect("delete image") {
            try await inner.deleteImage(reference, dockerConfigJSON: dockerConfigJSON, insecure: insecure)
        }
    }
}

extension EngineHarness {
    /// An engine whose every port goes through `crash` (a fresh index: nothing survives a restart but the status).
    func engine(crashing crash: CrashSwitch, hooks: WorldHooks) -> MigrationReconciler {
        MigrationReconciler(
            ports: MigrationEnginePorts(
                api: CrashingAPI(inner: client, crash: crash, hooks: hooks),
                kubelet: CrashingKubelet(inner: kubelet, crash: crash, hooks: hooks),
                brokers: CrashingConnector(inner: connector, crash: crash), images: CrashingImages(inner: images, crash: crash),
                events: events),
            configuration: configuration, index: MigrationIndex(),
            logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Drives `engine` while playing the rest of the world (the transfer Job's controller, the target's
    /// kubelet), until the migration is final or the engine dies. Returns whether it died.
    func drive(_ engine: MigrationReconciler, crash: CrashSwitch, name: String = "move") async throws -> Bool {
        for _ in 0..<600 {
            do {
                _ = try await engine.reconcile(ReconcileRequest(namespace: "default", name: name))
            } catch is SimulatedCrash {
                return true
            } catch {
                // A transient failure: the controller would requeue it.
            }
            if crash.tripped { return true }
            let migration = try await self.migration(name)
            if migration.status?.phase?.isFinal == true, migration.metadata.finalizers ?? [] == [] { return false }
            try await playWorld(for: migration)
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("the migration did not finish: \(try await phase(name)?.rawValue ?? "nil")")
        return false
    }

    /// Completes the transfer Job once it exists, brings the target pod up once it exists, and adopts the
    /// StatefulSet's orphans as its controller would.
    private func playWorld(for migration: StatefulMigration) async throws {
        let jobName = MigrationNames.transferJob(for: migration)
        if let job = try? await client.get(Job.self, name: jobName, namespace: "default"), job.status?.conditions?.isEmpty ?? true {
            try await completeTransferJob(for: migration)
        }
        if let target = migration.status?.targetPod,
            let pod = try? await client.get(Pod.self, name: target, namespace: "default"),
            pod.metadata.deletionTimestamp == nil, pod.status?.phase != .running,
            pod.spec?.containers.first?.image?.contains("@sha256:") == true
        {
            try await markRunning(pod)
        }
        if let set = migration.status?.statefulSetName { try await adoptOrphans(of: set) }
    }
}

@Suite("engine: the operator killed at every side effect resumes to Completed without loss", .serialized)
struct CrashSweepTests {
    /// One migration of a bare pod; the first engine dies at side effect `crashAt` (nil: never). Returns the
    /// side effects the first engine performed (all of them when it never died).
    /// What is migrated: a bare pod (ShadowPod) or the middle ordinal of a three-replica StatefulSet (Sequential).
    enum Workload: Sendable, CustomStringConvertible {
        case barePod, statefulSetOrdinal
        var source: String { self == .barePod ? "app-0" : "web-1" }
        var target: String { self == .barePod ? "app-0-shadow" : "web-1" }
        var description: String { self == .barePod ? "ShadowPod" : "Sequential" }
    }

    func run(_ workload: Workload, crashAt: Int?, moment: CrashSwitch.Moment) async throws -> [String] {
        let started = ContinuousClock.now
        defer {
            if ProcessInfo.processInfo.environment["MS2M_CRASH_SWEEP_VERBOSE"] != nil {
                FileHandle.standardError.write(Data("crash sweep: \(moment) \(String(describing: crashAt)) took \(ContinuousClock.now - started)\n".utf8))
            }
        }
        return try await EngineHarness.run { h in
            try await h.standardNodes()
            var siblings: [Pod] = []
            var set: StatefulSet?
            switch workload {
            case .barePod:
                try await h.addRunningPod("app-0", node: "node-a")
            case .statefulSetOrdinal:
                let created = try await h.statefulSet("web", replicas: 3)
                set = created
                let owner = OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: created.metadata.uid!, controller: true, blockOwnerDeletion: true)
                for i in 0..<3 {
                    let pod = try await h.addRunningPod("web-\(i)", node: "node-a", labels: ["app": "web", "controller-revision-hash": "web-1"], owner: owner, cpu: "100m")
                    if i != 1 { siblings.append(pod) }
                }
            }
            try await h.setUpBroker()
            // The source consumes the primary queue until its pod is deleted; a checkpoint carries what it
            // applied so far into the target, which replays the rest.
            let source = QueueConsumer()
            source.start(broker: h.broker, queue: "orders")
            let target = ReplayConsumer()
            target.start(broker: h.broker, pod: workload.target, primary: "orders")
            defer { source.stop(); target.stop() }
            let hooks = WorldHooks(
                podDeleted: { name in if name == workload.source { await source.stopAndWait() } },
                checkpointed: { _ in
                    let state = source.applied.current
                    target.applied.withLock { $0 = state }
                })
            try await h.createMigration(spec: h.spec(source: workload.source, target: workload == .barePod ? "node-b" : "node-c"))

            let published = Shared(0)
            let producer = Task {
                var id = 0
                while !Task.isCancelled {
                    id += 1
                    try? await h.publish(id...id)
                    published.withLock { $0 = id }
                    try? await Task.sleep(for: .milliseconds(3))
                }
            }

            let crash = CrashSwitch(crashAt: crashAt, moment: moment)
            let died = try await h.drive(h.engine(crashing: crash, hooks: hooks), crash: crash)
            if ProcessInfo.processInfo.environment["MS2M_CRASH_SWEEP_VERBOSE"] != nil {
                FileHandle.standardError.write(Data("crash sweep: died=\(died) at \(crash.effects.last ?? "-") of \(crash.effects.count)\n".utf8))
            }
            // A later run may perform fewer side effects (fewer polls), so a late crash point may never come.
            if died {
                try await Task.sleep(for: .milliseconds(20))  // the world goes on without an operator
                let restarted = CrashSwitch(crashAt: nil, moment: moment)
                let diedAgain = try await h.drive(h.engine(crashing: restarted, hooks: hooks), crash: restarted)
                #expect(!diedAgain)
            }
            producer.cancel()
            _ = await producer.value
            let total = published.current

            let m = try await h.migration()
            let context = "\(workload): crash \(moment) effect \(String(describing: crashAt)): \(crash.effects.last ?? "-")"
            #expect(m.status?.phase == .completed, "\(context): \(m.status?.failureReason ?? ""): \(m.status?.failureMessage ?? "")")
            for _ in 0..<300 where target.applied.current.count < total { try await Task.sleep(for: .milliseconds(10)) }
            let applied = Set(target.applied.current)
            let expected = Set((1...total).map { "m-\($0)" })
            #expect(applied == expected, "\(context): lost \(expected.subtracting(applied).count) of \(total)")
            #expect(target.applied.current.count == applied.count, "\(context): applied twice")
            // Nothing left behind.
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil, "\(context)")
            #expect((try? await h.client.get(Job.self, name: "move-transfer", namespace: "default")) == nil, "\(context)")
            switch workload {
            case .barePod:
                #expect((try? await h.client.get(Pod.self, name: "app-0", namespace: "default")) == nil, "\(context)")
            case .statefulSetOrdinal:
                let moved = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
                #expect(moved.spec?.nodeName == "node-c", "\(context)")
                let recreated = try await h.client.get(StatefulSet.self, name: "web", namespace: "default")
                #expect(recreated.spec?.replicas == 3, "\(context)")
                #expect(recreated.spec?.template == set?.spec?.template, "\(context)")
                for sibling in siblings {
                    let now = try await h.client.get(Pod.self, name: sibling.metadata.name!, namespace: "default")
                    #expect(now.metadata.uid == sibling.metadata.uid, "\(context): sibling \(sibling.metadata.name!) replaced")
                }
            }
            #expect(m.metadata.finalizers ?? [] == [], "\(context)")
            #expect(h.kubelet.calls.current.count >= 1)
            return crash.effects
        }
    }

    @Test("a crash before and after each side effect", arguments: [Workload.barePod, .statefulSetOrdinal])
    func sweep(_ workload: Workload) async throws {
        let effects = try await run(workload, crashAt: nil, moment: .afterApplying)
        if ProcessInfo.processInfo.environment["MS2M_CRASH_SWEEP_VERBOSE"] != nil {
            var counts: [String: Int] = [:]
            for effect in effects { counts[String(effect.prefix(40)), default: 0] += 1 }
            FileHandle.standardError.write(Data("effects: \(counts.sorted { $0.value > $1.value })\n".utf8))
        }
        #expect(effects.count > 10, "\(effects)")
        let limit = ProcessInfo.processInfo.environment["MS2M_CRASH_SWEEP_LIMIT"].flatMap(Int.init) ?? effects.count
        for index in effects.indices.prefix(limit) {
            for moment in [CrashSwitch.Moment.beforeApplying, .afterApplying] {
                _ = try await run(workload, crashAt: index, moment: moment)
            }
        }
    }
}

/// A plain consumer of one queue (the source's container): records each message id it applies, once.
final class QueueConsumer: Sendable {
    let applied = Shared<[String]>([])
    private let task: Shared<Task<Void, Never>?> = Shared(nil)

    func start(broker: InProcessBroker, queue: String) {
        let t = Task {
            do {
                for try await delivery in broker.consume(queue: queue, prefetch: 5) {
                    let id = delivery.messageID ?? ""
                    applied.withLock { ids in if !ids.contains(id) { ids.append(id) } }
                    try await broker.ack(delivery)
                }
            } catch {}
        }
        task.withLock { $0 = t }
    }

    /// Stops consuming and returns once the consumer is gone (unacknowledged deliveries go back to the queue).
    func stopAndWait() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = await running?.value
    }

    func stop() { task.withLock { $0?.cancel() } }
}
