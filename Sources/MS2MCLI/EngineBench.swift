import ArgumentParser
import ControllerRuntime
import Foundation
import InProcessBroker
import KubeClient
import KubeModel
import KubeSim
import Logging
import MigrationAPI
import MigrationEngine
import OperatorCore
import Placement
import SimCluster
import Synchronization
import Unstructured

/// `ms2m bench engine`: what the MS2M engine itself costs when every external step is instant — the real
/// `MigrationController` against KubeSim (real CRDs), the in-process broker, a kubelet that checkpoints at
/// once, an image deleter that does nothing, and a tiny stand-in cluster that completes each transfer Job and
/// makes each target pod Running and Ready as soon as it appears.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Migration engine overhead: per-phase and total time with instant externals, and concurrent throughput.")

    @Option(help: "Migrations run one at a time (per-phase and total median/p95).")
    var migrations = 50

    @Option(help: "Migrations started at once for the throughput measurement.")
    var concurrent = 100

    @Option(help: "Engine workers (migrations reconciled at once).")
    var workers = 8

    @Option(help: "The engine's replay-queue poll interval in milliseconds (the production default is 100).")
    var replayPollMs = 100

    @Option(help: "The directory holding the CRDs (default: config/crd/bases of this package).")
    var crds: String?

    @Option(help: "text or json.")
    var output: SimulateCommand.OutputFormat = .text

    static let namespace = "default"
    static let brokerURL = "amqp://guest:guest@broker.bench.local:5672/"

    func run() async throws {
        var serverConfiguration = KubeSimConfiguration()
        serverConfiguration.podDeletionIsImmediate = true
        let server = KubeSimServer(configuration: serverConfiguration)
        try await server.start()
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil), logger: quiet)
        let broker = InProcessBrokerConnector()
        do {
            for crd in try Simulation.loadCRDs(from: crds) { _ = try server.create(crd) }
            for _ in 0..<200 where (try? await client.list(StatefulMigration.self, namespace: Self.namespace, options: ListOptions(limit: 1))) == nil {
                try await Task.sleep(for: .milliseconds(10))
            }
            for node in ["node-a", "node-b", "node-c"] { try await Self.addNode(node, client: client) }
            // The transfer Job's pod runs as this account, which must exist in the namespace (config/rbac).
            if let account = TransferJobSettings().serviceAccount(namespace: Self.namespace) { _ = try server.create(account) }

            let manager = ControllerManager(
                api: client, configuration: ManagerConfiguration(healthProbeAddress: nil, metricsAddress: nil), logger: quiet)
            let ports = MigrationEnginePorts(
                api: manager.api, kubelet: InstantKubelet(), brokers: broker, images: InstantImageDeleter(), events: DiscardingEventSink())
            manager.add(MigrationController.make(
                ports: ports, configuration: EngineConfiguration(replayPollInterval: .milliseconds(Int64(replayPollMs))),
                workers: workers, logger: quiet))
            let board = CompletionBoard()
            let stand = InstantCluster(client: client)
            let tasks = [
                Task { try await manager.run() },
                Task { try await stand.completeJobs() },
                Task { try await stand.readyTargetPods() },
                Task { try await board.follow(client: client) },
            ]
            defer { for task in tasks { task.cancel() } }
            await manager.informers.waitForSync()

            // One at a time.
            var totals: [Double] = []
            var phases: [String: [Double]] = [:]
            var failed = 0
            if output == .text { print("Running \(migrations) migrations one at a time …") }
            for index in 0..<migrations {
                let name = "seq-\(index)"
                try await prepare(name, client: client, broker: broker)
                let start = ContinuousClock.now
                try await create(name, client: client)
                let end = await board.waitForFinal(name)
                let migration = try await client.get(StatefulMigration.self, name: name, namespace: Self.namespace)
                if migration.status?.phase != .completed { failed += 1; continue }
                totals.append((end.instant - start).seconds)
                for (phase, text) in migration.status?.phaseTimings ?? [:] {
                    if let seconds = goDurationSeconds(text) { phases[phase, default: []].append(seconds) }
                }
            }

            // All at once.
            if output == .text { print("Running \(concurrent) migrations at once …") }
            for index in 0..<concurrent { try await prepare("par-\(index)", client: client, broker: broker) }
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<concurrent { group.addTask { try await create("par-\(index)", client: client) } }
                try await group.waitForAll()
            }
            var last = start
            var concurrentFailed = 0
            for index in 0..<concurrent {
                let final = await board.waitForFinal("par-\(index)")
                last = max(last, final.instant)
                if !final.completed { concurrentFailed += 1 }
            }
            let wall = (last - start).seconds

            let result = EngineBenchResult(
                sequential: migrations, sequentialFailed: failed, workers: workers, replayPollMilliseconds: replayPollMs,
                phases: migrationPhaseOrder.compactMap { phase in phases[phase].map { EngineBenchResult.Stat(name: phase, samples: $0) } },
                total: EngineBenchResult.Stat(name: "total (created → Completed)", samples: totals),
                concurrent: concurrent, concurrentFailed: concurrentFailed, concurrentWallSeconds: wall,
                concurrentPerSecond: Double(concurrent - concurrentFailed) / max(wall, 1e-9))
            switch output {
            case .json: print(result.json())
            case .text: print(result.table())
            }
        } catch {
            try? await server.shutdown()
            throw error
        }
        try? await server.shutdown()
    }

    /// The source pod (Running and Ready on node-a) and its broker topology.
    private func prepare(_ name: String, client: KubeClient, broker: InProcessBrokerConnector) async throws {
        var container = Container(name: "app", image: "example.com/counter:1", command: ["/counter"])
        container.resources = ResourceRequirements(requests: ["cpu": "10m", "memory": "16Mi"])
        var spec = PodSpec(containers: [container])
        spec.nodeName = "node-a"
        var pod = try await client.create(
            Pod(metadata: ObjectMeta(name: "\(name)-src", namespace: Self.namespace, labels: ["app": name]), spec: spec),
            namespace: Self.namespace, options: WriteOptions())
        pod.status = InstantCluster.readyStatus(of: pod)
        _ = try await client.updateStatus(pod)
        let b = try broker.broker(for: Self.brokerURL)
        try await b.declareExchange("\(name).fanout", type: .fanout, durable: true)
        try await b.declareQueue(name, durable: true)
        try await b.bindQueue(name, exchange: "\(name).fanout")
    }

    private func create(_ name: String, client: KubeClient) async throws {
        let spec = StatefulMigrationSpec(
            sourcePod: "\(name)-src", containerName: "app", targetNode: nil,
            checkpointImageRepository: "registry.example.com/checkpoints", replayCutoffSeconds: 30,
            messageQueueConfig: MessageQueueConfig(queueName: name, brokerUrl: Self.brokerURL, exchangeName: "\(name).fanout"))
        _ = try await client.create(
            StatefulMigration(metadata: ObjectMeta(name: name, namespace: Self.namespace), spec: spec),
            namespace: Self.namespace, options: WriteOptions())
    }

    private static func addNode(_ name: String, client: KubeClient) async throws {
        var node = Node(metadata: ObjectMeta(name: name, labels: ["kubernetes.io/hostname": name]))
        node.spec = NodeSpec()
        var status = NodeStatus()
        status.allocatable = ["cpu": "64", "memory": "256Gi", "pods": Quantity(Int64(1000))]
        status.capacity = status.allocatable
        status.conditions = [NodeCondition(type: .ready, status: .true)]
        var info = NodeSystemInfo()
        info.containerRuntimeVersion = "cri-o://1.31.2"
        info.kubeletVersion = "v1.31.2"
        status.nodeInfo = info
        node.status = status
        // Registered with its status in one create, as the kubelet registers a node.
        _ = try await client.create(node, namespace: nil, options: WriteOptions())
        try await SchedulableNodes.wait(client: client, names: [name])
    }
}

