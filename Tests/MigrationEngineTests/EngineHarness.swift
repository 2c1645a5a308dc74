import ControllerRuntime
import Foundation
import InProcessBroker
import KubeClient
import KubeModel
import KubeSim
import Logging
import MigrationAPI
@testable import MigrationEngine
import OperatorCore
import Placement
import Synchronization
import TestSupport
import Testing
import Unstructured

let brokerURL = "amqp://guest:guest@broker.local:5672/"

/// A value shared between a test and the tasks it starts.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
    var current: Value { value.withLock { $0 } }
}

/// The kubelet checkpoint API as a test double: answers with an archive path, or fails as told.
final class FakeKubelet: KubeletCheckpointing {
    struct Call: Sendable, Hashable { var node, namespace, pod, container: String }
    let calls = Shared<[Call]>([])
    let failure = Shared<(any Error & Sendable)?>(nil)
    /// Containers whose checkpoint fails (500, as a runtime that cannot checkpoint them answers).
    let failingContainers = Shared<Set<String>>([])

    func checkpoint(node: String, namespace: String, pod: String, container: String, timeout: Duration) async throws -> [String] {
        calls.withLock { $0.append(Call(node: node, namespace: namespace, pod: pod, container: container)) }
        if let error = failure.current { throw error }
        if failingContainers.current.contains(container) { throw KubeletError(code: 500) }
        return ["/var/lib/kubelet/checkpoints/checkpoint-\(pod)_\(namespace)-\(container)-2026-11-21T22:00:00Z.tar"]
    }
}

/// A kubelet error as the API server relays it.
struct KubeletError: Error, KubernetesStatusError, Sendable {
    var code: Int
    var status: Status { Status(status: "Failure", message: "checkpoint failed", reason: code == 404 ? .notFound : .internalError, code: code) }
}

/// Records image deletions.
final class RecordingImageStore: CheckpointImageDeleting {
    let deleted = Shared<[String]>([])
    func deleteImage(_ reference: String, dockerConfigJSON: [UInt8]?, insecure: Bool) async throws {
        deleted.withLock { $0.append(reference) }
    }
}

/// Records events.
final class RecordingEvents: MigrationEventSink {
    let reasons = Shared<[String]>([])
    func record(_ type: EventType, reason: String, note: String, about migration: StatefulMigration) {
        reasons.withLock { $0.append(reason) }
    }
}

/// A StatefulMigration CRD good enough for the engine's tests (the real schema is tested in MigrationAPITests).
let migrationCRD: JSONValue = [
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": ["name": "statefulmigrations.migration.ms2m.io"],
    "spec": [
        "group": "migration.ms2m.io", "scope": "Namespaced",
        "names": ["plural": "statefulmigrations", "singular": "statefulmigration", "kind": "StatefulMigration", "shortNames": ["smig"]],
        "versions": [[
            "name": "v1alpha1", "served": true, "storage": true, "subresources": ["status": [:]],
            "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
        ]],
    ],
]

/// A cluster in the emulator (nodes, a source pod), an in-process broker and fakes for the kubelet and the
/// registry, with the engine's reconciler driven step by step by the test.
final class EngineHarness: Sendable {
    let server: KubeSimServer
    let client: KubeClient
    let connector = InProcessBrokerConnector()
    let kubelet = FakeKubelet()
    let images = RecordingImageStore()
    let events = RecordingEvents()
    let agents = FakeTransferAgents()
    let reconciler: MigrationReconciler
    let configuration: EngineConfiguration
    let metrics = RuntimeMetrics()

