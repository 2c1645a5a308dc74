import AMQPBroker
import ControllerRuntime
import Foundation
import KubeClient
import KubeModel
import KubeSim
import Logging
import MigrationAPI
import MigrationEngine
import OperatorAssembly
import OperatorCore
import RegistryClient
import SampleWorkload
import ServiceLifecycle
import SimCluster
import TestSupport
import Testing
import Unstructured
import YAMLCodec

let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// The repository root (for the CRDs in config/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Creates the StatefulMigration and MigrationPolicy CRDs of config/crd/bases in `server`.
func installMigrationCRDs(on server: KubeSimServer) throws {
    for file in ["migration.ms2m.io_statefulmigrations.yaml", "migration.ms2m.io_migrationpolicies.yaml"] {
        let text = try String(contentsOfFile: "\(repositoryRoot)/config/crd/bases/\(file)", encoding: .utf8)
        _ = try server.create(try YAML.parse(text))
    }
    try installTransferServiceAccount(on: server, namespace: "default")
}

/// Applies config/rbac/checkpoint_transfer_service_account.yaml in `namespace`, as the installation guide asks
/// for every namespace migrations run in.
func installTransferServiceAccount(on server: KubeSimServer, namespace: String) throws {
    let text = try String(contentsOfFile: "\(repositoryRoot)/config/rbac/checkpoint_transfer_service_account.yaml", encoding: .utf8)
    var account = try YAML.parse(text)
    account[path: ["metadata", "namespace"]] = .string(namespace)
    _ = try server.create(account)
}

/// A whole MS2M installation on one machine: the API emulator with the real CRDs, a simulated cluster of three
/// CRI-O nodes whose kubelets checkpoint and restore the sample consumer, a real RabbitMQ, a real
/// docker-registry, and the operator built exactly as `ms2m-operator` builds it — all talking over HTTP and AMQP.
struct EndToEnd {
    let server: KubeSimServer
    let cluster: SimulatedCluster
    let client: KubeClient
    let brokerURL: String
    let brokers: RabbitMQBrokerPool
    let registry: TestRegistry

    static let consumerImage = "registry.local/ms2m-sample-consumer:1"
    /// The operator's user agent, so tests can tell its requests from everyone else's.
    static let operatorUserAgent = "ms2m-operator-e2e"
    static let exchange = "orders.fanout"
    static let queue = "orders"