/// The numbers `ms2m bench engine` reports.
struct EngineBenchResult: Codable, Sendable {
    struct Stat: Codable, Sendable {
        var name: String
        var count: Int
        var medianMilliseconds: Double
        var p95Milliseconds: Double
        var maxMilliseconds: Double

        init(name: String, samples: [Double]) {
            let sorted = samples.sorted()
            self.name = name
            count = sorted.count
            func at(_ q: Double) -> Double {
                sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))] * 1000
            }
            medianMilliseconds = at(0.5)
            p95Milliseconds = at(0.95)
            maxMilliseconds = (sorted.last ?? 0) * 1000
        }
    }

    var sequential: Int
    var sequentialFailed: Int
    var workers: Int
    var replayPollMilliseconds: Int
    var phases: [Stat]
    var total: Stat
    var concurrent: Int
    var concurrentFailed: Int
    var concurrentWallSeconds: Double
    var concurrentPerSecond: Double

    func table() -> String {
        var out = "\n| one migration at a time (\(sequential), \(sequentialFailed) failed; engine workers \(workers), replay poll \(replayPollMilliseconds) ms) | n | median ms | p95 ms | max ms |\n"
        out += "|---|---|---|---|---|\n"
        for stat in phases + [total] {
            out += String(format: "| %@ | %d | %.1f | %.1f | %.1f |\n", stat.name, stat.count, stat.medianMilliseconds, stat.p95Milliseconds, stat.maxMilliseconds)
        }
        out += "\n| concurrent migrations | failed | wall s | migrations/s |\n|---|---|---|---|\n"
        out += String(format: "| %d | %d | %.2f | %.1f |\n", concurrent, concurrentFailed, concurrentWallSeconds, concurrentPerSecond)
        return out
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// A kubelet whose checkpoints take no time.
struct InstantKubelet: KubeletCheckpointing {
    func checkpoint(node: String, namespace: String, pod: String, container: String, timeout: Duration) async throws -> [String] {
        ["/var/lib/kubelet/checkpoints/checkpoint-\(pod)_\(namespace)-\(container)-2026-01-01T00:00:00Z.tar"]
    }
}

/// An image deleter that deletes nothing.
struct InstantImageDeleter: CheckpointImageDeleting {
    func deleteImage(_ reference: String, dockerConfigJSON: [UInt8]?, insecure: Bool) async throws {}
}

/// An event sink that drops events.
struct DiscardingEventSink: MigrationEventSink {
    func record(_ type: EventType, reason: String, note: String, about migration: StatefulMigration) {}
}

/// Plays the Job controller, the transfer pod and the target's kubelet, instantly, through the API.
struct InstantCluster: Sendable {
    let client: KubeClient
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    /// Completes every transfer Job as it appears: a Succeeded pod whose termination message has the digest, and
    /// the Job's Complete condition.
    func completeJobs() async throws {
        for try await event in client.watch(Job.self, namespace: EngineBench.namespace, options: WatchOptions(resourceVersion: "0")) {
            guard case .added(var job) = event, job.status?.conditions?.isEmpty ?? true, let jobName = job.metadata.name else { continue }
            let owner = OwnerReference(apiVersion: "batch/v1", kind: "Job", name: jobName, uid: job.metadata.uid ?? "", controller: true)
            var pod = Pod(
                metadata: ObjectMeta(name: "\(jobName)-x", namespace: EngineBench.namespace, labels: ["job-name": jobName], ownerReferences: [owner]),
                spec: job.spec?.template.spec)
            pod = try await client.create(pod, namespace: EngineBench.namespace, options: WriteOptions())
            var terminated = ContainerStateTerminated(exitCode: 0)
            terminated.message = #"{"digest":"\#(Self.digest)","image":"registry.example.com/checkpoints@\#(Self.digest)","size":1}"#
            var state = ContainerState()
            state.terminated = terminated
            var container = ContainerStatus(name: "checkpoint-transfer", ready: false, restartCount: 0)
            container.state = state
            var podStatus = PodStatus()
            podStatus.phase = .succeeded
            podStatus.containerStatuses = [container]
            pod.status = podStatus
            _ = try await client.updateStatus(pod)
            var status = JobStatus()
            status.conditions = [JobCondition(type: .complete, status: .true)]
            job.status = status
            _ = try await client.updateStatus(job)
        }
    }

    /// Makes every pod the engine creates (labelled with its migration, not a Job's) Running and Ready, after
    /// binding it to the node it is pinned to, as the scheduler would.
    func readyTargetPods() async throws {
        let options = WatchOptions(labelSelector: MigrationNames.migrationLabel, resourceVersion: "0")
        for try await event in client.watch(Pod.self, namespace: EngineBench.namespace, options: options) {
            guard case .added(var pod) = event, pod.metadata.labels?["job-name"] == nil, pod.status?.phase != .running,
                let name = pod.metadata.name
            else { continue }
            if (pod.spec?.nodeName ?? "").isEmpty, let node = pod.metadata.annotations?[NodePin.annotation] {
                guard (try? await client.bind(pod: name, namespace: EngineBench.namespace, uid: pod.metadata.uid, to: node)) != nil,
                    let bound = try? await client.get(Pod.self, name: name, namespace: EngineBench.namespace)
                else { continue }
                pod = bound
            }
            pod.status = Self.readyStatus(of: pod)
            _ = try? await client.updateStatus(pod)
        }
    }

    static func readyStatus(of pod: Pod) -> PodStatus {
        var status = PodStatus()
        status.phase = .running
        status.conditions = [PodCondition(type: .ready, status: .true)]
        status.containerStatuses = (pod.spec?.containers ?? []).map { ContainerStatus(name: $0.name, ready: true, restartCount: 0) }
        return status
    }
}

/// When each migration reached Completed or Failed, as seen by a watch; waiters are resumed at once.
final class CompletionBoard: Sendable {
    struct Final: Sendable {
        var instant: ContinuousClock.Instant
        var completed: Bool
    }

    private struct State: Sendable {
        var finals: [String: Final] = [:]
        var waiters: [String: [CheckedContinuation<Final, Never>]] = [:]
    }
    private let state = Mutex(State())

    func follow(client: KubeClient) async throws {
        for try await event in client.watch(StatefulMigration.self, namespace: EngineBench.namespace, options: WatchOptions(resourceVersion: "0")) {
            guard let migration = event.object, let name = migration.metadata.name, let phase = migration.status?.phase, phase.isFinal else { continue }
            let final = Final(instant: .now, completed: phase == .completed)
            let waiters = state.withLock { s -> [CheckedContinuation<Final, Never>] in
                guard s.finals[name] == nil else { return [] }
                s.finals[name] = final
                return s.waiters.removeValue(forKey: name) ?? []
            }
            for waiter in waiters { waiter.resume(returning: final) }
        }
    }

    func waitForFinal(_ name: String) async -> Final {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Final? in
                if let final = s.finals[name] { return final }
                s.waiters[name, default: []].append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