    init(server: KubeSimServer, configuration: EngineConfiguration = EngineConfiguration(replayPollInterval: .milliseconds(20))) {
        self.server = server
        self.configuration = configuration
        client = KubeClient(configuration: ClientConfiguration(
            server: server.baseURL, rateLimit: nil,
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))))
        reconciler = MigrationReconciler(
            ports: MigrationEnginePorts(api: client, kubelet: kubelet, brokers: connector, images: images, events: events, agents: agents),
            configuration: configuration, index: MigrationIndex(), metrics: MigrationMetrics(metrics),
            logger: .init(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    var broker: InProcessBroker { try! connector.broker(for: brokerURL) }

    static func run<T>(
        configuration: EngineConfiguration = EngineConfiguration(replayPollInterval: .milliseconds(20)),
        _ body: (EngineHarness) async throws -> T
    ) async throws -> T {
        try await withKubeSim({ $0.podDeletionIsImmediate = true }) { server in
            _ = try server.create(migrationCRD)
            if let account = TransferJobSettings().serviceAccount(namespace: "default") { _ = try server.create(account) }
            let harness = EngineHarness(server: server, configuration: configuration)
            try await harness.waitForCRD()
            return try await body(harness)
        }
    }

    private func waitForCRD() async throws {
        for _ in 0..<200 {
            if (try? await client.list(StatefulMigration.self, namespace: "default", options: ListOptions())) != nil { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Cluster

    @discardableResult
    func addNode(_ name: String, runtime: String = "cri-o://1.31.2", kubelet: String = "v1.31.0", cpu: String = "4", memory: String = "8Gi", unschedulable: Bool = false, labels: [String: String] = [:], taints: [Taint] = []) async throws -> Node {
        var allLabels = ["kubernetes.io/hostname": name]
        allLabels.merge(labels) { $1 }
        var node = Node(metadata: ObjectMeta(name: name, labels: allLabels))
        var spec = NodeSpec()
        spec.unschedulable = unschedulable
        spec.taints = taints.isEmpty ? nil : taints
        node.spec = spec
        var status = NodeStatus()
        status.allocatable = ["cpu": Quantity(cpu)!, "memory": Quantity(memory)!, "pods": Quantity(Int64(110))]
        status.capacity = status.allocatable
        status.conditions = [NodeCondition(type: .ready, status: .true)]
        var info = NodeSystemInfo()
        info.containerRuntimeVersion = runtime
        info.kubeletVersion = kubelet
        status.nodeInfo = info
        node.status = status
        // Registered with its status in one create, as the kubelet registers a node.
        _ = try await client.create(node, namespace: nil, options: WriteOptions())
        return try await untilSchedulable(name)
    }

    /// The node once the node lifecycle controller has lifted the not-ready taint a new Node is admitted with
    /// (TaintNodesByCondition), as a cluster's nodes are before anything is placed on them.
    func untilSchedulable(_ name: String) async throws -> Node {
        var node = try await client.get(Node.self, name: name, namespace: nil)
        for _ in 0..<500 where (node.spec?.taints ?? []).contains(where: { $0.key == "node.kubernetes.io/not-ready" }) {
            try await Task.sleep(for: .milliseconds(10))
            node = try await client.get(Node.self, name: name, namespace: nil)
        }
        return node
    }

    func standardNodes() async throws {
        try await addNode("node-a")
        try await addNode("node-b")
        try await addNode("node-c", cpu: "2")
    }

    /// A Running, Ready pod on `node`.
    @discardableResult
    func addRunningPod(_ name: String, node: String, labels: [String: String] = ["app": "counter"], owner: OwnerReference? = nil, cpu: String = "500m") async throws -> Pod {
        var container = Container(name: "app", image: "example.com/counter:1", command: ["/counter"], env: [EnvVar(name: "QUEUE", value: "orders")])
        container.resources = ResourceRequirements(requests: ["cpu": Quantity(cpu)!, "memory": Quantity(stringLiteral: "128Mi")])
        var spec = PodSpec(containers: [container])
        spec.nodeName = node
        var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: labels, ownerReferences: owner.map { [$0] }), spec: spec)
        pod = try await client.create(pod, namespace: "default", options: WriteOptions())
        return try await markRunning(pod)
    }

    /// A Running, Ready pod on `node` with the replayed container `app`, a stateful sidecar `ledger`
    /// (restartable init container), an init container `prepare` that ran to completion, and a second app
    /// container `exporter`; `annotations` on the pod.
    @discardableResult
    func addMultiContainerPod(_ name: String, node: String, annotations: [String: String]? = nil) async throws -> Pod {
        var app = Container(name: "app", image: "example.com/counter:1", command: ["/counter"], env: [EnvVar(name: "QUEUE", value: "orders")])
        app.resources = ResourceRequirements(requests: ["cpu": "500m", "memory": "128Mi"])
        var ledger = Container(name: "ledger", image: "example.com/ledger:1", args: ["--status-url", "http://127.0.0.1:8080/status"])
        ledger.restartPolicy = "Always"
        let prepare = Container(name: "prepare", image: "example.com/tools:1", command: ["/prepare"])
        var spec = PodSpec(containers: [app, Container(name: "exporter", image: "example.com/exporter:1", args: ["--port", "9100"])])
        spec.initContainers = [prepare, ledger]
        spec.nodeName = node
        var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: ["app": "counter"], annotations: annotations), spec: spec)
        pod = try await client.create(pod, namespace: "default", options: WriteOptions())
        return try await markRunning(pod)
    }

    /// The digest ``completeTransferJob(for:digest:succeed:legacyResult:)`` reports for a container other than the
    /// first.
    static func digest(of container: String) -> String {
        "sha256:" + String(String(repeating: container.utf8.map { String(format: "%02x", $0) }.joined(), count: 64).prefix(64))
    }

    /// Binds a pod ms2m pinned to a node (``NodePin``) to that node through `pods/binding`, as the scheduler
    /// would; a bound pod is returned as it is.
    @discardableResult
    func bind(_ pod: Pod) async throws -> Pod {
        guard (pod.spec?.nodeName ?? "").isEmpty, let name = pod.metadata.name else { return pod }
        let node = try #require(pod.metadata.annotations?[NodePin.annotation], "pod \(name) is neither bound nor pinned")
        try await client.bind(pod: name, namespace: "default", uid: pod.metadata.uid, to: node)
        return try await client.get(Pod.self, name: name, namespace: "default")
    }

    /// Sets a pod Running and Ready, as its kubelet would (binding it first, as the scheduler would, when
    /// it is only pinned to a node).
    @discardableResult
    func markRunning(_ pod: Pod) async throws -> Pod {
        var pod = try await bind(pod)
        var status = PodStatus()
        status.phase = .running
        status.conditions = [PodCondition(type: .ready, status: .true)]
        let running = ContainerState(running: ContainerStateRunning(startedAt: Time.now()))
        status.containerStatuses = (pod.spec?.containers ?? []).map {
            ContainerStatus(name: $0.name, state: running, ready: true, restartCount: 0, image: $0.image ?? "", imageID: "")
        }
        // Sidecars (restartable init containers) run beside the app; the others completed before it started.
        let inits = pod.spec?.initContainers ?? []
        if !inits.isEmpty {
            status.initContainerStatuses = inits.map { container in
                let sidecar = container.restartPolicy == "Always"
                let state = sidecar ? running : ContainerState(terminated: ContainerStateTerminated(exitCode: 0, reason: "Completed"))
                return ContainerStatus(name: container.name, state: state, ready: sidecar, restartCount: 0, image: container.image ?? "", imageID: "")
            }
        }
        pod.status = status
        return try await client.updateStatus(pod)
    }

    // MARK: Migration

    func spec(source: String = "app-0", target: String? = "node-b", strategy: String? = nil) -> StatefulMigrationSpec {
        var spec = StatefulMigrationSpec(
            sourcePod: source, containerName: "app", targetNode: target,
            checkpointImageRepository: "registry.example.com/checkpoints", replayCutoffSeconds: 30,
            migrationStrategy: strategy,
            messageQueueConfig: MessageQueueConfig(queueName: "orders", brokerUrl: brokerURL, exchangeName: "orders.fanout"))
        spec.phaseTimeouts = nil
        return spec
    }

    @discardableResult
    func createMigration(_ name: String = "move", spec: StatefulMigrationSpec) async throws -> StatefulMigration {
        try await client.create(StatefulMigration(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
    }

    func migration(_ name: String = "move") async throws -> StatefulMigration {
        try await client.get(StatefulMigration.self, name: name, namespace: "default")
    }

    /// Whether the harness plays the scheduler after each reconcile (tests of refused targets turn it off).
    let schedulerRuns = Shared(true)

    /// One reconcile of the migration; then, as the cluster's scheduler would before the next, the pods ms2m
    /// pinned to a node are bound to it.
    @discardableResult
    func reconcile(_ name: String = "move") async throws -> ReconcileResult {
        let result = try await reconciler.reconcile(ReconcileRequest(namespace: "default", name: name))
        if schedulerRuns.current { try await bindPinnedPods() }
        return result
    }

    /// Binds every pod ms2m pinned and no one has bound yet.
    func bindPinnedPods() async throws {
        for pod in try await client.list(Pod.self, namespace: "default", options: ListOptions()).items
        where (pod.spec?.nodeName ?? "").isEmpty && pod.metadata.deletionTimestamp == nil
            && pod.metadata.annotations?[NodePin.annotation] != nil
        {
            try await bind(pod)
        }
    }

    func phase(_ name: String = "move") async throws -> MigrationPhase? {
        try await migration(name).status?.phase
    }

    /// The workload's broker topology: the primary queue consumed by the source.
    func setUpBroker() async throws {
        try await broker.declareExchange("orders.fanout", type: .fanout, durable: true)
        try await broker.declareQueue("orders", durable: true)
        try await broker.bindQueue("orders", exchange: "orders.fanout")
    }

    func publish(_ ids: ClosedRange<Int>) async throws {
        for id in ids {
            try await broker.publish(OutgoingMessage(body: Array("m\(id)".utf8), messageID: "m-\(id)", persistent: true), exchange: "orders.fanout", routingKey: "")
        }
    }

    /// The standard nodes, a bare pod `app-0` on node-a and a ShadowPod migration of it to node-b, checkpointed
    /// and its transfer Job completed (the next reconcile enters Restoring).
    func shadowPodTransferred() async throws {
        try await standardNodes()
        try await addRunningPod("app-0", node: "node-a")
        try await setUpBroker()
        try await createMigration(spec: spec())
        try await reconcile()
        try await completeTransferJob(for: try await migration())
    }

    /// ``shadowPodTransferred()``, then carried into Restoring, which creates the target `app-0-shadow`.
    func shadowPodToRestoring() async throws {
        try await shadowPodTransferred()
        try await reconcile()
    }

    /// Plays the Job controller for a Job that runs to completion (or fails).
    func completeJob(_ name: String, succeed: Bool = true) async throws {
        var job = try await client.get(Job.self, name: name, namespace: "default")
        var status = JobStatus()
        status.conditions = [JobCondition(type: succeed ? .complete : .failed, status: .true, reason: succeed ? nil : "DeadlineExceeded")]
        job.status = status
        _ = try await client.updateStatus(job)
    }

    /// Plays the transfer Job's controller and pod: the Job completes, its pod reports the digests as
    /// `checkpoint-transfer` does — `digest` for the first container, one per `--container` of the Job in
    /// `images` (the others' digests derived from their names) — or, with `legacyResult`, only the top-level
    /// fields an operator before multi-container support read.
    func completeTransferJob(
        for migration: StatefulMigration, digest: String = "sha256:" + String(repeating: "ab", count: 32), succeed: Bool = true,
        legacyResult: Bool = false
    ) async throws {
        let jobName = MigrationNames.transferJob(for: migration)
        var job = try await client.get(Job.self, name: jobName, namespace: "default")
        var pod = Pod(metadata: ObjectMeta(name: "\(jobName)-x1", namespace: "default", labels: ["job-name": jobName]), spec: job.spec!.template.spec)
        pod = try await client.create(pod, namespace: "default", options: WriteOptions())
        var podStatus = PodStatus()
        podStatus.phase = succeed ? .succeeded : .failed
        var terminated = ContainerStateTerminated(exitCode: succeed ? 0 : 1)
        let args = job.spec?.template.spec?.containers.first?.args ?? []
        let containers = zip(args, args.dropFirst()).filter { $0.0 == "--container" }.map(\.1)
        let images = containers.enumerated().map { index, container in
            let own = index == 0 ? digest : Self.digest(of: container)
            return "{\"container\":\"\(container)\",\"digest\":\"\(own)\",\"size\":1234}"
        }.joined(separator: ",")
        let fields = "\"digest\":\"\(digest)\",\"image\":\"registry.example.com/checkpoints@\(digest)\",\"size\":1234"
        terminated.message = !succeed ? "{\"error\":\"registry unreachable\"}" : legacyResult ? "{\(fields)}" : "{\(fields),\"images\":[\(images)]}"
        var state = ContainerState()
        state.terminated = terminated
        var containerStatus = ContainerStatus(name: "checkpoint-transfer", ready: false, restartCount: 0)
        containerStatus.state = state
        podStatus.containerStatuses = [containerStatus]
        pod.status = podStatus
        _ = try await client.updateStatus(pod)
        var status = JobStatus()
        status.conditions = [JobCondition(type: succeed ? .complete : .failed, status: .true, reason: succeed ? nil : "BackoffLimitExceeded")]
        job.status = status
        _ = try await client.updateStatus(job)
    }
}
