import AMQPBroker
import ControllerRuntime
import Foundation
import InProcessBroker
import KubeClient
import KubeModel
import KubeSim
import Logging
import MigrationAPI
import MigrationEngine
import OperatorAssembly
import OperatorCore
import PolicyEngine
import SampleWorkload
import ServiceLifecycle
import Synchronization
import WebhookServer
import SimCluster
import TransferAgent
import Unstructured
import YAMLCodec

/// What a simulation run is told, beyond its scenario.
struct SimulationSettings: Sendable {
    var scenario: SimulationScenario
    /// Messages per second per replica; nil keeps the scenario's rate.
    var rate: Double?
    /// Overrides of the scenario's `warmupSeconds` / `settleSeconds`.
    var warmup: Duration?
    var settle: Duration?
    /// Create the StatefulMigrations directly instead of letting the MigrationPolicy controller plan them.
    var manual = false
    /// A real broker (`amqp://…`) instead of the in-process one.
    var amqpURL: String?
    /// A real registry (`host:port`) instead of the OCI image-layout directory.
    var registry: String?
    /// Talk plain HTTP to `registry`.
    var insecureRegistry = false
    /// The CRD directory; nil finds `config/crd/bases` in the package.
    var crdDirectory: String?
    /// The checkpoint-transfer binary; nil locates it (`TransferProgram.locateBinary()`).
    var transferBinary: String?
    /// Logs of every component (to standard error); nil keeps them quiet.
    var logLevel: Logger.Level?
    /// Run `ms2m-agent` on every node (as its DaemonSet would) and let the operator transfer through the
    /// agents (`--transfer-mode agent`); false: every transfer runs as a Job.
    var transferAgents = false
    /// The nodes that run an agent (nil: every node), to simulate a node whose agent is missing.
    var agentNodes: Set<String>?

    init(scenario: SimulationScenario) { self.scenario = scenario }
}

/// `ms2m simulate`'s core: a whole MS2M installation in this process — KubeSim with the real CRDs, a
/// simulated cluster of CRI-O nodes running the sample consumer, a broker, the operator as `ms2m-operator`
/// builds it — a node drained under load, and a verdict on every message and every leftover.
struct Simulation: Sendable {
    static let namespace = "default"
    static let containerName = "consumer"
    /// The default names of a workload's sidecar and init container.
    static let sidecarName = "ledger"
    static let initName = "prepare"
    static let inProcessBrokerURL = "amqp://guest:guest@broker.ms2m-sim.local:5672/"
    static let transferImage = "ghcr.io/ms2m/checkpoint-transfer:simulated"

    let settings: SimulationSettings
    let events: @Sendable (SimulationEvent) -> Void

    init(settings: SimulationSettings, events: @escaping @Sendable (SimulationEvent) -> Void = { _ in }) {
        self.settings = settings
        self.events = events
    }

    private var scenario: SimulationScenario { settings.scenario }
    private var logger: Logger {
        guard let level = settings.logLevel else { return Logger(label: "ms2m.simulate", factory: { _ in SwiftLogNoOpLogHandler() }) }
        var logger = Logger(label: "ms2m.simulate", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        return logger
    }

    /// Runs the scenario to its verdict. Throws only when the simulation cannot run (a missing file or binary,
    /// a cluster that never starts); a failed migration or a lost message is a verdict, not an error.
    func run() async throws -> SimulationReport {
        let started = ContinuousClock.now
        let transferBinary = try settings.transferBinary ?? Self.locateTransferBinary()
        let crds = try Self.loadCRDs(from: settings.crdDirectory)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-simulate-\(UUID().uuidString.prefix(8))").path
        let layout = root + "/oci-layout"
        try FileManager.default.createDirectory(atPath: layout, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        let brokers: any MessageBrokerConnecting
        let brokerURL: String
        var rabbit: RabbitMQBrokerPool?
        if let url = settings.amqpURL {
            let pool = RabbitMQBrokerPool(logger: logger)
            (brokers, brokerURL, rabbit) = (pool, url, pool)
        } else {
            (brokers, brokerURL) = (InProcessBrokerConnector(), Self.inProcessBrokerURL)
        }
        let imageSource: SimImageSource
        let repository: String
        if let registry = settings.registry {
            imageSource = .registry(plainHTTP: settings.insecureRegistry, caFile: nil, username: nil, password: nil)
            repository = "\(registry)/ms2m/checkpoints"
        } else {
            imageSource = .ociLayout(directory: layout)
            repository = "oci:\(layout)"
        }

        let server = KubeSimServer(configuration: KubeSimConfiguration())
        try await server.start()
        events(.step("Started the Kubernetes API emulator at \(server.baseURL)"))
        let faults = SimFaults()
        scenario.cluster.applyFaults(to: faults)
        let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil), logger: logger)
        let agentEndpoints = SimAgentEndpoints()
        var programs = SimProgramBinding.samplePrograms(logger: logger)
        if settings.transferAgents {
            programs.append(SimProgramBinding(
                TransferAgentProgram.matcher,
                program: TransferAgentProgram.program(
                    authorizer: KubernetesAgentAuthorizer(reviews: client), endpoints: agentEndpoints, logger: logger)))
        }
        let cluster = SimulatedCluster(
            configuration: SimClusterConfiguration(
                nodes: scenario.cluster.nodeConfigurations, rootDirectory: root + "/cluster",
                programs: programs,
                transferBinary: transferBinary, imageSource: imageSource, brokers: brokers,
                podStartDelay: .milliseconds(20), leaseHeartbeatInterval: .seconds(2),
                readinessCheckInterval: .milliseconds(50), sharedHostPaths: settings.registry == nil ? [layout] : []),
            faults: faults, logger: logger)
        var running: Task<Void, any Error>?
        var group: ServiceGroup?
        do {
            for crd in crds { _ = try server.create(crd) }
            if let account = TransferJobSettings().serviceAccount(namespace: Self.namespace) { _ = try server.create(account) }
            try await waitUntil("the CRDs to be served", timeout: .seconds(10)) {
                (try? await client.list(StatefulMigration.self, namespace: Self.namespace, options: ListOptions(limit: 1))) != nil
            }
            try await cluster.start(server: server)
            events(.step("Started \(scenario.cluster.nodes.count) simulated CRI-O nodes: \(scenario.cluster.nodes.map(\.name).joined(separator: ", "))"))

            var options = OperatorOptions(manager: ManagerConfiguration(healthProbeAddress: nil, metricsAddress: nil))
            options.engine.transfer.image = Self.transferImage
            options.engine.transfer.backoffLimit = 0
            options.engine.replayPollInterval = .milliseconds(50)
            if scenario.drainsWithEvictions {
                _ = try server.create([
                    "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(Self.operatorNamespace)],
                ])
                options.webhook = Self.webhookOptions
            }
            var agents: HTTPTransferAgents?
            if settings.transferAgents {
                try await startAgents(client: client, layout: settings.registry == nil ? layout : nil)
                options.engine.transferAgents = TransferAgentSettings(namespace: Self.operatorNamespace, pollInterval: .milliseconds(50))
                agents = HTTPTransferAgents(
                    configuration: HTTPTransferAgents.Configuration(resolveURL: { agentEndpoints.url(for: $0) }),
                    tokens: TokenRequestAgentTokens(client: client, serviceAccount: Self.operatorServiceAccount, namespace: Self.operatorNamespace))
                events(.step("Started ms2m-agent on every node; the operator transfers through them (TokenReview and SubjectAccessReview by the emulator)"))
            }
            let operatorServices = OperatorAssembly.make(
                api: client, brokers: brokers, images: RegistryImageDeleter(logger: logger), agents: agents, options: options,
                logger: logger)
            let services = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: operatorServices.all.map { .init(service: $0) }, logger: logger))
            group = services
            running = Task { try await services.run() }
            events(.step("Started the operator (\(settings.amqpURL == nil ? "in-process broker" : "RabbitMQ at \(brokerURL)"), checkpoint images in \(repository))"))
            if scenario.drainsWithEvictions {
                try await installWebhook(operatorServices, server: server, client: client)
            }