    static func run(nodes: [String] = ["node-a", "node-b", "node-c"], _ body: (EndToEnd) async throws -> Void) async throws {
        let rabbit = try await RabbitMQTestServer.shared.node()
        let registry = try await TestRegistry.start()
        defer { registry.stop() }
        let root = NSTemporaryDirectory() + "ms2m-e2e-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let brokers = RabbitMQBrokerPool(logger: quiet)
        let configuration = SimClusterConfiguration(
            nodes: nodes.map { SimNodeConfiguration(name: $0) }, rootDirectory: root,
            programs: [SimProgramBinding(SampleConsumerProgram.matcher, program: SampleConsumerProgram.program(logger: quiet))],
            transferBinary: try TransferProgram.locateBinary(),
            imageSource: .registry(plainHTTP: true, caFile: nil, username: nil, password: nil), brokers: brokers,
            podStartDelay: .milliseconds(20), leaseHeartbeatInterval: .seconds(2), readinessCheckInterval: .milliseconds(50))
        try await withKubeSim { server in
            try installMigrationCRDs(on: server)
            let cluster = SimulatedCluster(configuration: configuration, logger: quiet)
            try await cluster.start(server: server)
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))
            let e2e = EndToEnd(server: server, cluster: cluster, client: client, brokerURL: rabbit.url(), brokers: brokers, registry: registry)
            do {
                try await body(e2e)
            } catch {
                await cluster.shutdown()
                throw error
            }
            await cluster.shutdown()
        }
    }

    /// Runs the operator (as `ms2m-operator` assembles it, without leader election or HTTP endpoints) around `body`.
    func withOperator(_ body: () async throws -> Void) async throws {
        try await withOperator(configure: { _ in }, body)
    }

    func withOperator(configure: (inout OperatorOptions) -> Void, _ body: () async throws -> Void) async throws {
        let running = startOperator(configure: configure)
        do {
            try await body()
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    /// Runs the operator until `condition` holds, then kills it (``RunningOperator/kill()``).
    func runOperatorKilled(
        configure: (inout OperatorOptions) -> Void, when what: String, timeout: Duration = .seconds(60),
        _ condition: () async throws -> Bool
    ) async throws {
        let running = startOperator(configure: configure)
        do {
            try await waitUntil(what, timeout: timeout, condition)
        } catch {
            await running.kill()
            throw error
        }
        await running.kill()
    }

    /// An operator running in this process, as the tests start it.
    struct RunningOperator {
        let group: ServiceGroup
        let task: Task<Void, any Error>

        /// Stops it as SIGTERM does: a graceful shutdown.
        func stop() async {
            await group.triggerGracefulShutdown()
            _ = await task.result
        }

        /// Stops it abruptly: its task is cancelled in the middle of whatever it does, with no graceful
        /// shutdown — the closest an operator in this process comes to a SIGKILL.
        func kill() async {
            task.cancel()
            _ = await task.result
        }
    }

    /// Starts the operator (the test settings, then `configure`'s); stop it with ``RunningOperator/stop()``.
    func startOperator(configure: (inout OperatorOptions) -> Void) -> RunningOperator {
        var options = OperatorOptions(manager: ManagerConfiguration(healthProbeAddress: nil, metricsAddress: nil))
        options.engine.transfer.image = "ghcr.io/ms2m/checkpoint-transfer:test"
        options.engine.replayPollInterval = .milliseconds(50)
        options.engine.transfer.backoffLimit = 0
        configure(&options)
        let operatorClient = KubeClient(configuration: ClientConfiguration(server: server.baseURL, userAgent: Self.operatorUserAgent, rateLimit: nil))
        let manager = OperatorAssembly.makeManager(
            api: operatorClient, brokers: brokers, images: RegistryImageDeleter(logger: quiet), options: options, logger: quiet)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: manager)], logger: quiet))
        return RunningOperator(group: group, task: Task { try await group.run() })
    }

    // MARK: Workload

    /// The sample consumer's container; `queue` nil gives each pod its own queue, named after the pod.
    func consumerContainer(queue: String?) -> Container {
        let queueVariable = queue.map { EnvVar(name: "QUEUE_NAME", value: $0) }
            ?? EnvVar(name: "QUEUE_NAME", valueFrom: ["fieldRef": ["fieldPath": "metadata.name"]])
        var c = Container(name: "consumer", image: Self.consumerImage, env: [
            EnvVar(name: "AMQP_URL", value: brokerURL), queueVariable,
            EnvVar(name: "EXCHANGE_NAME", value: "$(QUEUE_NAME).fanout"), EnvVar(name: "PREFETCH", value: "20"),
        ])
        c.resources = ResourceRequirements(requests: ["cpu": "100m", "memory": "64Mi"])
        return c
    }

    static func exchange(for queue: String) -> String { "\(queue).fanout" }

    @discardableResult
    func createBarePod(_ name: String, node: String, queue: String) async throws -> Pod {
        var spec = PodSpec(containers: [consumerContainer(queue: queue)])
        spec.nodeName = node  // pinned like a pod placed by hand (a nodeSelector would also bind the target)
        return try await client.create(Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: ["app": name]), spec: spec), namespace: "default", options: WriteOptions())
    }

    @discardableResult
    func createStatefulSet(_ name: String, replicas: Int) async throws -> StatefulSet {
        var podSpec = PodSpec(containers: [consumerContainer(queue: nil)])
        podSpec.nodeSelector = nil
        podSpec.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "kubernetes.io/hostname", operator: .in, values: ["node-a", "node-b", "node-c"])])
        ])))
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: podSpec)
        var spec = StatefulSetSpec(selector: LabelSelector(matchLabels: ["app": name]), template: template)
        spec.replicas = replicas
        spec.serviceName = name
        spec.podManagementPolicy = "Parallel"
        return try await client.create(StatefulSet(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
    }

    func pod(_ name: String) async throws -> Pod? {
        do { return try await client.get(Pod.self, name: name, namespace: "default") } catch where KubernetesErrors.isNotFound(error) { return nil }
    }

    /// Waits until `condition` holds, checking every 50 ms.
    func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    func waitForRunning(_ name: String) async throws {
        try await waitUntil("pod \(name) running and ready") {
            guard let p = try await pod(name) else { return false }
            return p.status?.phase == .running && p.isReady
        }
    }

    /// The sample consumer running in pod `name`.
    func consumer(_ name: String) async -> CounterConsumer? {
        (await cluster.process(namespace: "default", pod: name, container: "consumer") as? SampleConsumerProcess)?.consumer
    }

    // MARK: Migration

    func migrationSpec(source: String, target: String?, queue: String, strategy: String? = nil) -> StatefulMigrationSpec {
        var spec = StatefulMigrationSpec(
            sourcePod: source, containerName: "consumer", targetNode: target,
            checkpointImageRepository: "\(registry.host)/checkpoints", replayCutoffSeconds: 20, migrationStrategy: strategy,
            messageQueueConfig: MessageQueueConfig(queueName: queue, brokerUrl: brokerURL, exchangeName: Self.exchange(for: queue)))
        spec.registry = RegistryOptions(insecure: true)
        return spec
    }

    func migrate(_ name: String, spec: StatefulMigrationSpec, timeout: Duration = .seconds(90)) async throws -> StatefulMigration {
        _ = try await client.create(StatefulMigration(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
        return try await waitForFinal(name, timeout: timeout)
    }

    func migration(_ name: String) async throws -> StatefulMigration {
        try await client.get(StatefulMigration.self, name: name, namespace: "default")
    }

    func waitForFinal(_ name: String, timeout: Duration = .seconds(90)) async throws -> StatefulMigration {
        var last: StatefulMigration?
        try await waitUntil("migration \(name) to finish", timeout: timeout) {
            last = try await client.get(StatefulMigration.self, name: name, namespace: "default")
            return last?.status?.phase?.isFinal == true
        }
        return last!
    }

    /// Files left in the checkpoint directory of `node`.
    func checkpointArchives(on node: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: cluster.localPath("/var/lib/kubelet/checkpoints", on: node))) ?? []
    }
}