            let report = try await drive(
                client: client, cluster: cluster, brokers: brokers, brokerURL: brokerURL, repository: repository,
                layout: settings.registry == nil ? layout : nil, started: started)
            await shutDown(group: group, running: running, cluster: cluster, server: server, rabbit: rabbit)
            return report
        } catch {
            await shutDown(group: group, running: running, cluster: cluster, server: server, rabbit: rabbit)
            throw error
        }
    }

    /// The operator's namespace (its webhook certificate Secret lives there).
    static let operatorNamespace = "ms2m-system"
    /// The operator's ServiceAccount, whose audience-bound token the agents accept.
    static let operatorServiceAccount = "ms2m-controller-manager"

    /// Installs the node agents as `config/agent` and `config/rbac` do — the operator's ServiceAccount granted
    /// `create` on `statefulmigrations/transfer`, one `ms2m-agent` pod per node (the DaemonSet's, made directly:
    /// the simulation has no DaemonSet controller) with the kubelet's checkpoint directory as a hostPath — and
    /// waits until every agent is Ready.
    private func startAgents(client: KubeClient, layout: String?) async throws {
        if (try? await client.get(Namespace.self, name: Self.operatorNamespace)) == nil {
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: Self.operatorNamespace)))
        }
        let accounts = ResourceDescriptor(group: "", version: "v1", resource: "serviceaccounts", namespaced: true)
        _ = try await client.create(accounts, [
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": ["name": .string(Self.operatorServiceAccount), "namespace": .string(Self.operatorNamespace)],
        ])
        _ = try await client.create(ClusterRole(
            metadata: ObjectMeta(name: "ms2m-transfer-caller"),
            rules: [PolicyRule(verbs: ["create"], apiGroups: ["migration.ms2m.io"], resources: ["statefulmigrations/transfer"])]))
        _ = try await client.create(ClusterRoleBinding(
            metadata: ObjectMeta(name: "ms2m-transfer-caller"),
            subjects: [Subject(kind: "ServiceAccount", name: Self.operatorServiceAccount, namespace: Self.operatorNamespace)],
            roleRef: RoleRef(kind: "ClusterRole", name: "ms2m-transfer-caller")))
        let directory = TransferJobBuilder.defaultCheckpointDirectory
        var names: [String] = []
        for node in scenario.cluster.nodes.map(\.name) where settings.agentNodes?.contains(node) ?? true {
            var args = ["--checkpoint-directory", directory]
            if let layout { args += ["--allow-oci-layout-root", layout] }
            var container = Container(name: "agent", image: Self.agentImage, args: args)
            container.env = [EnvVar(name: "POD_IP", valueFrom: ["fieldRef": ["fieldPath": "status.podIP"]])]
            container.volumeMounts = [VolumeMount(name: "checkpoints", mountPath: directory)]
            var spec = PodSpec(containers: [container], volumes: [Volume.hostPath(name: "checkpoints", path: directory, type: "DirectoryOrCreate")])
            spec.nodeName = node
            spec.tolerations = [Toleration(operator: .exists)]
            let name = "ms2m-agent-\(node)"
            names.append(name)
            _ = try await client.create(
                Pod(metadata: ObjectMeta(name: name, namespace: Self.operatorNamespace, labels: ["app.kubernetes.io/name": "ms2m-agent"]), spec: spec),
                namespace: Self.operatorNamespace, options: WriteOptions())
        }
        for name in names {
            try await waitUntil("agent \(name) to be ready", timeout: .seconds(30)) {
                let pod = try? await client.get(Pod.self, name: name, namespace: Self.operatorNamespace)
                return pod?.status?.phase == .running && pod?.isReady == true
            }
        }
    }

    /// The agent's image in the simulation (the program ``TransferAgentProgram`` runs).
    static let agentImage = "registry.local/ms2m/ms2m-agent:1"
    /// The eviction webhook configuration (`config/webhook/manifests.yaml`).
    static let webhookConfigurationName = "ms2m-eviction-webhook"

    /// The eviction webhook on loopback with the operator's own certificate, valid for 127.0.0.1.
    static var webhookOptions: WebhookOptions {
        WebhookOptions(
            server: AdmissionWebhookServer.Configuration(address: BindAddress(host: "127.0.0.1", port: 0)),
            certificates: .selfManaged(WebhookCertificateManager.SecretOptions(
                secretName: "ms2m-webhook-server-cert", namespace: operatorNamespace,
                policy: CertificatePolicy(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], caCommonName: "ms2m simulate webhook CA"),
                validatingWebhookConfigurations: [webhookConfigurationName])),
            scope: WebhookOptions.Scope(configuration: webhookConfigurationName, operatorNamespace: operatorNamespace))
    }

    /// Registers the eviction webhook with the emulator as `config/webhook/manifests.yaml` ships it, its
    /// client config pointed at the operator on loopback (no Service routing here), and waits until the
    /// operator has put its CA into `caBundle`.
    private func installWebhook(_ services: OperatorServices, server: KubeSimServer, client: KubeClient) async throws {
        guard let webhookServer = services.webhookServer, let port = await webhookServer.waitUntilListening() else {
            throw SimulationError.setup("the operator's eviction webhook did not start")
        }
        var configuration = try Self.loadWebhookConfiguration()
        var webhooks = configuration["webhooks"]?.arrayValue ?? []
        for index in webhooks.indices {
            webhooks[index]["clientConfig"] = [
                "url": .string("https://127.0.0.1:\(port)\(EvictionWebhook.path)")
            ]
        }
        configuration["webhooks"] = .array(webhooks)
        _ = try server.create(configuration)
        services.certificateManager?.reconcileNow()
        try await waitUntil("the operator to inject the webhook's CA bundle", timeout: .seconds(20)) {
            let stored = try? await client.get(ValidatingWebhookConfiguration.self, name: Self.webhookConfigurationName)
            return stored?.webhooks?.allSatisfy { $0.clientConfig.caBundle?.isEmpty == false } == true
        }
        events(.step("Registered the eviction webhook (config/webhook) at https://127.0.0.1:\(port)\(EvictionWebhook.path)"))
    }

    /// Waits until the operator has scoped the eviction webhook to include `namespace` (it narrows the
    /// webhook's namespaceSelector to what intercepting policies cover, so a policy just created is covered a
    /// moment later; an eviction before that would not reach the webhook).
    private func waitUntilWebhookCovers(_ namespace: String, client: KubeClient) async throws {
        try await waitUntil("the eviction webhook to cover namespace \(namespace)", timeout: .seconds(20)) {
            try await Self.webhookCovers(namespace, client: client)
        }
    }

    /// Whether every webhook of the eviction webhook configuration selects `namespace`.
    static func webhookCovers(_ namespace: String, client: KubeClient) async throws -> Bool {
        let labels = try await client.get(Namespace.self, name: namespace).metadata.labels ?? [:]
        let stored = try await client.get(ValidatingWebhookConfiguration.self, name: webhookConfigurationName)
        return stored.webhooks?.allSatisfy { $0.namespaceSelector?.matches(labels) ?? true } == true
    }

    /// `config/webhook/manifests.yaml` of the package this binary was built from.
    static func loadWebhookConfiguration() throws -> JSONValue {
        let candidates = PackageLocation.candidates(relative: "config/webhook/manifests.yaml")
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw SimulationError.setup("the webhook configuration is not in \(candidates.joined(separator: " or "))")
        }
        do { return try YAML.parse(try String(contentsOfFile: path, encoding: .utf8)) } catch {
            throw SimulationError.setup("cannot read \(path): \(error)")
        }
    }

    private func shutDown(
        group: ServiceGroup?, running: Task<Void, any Error>?, cluster: SimulatedCluster, server: KubeSimServer,
        rabbit: RabbitMQBrokerPool?
    ) async {
        await group?.triggerGracefulShutdown()
        _ = await running?.result
        await cluster.shutdown()
        try? await server.shutdown()
        await rabbit?.shutdown()
    }

    // MARK: The run

    /// One replica of a workload: its pod, queue and producer.
    private struct Replica: Sendable {
        var workload: String
        var pod: String
        var queue: String
        var rate: Double
        var producer: Producer?
    }

    private func drive(
        client: KubeClient, cluster: SimulatedCluster, brokers: any MessageBrokerConnecting, brokerURL: String,
        repository: String, layout: String?, started: ContinuousClock.Instant
    ) async throws -> SimulationReport {
        // The workloads, each replica with its own queue.
        var replicas: [Replica] = []
        for workload in scenario.cluster.workloads ?? [] {
            let set = statefulSet(for: workload, brokerURL: brokerURL)
            _ = try await client.create(set, namespace: Self.namespace, options: WriteOptions())
            for ordinal in 0..<(workload.replicas ?? 1) {
                let pod = "\(workload.name)-\(ordinal)"
                let queue = workload.producer!.queue.replacingOccurrences(of: SimulationScenario.podNamePlaceholder, with: pod)
                replicas.append(Replica(workload: workload.name, pod: pod, queue: queue, rate: settings.rate ?? workload.producer!.ratePerSecond))
            }
        }
        for replica in replicas {
            try await waitUntil("pod \(replica.pod) to run and be ready", timeout: .seconds(60)) {
                let pod = try? await client.get(Pod.self, name: replica.pod, namespace: Self.namespace)
                return pod?.status?.phase == .running && pod?.isReady == true
            }
            // The per-pod queue and exchange, as a MigrationPolicy reads them (the template names one queue).
            _ = try await client.patch(
                Pod.self, name: replica.pod, namespace: Self.namespace,
                patch: .merge(["metadata": ["annotations": [
                    PodOverrideAnnotation.queueName: .string(replica.queue),
                    PodOverrideAnnotation.exchangeName: .string(Self.exchange(for: replica.queue)),
                ]]]))
        }
        try await startDeployments(client: client)
        let placement = try await nodesOfPods(client: client)
        events(.step("Placed \(replicas.count) consumers: " + replicas.map { "\($0.pod) on \(placement[$0.pod] ?? "?")" }.joined(separator: ", ")))

        // Producers and the monitor.
        for index in replicas.indices {
            replicas[index].producer = Producer(
                brokers: brokers, brokerURL: brokerURL, exchange: Self.exchange(for: replicas[index].queue),
                queue: replicas[index].queue, rate: replicas[index].rate, idPrefix: replicas[index].pod, logger: logger)
        }
        let producing = replicas.map { replica in Task { try await replica.producer!.run(count: nil) } }
        let monitor = WorkloadMonitor()
        let sampled = replicas
        let monitoring = Task { await watch(replicas: sampled, client: client, cluster: cluster, monitor: monitor) }
        let rates = Set(replicas.map(\.rate)).map { String(format: "%g", $0) }.joined(separator: "/")
        events(.step("Producing \(rates) messages/s to each consumer's exchange"))
        try await Task.sleep(for: settings.warmup ?? scenario.warmup)

        // The sidecars' state before anything moves.
        var ledgersBefore: [String: StatusLedgerState] = [:]
        for replica in replicas where sidecarName(of: replica) != nil {
            guard let state = await ledger(of: replica, in: cluster), state.samples > 0 else {
                throw SimulationError.setup("the sidecar of \(replica.pod) has not polled its consumer during the warm-up")
            }
            ledgersBefore[replica.pod] = state
        }

        // The drain.
        let drainNode = scenario.drainNode
        let onDrainNode = replicas.filter { placement[$0.pod] == drainNode }
        var policy = try SimulationPolicy.make(repository: repository, brokerURL: brokerURL, insecureRegistry: settings.insecureRegistry)
        var draining: Task<NodeDrainer.Result, any Error>?
        var mode = settings.manual ? "manual" : "policy"
        if scenario.drainsWithEvictions {
            // kubectl drain: the policy is in place first; the drain cordons and evicts, the webhook answers.
            if settings.manual { throw SimulationError.setup("--manual cannot be combined with a kubectl drain scenario") }
            if scenario.run.drain?.cordonTrigger == false { policy.spec.triggers?.cordon = false }
            _ = try await client.create(policy, namespace: nil, options: WriteOptions())
            guard try await policyControllerAnswers(client: client, name: policy.metadata.name ?? "default") else {
                throw SimulationError.setup("the MigrationPolicy controller did not answer; a kubectl drain needs it")
            }
            try await waitUntilWebhookCovers(Self.namespace, client: client)
            events(.step("Applied MigrationPolicy \(policy.metadata.name ?? "default") (cordon trigger \(policy.spec.triggers?.cordon == true ? "on" : "off"), eviction trigger on); the eviction webhook covers namespace \(Self.namespace)"))
            draining = Task { try await drainLikeKubectl(drainNode, client: client) }
            events(.step("Draining \(drainNode) as kubectl drain does (\(onDrainNode.count) consumer pod(s) on it)"))
        } else {
            _ = try await client.patch(Node.self, name: drainNode, patch: .merge(["spec": ["unschedulable": true]]))
            events(.step("Cordoned \(drainNode) (\(onDrainNode.count) consumer pod(s) on it)"))
            if !settings.manual {
                _ = try await client.create(policy, namespace: nil, options: WriteOptions())
                if try await policyControllerAnswers(client: client, name: policy.metadata.name ?? "default") {
                    events(.step("Applied MigrationPolicy \(policy.metadata.name ?? "default"); its controller plans the migrations"))
                } else {
                    mode = "manual"
                    events(.step("No MigrationPolicy controller runs in this build: creating the migrations its template describes (as --manual)"))
                    try await client.delete(MigrationPolicy.self, name: policy.metadata.name ?? "default")
                }
            }
        }
        let progress = Task { await reportProgress(client: client) }
        let nodeLoss = scenario.run.loseTargetNode.map { loss in
            Task { await loseTargetNode(in: loss.phase, client: client, cluster: cluster) }
        }
        defer { nodeLoss?.cancel() }
        if mode == "manual" {
            try await migrateManually(onDrainNode, client: client, template: policy.spec.template ?? MigrationTemplate(), policyName: policy.metadata.name ?? "default")
        } else {
            try await waitForPolicyMigrations(
                expected: onDrainNode.count, attempts: Int(max(1, policy.spec.fallback?.afterFailures ?? 3)), client: client)
        }
        var drain: SimulationReport.Drain?
        if let draining {
            let readiness = Task { await lowestReadyDeploymentPods(client: client) }
            let result = try await draining.value
            readiness.cancel()
            drain = SimulationReport.Drain(
                completed: result.completed, seconds: result.seconds, evictionsRefused: result.evictionsRefused,
                evicted: result.evicted, error: result.error, minimumReady: await readiness.value)
            events(.step("The drain \(result.completed ? "completed" : "did not complete") after \(String(format: "%.1f", result.seconds)) s: \(result.evictionsRefused) eviction(s) refused, evicted: \(result.evicted.isEmpty ? "none" : result.evicted.joined(separator: ", "))"))
        }
        progress.cancel()
        _ = await progress.value
        events(.migrations(try await migrationProgress(client: client)))

        // Settle, stop producing, let every consumer catch up.
        try await Task.sleep(for: settings.settle ?? scenario.settle)
        for replica in replicas { await replica.producer!.stop() }
        for task in producing { _ = await task.result }
        var produced: [String: Int] = [:]
        for replica in replicas { produced[replica.pod] = await replica.producer!.published }
        events(.step("Stopped the producers after \(produced.values.reduce(0, +)) messages; waiting for the consumers to apply them"))
        let catchUp = ContinuousClock.now + min(scenario.timeout, .seconds(60))
        while ContinuousClock.now < catchUp {
            var behind = false
            for replica in replicas {
                let applied = await consumer(replica.pod, in: cluster)?.status.count ?? -1
                if applied < Int64(produced[replica.pod] ?? 0) { behind = true }
            }
            if !behind { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        monitoring.cancel()
        _ = await monitoring.value

        // The verdict.
        let after = try await nodesOfPods(client: client)
        let sidecars = try await sidecarReports(replicas, before: ledgersBefore, cluster: cluster)
        var consumers: [SimulationReport.Consumer] = []
        for replica in replicas {
            let state = await consumer(replica.pod, in: cluster)?.state
            let count = produced[replica.pod] ?? 0
            var lost: [String] = []
            if let state {
                for number in stride(from: 1, through: count, by: 1) where !state.hasApplied("\(replica.pod)-\(number)") {
                    lost.append("\(replica.pod)-\(number)")
                }
            } else {
                lost = (0..<count).map { "\(replica.pod)-\($0 + 1)" }
            }
            let downtime = monitor.downtime(of: replica.pod)
            consumers.append(SimulationReport.Consumer(
                pod: replica.pod, queue: replica.queue, nodeBefore: placement[replica.pod], nodeAfter: after[replica.pod],
                produced: count, applied: state?.count ?? 0, duplicatesSkipped: state?.duplicatesSkipped ?? 0, lost: lost.count,
                lostExamples: Array(lost.prefix(10)), longestApplyGapSeconds: downtime.longestGap, notReadySeconds: downtime.notReady,
                sidecar: sidecars[replica.pod]))
        }
        let migrations = try await migrationReports(client: client)
        let leftovers = try await leftovers(
            client: client, cluster: cluster, brokers: brokers, brokerURL: brokerURL, replicas: replicas, layout: layout)

        var problems: [String] = []
        if onDrainNode.isEmpty { problems.append("no consumer pod ran on \(drainNode), so nothing was migrated") }
        for c in consumers where c.lost > 0 { problems.append("\(c.pod) lost \(c.lost) of \(c.produced) messages (e.g. \(c.lostExamples.prefix(3).joined(separator: ", ")))") }
        for c in consumers where c.applied > Int64(c.produced) { problems.append("\(c.pod) applied \(c.applied) messages but only \(c.produced) were produced") }
        for c in consumers {
            guard let sidecar = c.sidecar else { continue }
            let name = "\(c.pod)/\(sidecar.container)"
            if !sidecar.instanceKept { problems.append("sidecar \(name) started empty: its state did not survive the migration") }
            if sidecar.samplesAfter < sidecar.samplesBefore { problems.append("sidecar \(name) went from \(sidecar.samplesBefore) samples back to \(sidecar.samplesAfter)") }
            if sidecar.regressions > 0 { problems.append("sidecar \(name) saw the consumer's applied count go back \(sidecar.regressions) time(s)") }
            if sidecar.lastApplied != c.applied { problems.append("sidecar \(name) last saw \(sidecar.lastApplied) messages applied; the consumer applied \(c.applied)") }
        }
        let expectsFailure = scenario.expectsFailure
        for m in migrations where m.phase == MigrationPhase.failed.rawValue && !expectsFailure {
            problems.append("migration \(m.name) failed in \(m.failureReason ?? "?"): \(m.failureMessage ?? "")")
        }
        for m in migrations where m.phase == MigrationPhase.completed.rawValue && expectsFailure {
            problems.append("migration \(m.name) completed, but the scenario expects its migrations to fail")
        }
        if expectsFailure, migrations.isEmpty { problems.append("the scenario expects failed migrations, and none ran") }
        if let least = scenario.run.expect?.minRestoreAttempts {
            for m in migrations where (m.restoreAttempts ?? 0) < least {
                problems.append("migration \(m.name) made \(m.restoreAttempts ?? 0) restore attempt(s); the scenario expects at least \(least)")
            }
        }
        for m in migrations where m.phase != MigrationPhase.failed.rawValue && m.phase != MigrationPhase.completed.rawValue {
            problems.append("migration \(m.name) did not finish (phase \(m.phase))")
        }
        if migrations.count < onDrainNode.count { problems.append("\(onDrainNode.count - migrations.count) pod(s) on \(drainNode) got no migration") }
        if let drain {
            if !drain.completed { problems.append("the drain did not complete: \(drain.error ?? "?")") }
            let covered = Set(replicas.map { "\(Self.namespace)/\($0.pod)" })
            for pod in drain.evicted where covered.contains(pod) {
                problems.append("\(pod) was evicted, not live-migrated")
            }
            for deployment in scenario.run.deployments ?? [] {
                guard let budget = deployment.minAvailable, let lowest = drain.minimumReady[deployment.name], lowest < budget
                else { continue }
                problems.append("deployment \(deployment.name) fell to \(lowest) ready pod(s) during the drain, below its PodDisruptionBudget's minAvailable \(budget)")
            }
        }
        problems += leftovers.all.map { "left behind: \($0)" }
        return SimulationReport(
            scenario: scenario.source, mode: mode, drainNode: drainNode,
            broker: settings.amqpURL == nil ? "in-process" : brokerURL,
            checkpointImages: layout.map { "OCI layout \($0)" } ?? repository,
            migrations: migrations, consumers: consumers, leftovers: leftovers, problems: problems,
            elapsedSeconds: (ContinuousClock.now - started).seconds, drain: drain)
    }

    // MARK: Workload

    static func exchange(for queue: String) -> String { "\(queue).fanout" }

    /// The image of the Deployments' idle containers.
    static let idleImage = "registry.local/pause:3.9"
    /// The label marking the scenario's Deployment pods.
    static let deploymentLabel = "ms2m.io/simulated-deployment"

    /// Whether `pod` belongs to one of the scenario's Deployments.
    static func isDeploymentPod(_ pod: Pod) -> Bool { pod.metadata.labels?[deploymentLabel] != nil }

    /// Creates each Deployment of the scenario — the Deployment object and, as its controller would, its
    /// ReplicaSet (`pod-template-hash`) — and its PodDisruptionBudget, and waits until their pods are ready.
    private func startDeployments(client: KubeClient) async throws {
        for deployment in scenario.run.deployments ?? [] {
            let replicas = deployment.replicas ?? 1
            let labels = ["app": deployment.name, Self.deploymentLabel: deployment.name]
            var container = Container(name: "app", image: Self.idleImage)
            container.resources = ResourceRequirements(requests: ["cpu": "50m", "memory": "16Mi"])
            let template = PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [container]))
            let created = try await client.create(
                Deployment(
                    metadata: ObjectMeta(name: deployment.name, namespace: Self.namespace, labels: labels),
                    spec: DeploymentSpec(replicas: replicas, selector: LabelSelector(matchLabels: labels), template: template)),
                namespace: Self.namespace, options: WriteOptions())
            let hash = "5d8f7c9b6"
            var setLabels = labels
            setLabels["pod-template-hash"] = hash
            var setTemplate = template
            setTemplate.metadata?.labels = setLabels
            let owner = OwnerReference(
                apiVersion: "apps/v1", kind: "Deployment", name: deployment.name, uid: created.metadata.uid ?? "",
                controller: true, blockOwnerDeletion: true)
            _ = try await client.create(
                ReplicaSet(
                    metadata: ObjectMeta(
                        name: "\(deployment.name)-\(hash)", namespace: Self.namespace, labels: setLabels, ownerReferences: [owner]),
                    spec: ReplicaSetSpec(replicas: replicas, selector: LabelSelector(matchLabels: setLabels), template: setTemplate)),
                namespace: Self.namespace, options: WriteOptions())
            if let minimum = deployment.minAvailable {
                _ = try await client.create(
                    PodDisruptionBudget(
                        metadata: ObjectMeta(name: deployment.name, namespace: Self.namespace),
                        spec: PodDisruptionBudgetSpec(minAvailable: .int(minimum), selector: LabelSelector(matchLabels: labels))),
                    namespace: Self.namespace, options: WriteOptions())
            }
            try await waitUntil("deployment \(deployment.name)'s \(replicas) pod(s) to be ready", timeout: .seconds(60)) {
                let pods = try await client.list(
                    Pod.self, namespace: Self.namespace, options: ListOptions(labelSelector: "\(Self.deploymentLabel)=\(deployment.name)"))
                return pods.items.filter { $0.status?.phase == .running && $0.isReady }.count >= replicas
            }
            events(.step("Started Deployment \(deployment.name) (\(replicas) idle pod(s)\(deployment.minAvailable.map { ", PodDisruptionBudget minAvailable \($0)" } ?? ""))"))
        }
    }

    /// The fewest ready (and not terminating) pods each Deployment had, sampled every 50 ms until cancelled:
    /// what its PodDisruptionBudget must keep up while the drain evicts.
    private func lowestReadyDeploymentPods(client: KubeClient) async -> [String: Int] {
        let names = (scenario.run.deployments ?? []).map(\.name)
        var lowest: [String: Int] = [:]
        while !Task.isCancelled {
            if let pods = try? await client.list(
                Pod.self, namespace: Self.namespace, options: ListOptions(labelSelector: Self.deploymentLabel)).items
            {
                for name in names {
                    let ready = pods.filter {
                        $0.metadata.labels?[Self.deploymentLabel] == name && $0.metadata.deletionTimestamp == nil
                            && $0.status?.phase == .running && $0.isReady
                    }.count
                    lowest[name] = min(lowest[name] ?? ready, ready)
                }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return lowest
    }

    /// `kubectl drain` of `node`: cordon, evict every pod with kubectl's retries (the first refusal of each
    /// pod and every eviction shown as a step).
    private func drainLikeKubectl(_ node: String, client: KubeClient) async throws -> NodeDrainer.Result {
        var options = NodeDrainer.Options()
        options.timeout = .seconds(scenario.run.drain?.timeoutSeconds ?? scenario.run.timeoutSeconds ?? 180)
        options.retryInterval = .milliseconds(Int64((scenario.run.drain?.retrySeconds ?? 5) * 1000))
        let shown = Mutex<Set<String>>([])
        let events = self.events
        let drainer = NodeDrainer(api: client, options: options) { line in
            // Repeated refusals of one pod say the same thing every few seconds: show the first.
            if line.hasPrefix("error when evicting") {
                let pod = line.split(separator: " ").dropFirst(3).first.map(String.init) ?? line
                guard shown.withLock({ $0.insert(pod).inserted }) else { return }
            }
            events(.step("drain: \(line)"))
        }
        return try await drainer.drain(node: node)
    }

    private func statefulSet(for workload: SimScenario.Workload, brokerURL: String) -> StatefulSet {
        let labels = ["app": workload.name]
        var env = [
            EnvVar(name: "POD_NAME", valueFrom: ["fieldRef": ["fieldPath": "metadata.name"]]),
            EnvVar(name: "AMQP_URL", value: brokerURL),
            EnvVar(name: "QUEUE_NAME", value: workload.producer?.queue ?? SimulationScenario.podNamePlaceholder),
            EnvVar(name: "EXCHANGE_NAME", value: "$(QUEUE_NAME).fanout"),
            EnvVar(name: "PREFETCH", value: "20"),
        ]
        for (name, value) in (workload.env ?? [:]).sorted(by: { $0.key < $1.key }) {
            env.removeAll { $0.name == name }
            env.append(EnvVar(name: name, value: value))
        }
        var container = Container(name: Self.containerName, image: workload.image, env: env)
        container.resources = ResourceRequirements(requests: ["cpu": "100m", "memory": "64Mi"])
        var podSpec = PodSpec(containers: [container])
        var initContainers: [Container] = []
        if let prepare = workload.initContainer {
            initContainers.append(Container(name: prepare.name ?? Self.initName, image: prepare.image, args: prepare.args))
        }
        if let sidecar = workload.sidecar {
            // The status ledger polls the consumer over the pod's localhost, as a sidecar does.
            var ledger = Container(
                name: sidecar.name ?? Self.sidecarName, image: sidecar.image,
                args: sidecar.args ?? ["--status-url", "http://127.0.0.1:8080/status", "--interval-ms", "100"])
            ledger.restartPolicy = "Always"
            ledger.resources = ResourceRequirements(requests: ["cpu": "10m", "memory": "16Mi"])
            initContainers.append(ledger)
        }
        if !initContainers.isEmpty { podSpec.initContainers = initContainers }
        var annotations: [String: String]?
        if let sidecar = workload.sidecar, sidecar.checkpointed == false {
            annotations = [PodOverrideAnnotation.freshContainers: sidecar.name ?? Self.sidecarName]
        }
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: labels, annotations: annotations), spec: podSpec)
        var spec = StatefulSetSpec(selector: LabelSelector(matchLabels: labels), template: template)
        spec.replicas = workload.replicas ?? 1
        spec.serviceName = workload.name
        spec.podManagementPolicy = "Parallel"
        return StatefulSet(metadata: ObjectMeta(name: workload.name, namespace: Self.namespace, labels: labels), spec: spec)
    }

    private func consumer(_ pod: String, in cluster: SimulatedCluster) async -> CounterConsumer? {
        (await cluster.process(namespace: Self.namespace, pod: pod, container: Self.containerName) as? SampleConsumerProcess)?.consumer
    }

    /// The state of `replica`'s sidecar ledger, when its workload has one and it runs.
    private func ledger(of replica: Replica, in cluster: SimulatedCluster) async -> StatusLedgerState? {
        guard let name = sidecarName(of: replica) else { return nil }
        return (await cluster.process(namespace: Self.namespace, pod: replica.pod, container: name) as? SampleLedgerProcess)?.ledger.state
    }

    /// The name of the sidecar of `replica`'s workload, if it has one.
    private func sidecarName(of replica: Replica) -> String? {
        scenario.cluster.workloads?.first { $0.name == replica.workload }?.sidecar.map { $0.name ?? Self.sidecarName }
    }

    /// Compares each replica's sidecar ledger at the end with its state before the drain (`before`), after
    /// giving it a moment to poll the consumer's final count.
    private func sidecarReports(
        _ replicas: [Replica], before: [String: StatusLedgerState], cluster: SimulatedCluster
    ) async throws -> [String: SimulationReport.Sidecar] {
        var reports: [String: SimulationReport.Sidecar] = [:]
        for replica in replicas {
            guard let name = sidecarName(of: replica), let earlier = before[replica.pod] else { continue }
            let applied = await consumer(replica.pod, in: cluster)?.status.count ?? -1
            var state = await ledger(of: replica, in: cluster)
            for _ in 0..<40 where state != nil && state!.lastApplied != applied {
                try await Task.sleep(for: .milliseconds(50))
                state = await ledger(of: replica, in: cluster)
            }
            reports[replica.pod] = SimulationReport.Sidecar(
                container: name, instanceKept: state?.instanceID == earlier.instanceID, samplesBefore: earlier.samples,
                samplesAfter: state?.samples ?? 0, lastApplied: state?.lastApplied ?? -1, regressions: state?.regressions ?? 0)
        }
        return reports
    }

    /// Pod name → node, for the pods of the namespace.
    private func nodesOfPods(client: KubeClient) async throws -> [String: String] {
        let pods = try await client.list(Pod.self, namespace: Self.namespace, options: ListOptions()).items
        var result: [String: String] = [:]
        for pod in pods { if let name = pod.metadata.name, let node = pod.spec?.nodeName { result[name] = node } }
        return result
    }

    /// Samples every consumer every 50 ms until cancelled.
    private func watch(replicas: [Replica], client: KubeClient, cluster: SimulatedCluster, monitor: WorkloadMonitor) async {
        while !Task.isCancelled {
            let pods = (try? await client.list(Pod.self, namespace: Self.namespace, options: ListOptions()).items) ?? []
            let ready = Set(pods.filter { $0.status?.phase == .running && $0.isReady && $0.metadata.deletionTimestamp == nil }.compactMap(\.metadata.name))
            let now = ContinuousClock.now
            for replica in replicas {
                let applied = await consumer(replica.pod, in: cluster)?.status.count
                let produced = await replica.producer?.published ?? 0
                monitor.record(pod: replica.pod, WorkloadMonitor.Sample(applied: applied, produced: produced, podReady: ready.contains(replica.pod)), at: now)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: Migrations

    /// Whether the MigrationPolicy controller reconciled the policy (wrote `status.observedGeneration`)
    /// within three seconds.
    private func policyControllerAnswers(client: KubeClient, name: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline {
            let policy = try await client.get(MigrationPolicy.self, name: name)
            if policy.status?.observedGeneration != nil { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Creates, per StatefulSet one at a time (the policy's `maxInFlightPerStatefulSet: 1`), the migration the
    /// policy would stamp for each pod on the drained node, and waits for each to finish.
    private func migrateManually(_ replicas: [Replica], client: KubeClient, template: MigrationTemplate, policyName: String) async throws {
        let byWorkload = Dictionary(grouping: replicas, by: \.workload)
        let timeout = scenario.timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (_, members) in byWorkload {
                group.addTask {
                    for replica in members.sorted(by: { $0.pod < $1.pod }) {
                        let pod = try await client.get(Pod.self, name: replica.pod, namespace: Self.namespace)
                        let stamped = template.migrationSpec(sourcePod: replica.pod, targetNode: nil, podAnnotations: pod.metadata.annotations ?? [:])
                        let name = ChildMigrationName.make(policy: policyName, pod: replica.pod, sourceUID: pod.metadata.uid ?? replica.pod)
                        _ = try await client.create(
                            StatefulMigration(metadata: ObjectMeta(name: name, namespace: Self.namespace), spec: stamped.spec),
                            namespace: Self.namespace, options: WriteOptions())
                        try await waitUntil("migration \(name) to finish", timeout: timeout) {
                            let migration = try? await client.get(StatefulMigration.self, name: name, namespace: Self.namespace)
                            return migration?.status?.phase?.isFinal == true
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Waits until every pod that was on the drained node is settled — its migration Completed, or `attempts`
    /// of them failed (the policy retries a failed migration up to `fallback.afterFailures` times) — and no
    /// migration is still running.
    private func waitForPolicyMigrations(expected: Int, attempts: Int, client: KubeClient) async throws {
        try await waitUntil("the policy's migrations to finish", timeout: scenario.timeout) {
            let items = (try? await client.list(StatefulMigration.self, namespace: Self.namespace, options: ListOptions()).items) ?? []
            var failures: [String: Int] = [:]
            var completed: Set<String> = []
            for item in items {
                if item.status?.phase == .completed { completed.insert(item.spec.sourcePod) }
                if item.status?.phase == .failed { failures[item.spec.sourcePod, default: 0] += 1 }
            }
            let settled = completed.union(failures.filter { $0.value >= attempts }.keys)
            return settled.count >= expected && items.allSatisfy { $0.status?.phase?.isFinal == true }
        }
    }

    /// Sends the migrations' progress every 200 ms until cancelled.
    private func reportProgress(client: KubeClient) async {
        while !Task.isCancelled {
            if let progress = try? await migrationProgress(client: client), !progress.isEmpty { events(.migrations(progress)) }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func migrationProgress(client: KubeClient) async throws -> [MigrationProgress] {
        let items = try await client.list(StatefulMigration.self, namespace: Self.namespace, options: ListOptions()).items
        let now = Date()
        return items.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.map { m in
            let phases = (m.status?.phaseTimings ?? [:]).compactMapValues(goDurationSeconds)
            // Timestamps have whole seconds, phase timings and the phase start have finer ones: the time so far
            // is the finished phases plus the current one.
            var elapsed = phases.values.reduce(0, +)
            if m.status?.phase?.isFinal != true {
                elapsed += max(0, now.timeIntervalSince(m.status?.phaseStartTime?.date ?? m.metadata.creationTimestamp?.date ?? now))
            }
            return MigrationProgress(
                name: m.metadata.name ?? "", sourcePod: m.spec.sourcePod, sourceNode: m.status?.sourceNode,
                targetNode: m.status?.targetNode, phase: m.status?.phase?.rawValue ?? "New", elapsed: elapsed,
                phaseSeconds: phases, failure: m.status?.failureReason.map { "\($0): \(m.status?.failureMessage ?? "")" })
        }
    }

    private func migrationReports(client: KubeClient) async throws -> [SimulationReport.Migration] {
        let items = try await client.list(StatefulMigration.self, namespace: Self.namespace, options: ListOptions()).items
        return items.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.map { m in
            let status = m.status
            let phases = (status?.phaseTimings ?? [:]).compactMapValues(goDurationSeconds)
            // Timestamps have whole seconds; the phase timings have milliseconds.
            let total: Double? = status?.phase?.isFinal == true ? phases.values.reduce(0, +) : nil
            return SimulationReport.Migration(
                name: m.metadata.name ?? "", sourcePod: m.spec.sourcePod, sourceNode: status?.sourceNode,
                targetNode: status?.targetNode, targetPod: status?.targetPod, strategy: status?.strategy?.rawValue,
                phase: status?.phase?.rawValue ?? "New", totalSeconds: total,
                phaseSeconds: phases,
                messagesReplayed: status?.replay?.messagesReplayed, replayEndReason: status?.replay?.endReason,
                failureReason: status?.failureReason, failureMessage: status?.failureMessage,
                restoreAttempts: status?.restore?.attempts.map(Int.init),
                stateRetained: status?.conditions?.contains { $0.type == "StateRetained" && $0.status == .true } == true ? true : nil,
                replayRebuilds: status?.replay?.rebuilds.map(Int.init), transferMethod: status?.transfer?.method,
                transferFallback: status?.transfer?.fallbackReason)
        }
    }

    /// Waits for the first migration in `phase` (Replaying: once START_REPLAY was sent), seen on a watch so
    /// that a short phase is not missed between polls, and loses its target node
    /// (``SimulatedCluster/loseNode(_:)``). Returns the node lost, if any.
    @discardableResult
    private func loseTargetNode(in phase: String, client: KubeClient, cluster: SimulatedCluster) async -> String? {
        func inPhase(_ migration: StatefulMigration) -> Bool {
            migration.status?.phase?.rawValue == phase && (phase != "Replaying" || migration.status?.replay?.startSent == true)
        }
        while !Task.isCancelled {
            var hit: StatefulMigration?
            do {
                let listed = try await client.list(StatefulMigration.self, namespace: Self.namespace, options: ListOptions())
                hit = listed.items.first(where: inPhase)
                if hit == nil {
                    let options = WatchOptions(resourceVersion: listed.metadata.resourceVersion, allowWatchBookmarks: false, timeoutSeconds: 60)
                    for try await event in client.watch(StatefulMigration.self, namespace: Self.namespace, options: options) {
                        if let migration = event.object, inPhase(migration) {
                            hit = migration
                            break
                        }
                    }
                }
            } catch {
                try? await Task.sleep(for: .milliseconds(20))
            }
            if let hit, let node = hit.status?.targetNode {
                do {
                    try await cluster.loseNode(node)
                    events(.step("Lost node \(node), the target of \(hit.metadata.name ?? "?") in \(phase): its kubelet, containers and heartbeats are gone"))
                    return node
                } catch {
                    events(.step("Could not lose node \(node): \(error)"))
                    return nil
                }
            }
        }
        return nil
    }

    // MARK: Leftovers

    /// What the migrations should have removed, looked at for up to five seconds (garbage collection and
    /// graceful deletion take a moment).
    private func leftovers(
        client: KubeClient, cluster: SimulatedCluster, brokers: any MessageBrokerConnecting, brokerURL: String,
        replicas: [Replica], layout: String?
    ) async throws -> SimulationReport.Leftovers {
        let expectedPods = Set(replicas.map(\.pod))
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            var found = SimulationReport.Leftovers()
            let broker = try await brokers.broker(url: brokerURL, credentials: nil)
            for replica in replicas {
                let replay = MigrationControlMessage.replayQueue(forPrimaryQueue: replica.queue)
                if try await broker.queueStatus(replay) != nil { found.replayQueues.append(replay) }
            }
            found.jobs = try await client.list(Job.self, namespace: Self.namespace, options: ListOptions()).items.compactMap(\.metadata.name)
            let listed = try await client.list(Pod.self, namespace: Self.namespace, options: ListOptions()).items
            let pods = Set(listed.compactMap(\.metadata.name))
            found.pods = listed.filter { !Self.isDeploymentPod($0) }
                .compactMap(\.metadata.name).filter { !expectedPods.contains($0) }.sorted()
            // The control queues of every pod a migration could have run: each replica and its ShadowPod copy.
            for pod in replicas.flatMap({ [$0.pod, MigrationNames.targetPod(source: $0.pod, strategy: .shadowPod)] })
            where !pods.contains(pod) {
                let control = MigrationControlMessage.controlQueue(forPod: pod)
                if try await broker.queueStatus(control) != nil { found.controlQueues.append(control) }
            }
            for node in scenario.cluster.nodes {
                let directory = cluster.localPath("/var/lib/kubelet/checkpoints", on: node.name)
                let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                found.checkpointArchives += files.sorted().map { "\(node.name):/var/lib/kubelet/checkpoints/\($0)" }
            }
            if let layout { found.checkpointImages = Self.layoutReferences(layout) }
            if found.isEmpty || ContinuousClock.now >= deadline { return found }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The manifests an OCI layout's index still lists (by ref name, else digest).
    static func layoutReferences(_ layout: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: layout + "/index.json"),
            let index = try? JSONValue.parse(Array(data)), let manifests = index["manifests"]?.arrayValue
        else { return [] }
        return manifests.map { m in
            m[path: ["annotations", "org.opencontainers.image.ref.name"]]?.stringValue ?? m["digest"]?.stringValue ?? "?"
        }
    }

    // MARK: Set-up helpers

    /// The checkpoint-transfer binary, or a setup error saying how to build it.
    static func locateTransferBinary() throws -> String {
        do { return try TransferProgram.locateBinary() } catch {
            throw SimulationError.setup(
                "ms2m simulate runs the real checkpoint-transfer for each transfer Job, and it is not built. "
                    + "Build it first: swift build --product checkpoint-transfer (or set \(TransferProgram.binaryVariable)). \(error)")
        }
    }

    /// The CRDs from `directory`, or from `config/crd/bases` of the package this binary was built from.
    static func loadCRDs(from directory: String?) throws -> [JSONValue] {
        let files = ["migration.ms2m.io_statefulmigrations.yaml", "migration.ms2m.io_migrationpolicies.yaml"]
        let candidates = directory.map { [$0] } ?? PackageLocation.candidates(relative: "config/crd/bases")
        guard let found = candidates.first(where: { dir in files.allSatisfy { FileManager.default.fileExists(atPath: dir + "/" + $0) } }) else {
            throw SimulationError.setup("the CRDs (\(files.joined(separator: ", "))) are not in \(candidates.joined(separator: " or ")); pass --crds DIR")
        }
        return try files.map { file in
            do { return try YAML.parse(try String(contentsOfFile: found + "/" + file, encoding: .utf8)) } catch {
                throw SimulationError.setup("cannot read the CRD \(found)/\(file): \(error)")
            }
        }
    }

    /// Waits until `condition` holds, checking every 50 ms; throws ``SimulationError/timeout(_:)``.
    private func waitUntil(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SimulationError.timeout("waiting for \(what)")
    }
}

/// Files of the package this binary was built from: found from the working directory and from this
/// source file's path, as `TransferProgram.locateBinary()` finds the transfer binary.
enum PackageLocation {
    /// `<package root>/<relative>` for each package root found, nearest first.
    static func candidates(relative: String) -> [String] {
        var roots: [String] = []
        for start in [FileManager.default.currentDirectoryPath, URL(fileURLWithPath: #filePath).deletingLastPathComponent().path] {
            var url = URL(fileURLWithPath: start).standardizedFileURL
            while url.path != "/" {
                if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                    if !roots.contains(url.path) { roots.append(url.path) }
                    break
                }
                url.deleteLastPathComponent()
            }
        }
        return roots.map { $0 + "/" + relative }
    }
}
