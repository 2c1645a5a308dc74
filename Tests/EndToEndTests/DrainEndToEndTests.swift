import ControllerRuntime
import Foundation
import KubeClient
import KubeModel
import KubeSim
import MigrationAPI
@testable import MS2MCLI
import OperatorAssembly
import OperatorCore
import PolicyEngine
import SampleWorkload
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing
import Unstructured
import WebhookServer
import YAMLCodec

/// `kubectl drain` on the simulated cluster with a real RabbitMQ and registry: the API emulator calls the
/// operator's eviction webhook over HTTPS (registered from `config/webhook/manifests.yaml` as shipped, Service
/// and all), and the webhook turns evictions of covered pods into live migrations.
@Suite("end to end: kubectl drain live-migrates covered pods (real RabbitMQ and registry)", .serialized)
struct DrainEndToEndTests {
    @Test("two operator replicas, the leader killed mid-drain: the drain finishes, every covered pod migrated, none evicted, no message lost")
    func leaderKilledMidDrain() async throws {
        try await EndToEnd.run { e in
            let queues = try await e.placeWorkloadOnNodeA(sets: ["alpha"], replicas: 2, barePod: "solo")
            let replicas = try await OperatorReplicas.start(e, count: 2)
            do {
                var policy = e.drainPolicy(name: "drain", maxConcurrent: 2, maxOutboundPerNode: 2)
                policy.spec.triggers = PolicyTriggers(cordon: false)  // only the evictions start migrations
                try await e.createPolicy(policy)
                try await e.waitUntil("the policy controller to answer") { try await e.policyStatus("drain") != nil }
                try await replicas.waitUntilWebhookCovers("default")

                let producers = queues.map { queue in
                    Producer(brokers: e.brokers, brokerURL: e.brokerURL, exchange: EndToEnd.exchange(for: queue), queue: nil, rate: 20, idPrefix: "m")
                }
                let producing = producers.map { producer in Task { try await producer.run(count: nil) } }
                try await Task.sleep(for: .milliseconds(400))

                var options = NodeDrainer.Options()
                options.timeout = .seconds(240)
                options.retryInterval = .seconds(1)
                options.force = true  // the bare pod "solo" too, as kubectl drain --force
                let lines = Mutex<[String]>([])
                let drainer = NodeDrainer(api: e.client, options: options) { line in lines.withLock { $0.append(line) } }
                let draining = Task { try await drainer.drain(node: "node-a") }

                // Kill the leader once a migration is under way (no graceful shutdown, no lease release).
                try await e.waitUntil("a migration to be in flight", timeout: .seconds(60)) {
                    try await e.policyChildren("drain").contains { ($0.status?.phase).map { !$0.isFinal && $0 != .pending } ?? false }
                }
                let leader = try #require(await replicas.leader())
                await replicas.kill(leader)

                let result = try await draining.value
                for producer in producers { await producer.stop() }
                for task in producing { _ = try? await task.value }

                let children = try await e.policyChildren("drain")
                let summary = children.map {
                    "\($0.metadata.name ?? "") \($0.spec.sourcePod) \($0.status?.sourceNode ?? "?")→\($0.status?.targetNode ?? "?") \($0.status?.phase?.rawValue ?? "-") reason=\($0.metadata.labels?[ChildMigrationLabels.reason] ?? "") \($0.status?.failureReason ?? "") \($0.status?.failureMessage ?? "")"
                }
                #expect(result.completed, "drain: \(result.error ?? "") — children: \(summary) — \(lines.withLock { $0 }.prefix(30))")
                #expect(result.evicted.isEmpty, "evicted instead of migrated: \(result.evicted)")
                #expect(result.evictionsRefused >= queues.count, "every covered pod's first eviction is refused")
                #expect(Set(children.filter { $0.status?.phase == .completed }.map(\.spec.sourcePod)) == Set(queues))
                #expect(children.allSatisfy { $0.metadata.labels?[ChildMigrationLabels.reason] == MoveReason.eviction.rawValue })
                for (queue, producer) in zip(queues, producers) {
                    let child = try #require(children.first { $0.spec.sourcePod == queue && $0.status?.phase == .completed })
                    try await e.expectAllApplied(by: child.status?.targetPod ?? queue, produced: await producer.published)
                }
                let left = try await e.client.list(Pod.self, namespace: "default", options: ListOptions(fieldSelector: "spec.nodeName=node-a")).items
                    .filter { pod in pod.metadata.ownerReferences?.contains { $0.kind == "Job" } != true }
                #expect(left.isEmpty, "still on node-a: \(left.compactMap(\.metadata.name))")
                // A migrated pod carries no eviction request; the refusals named the migrations.
                for pod in try await e.client.list(Pod.self, namespace: "default", options: ListOptions()).items {
                    #expect(EvictionRequest.recorded(on: pod) == nil, "\(pod.metadata.name ?? "") still carries an eviction request")
                }
                #expect(lines.withLock { $0 }.contains { $0.contains("is being live-migrated") && $0.contains("StatefulMigration default/drain-") })
                print("E2E kubectl drain with leader killed: \(String(format: "%.1f", result.seconds)) s, refused \(result.evictionsRefused)")
            } catch {
                await replicas.stopAll()
                throw error
            }
            await replicas.stopAll()
        }
    }

    @Test("the drain scenario: the drain completes, consumers migrated (none evicted), the Deployment evicted within its budget, produced == applied")
    func drainScenario() async throws {
        let rabbit = try await RabbitMQTestServer.shared.node()
        let registry = try await TestRegistry.start()
        defer { registry.stop() }
        var settings = SimulationSettings(scenario: try .load("\(repositoryRoot)/scenarios/drain.yaml"))
        settings.amqpURL = rabbit.url()
        settings.registry = registry.host
        settings.insecureRegistry = true
        settings.rate = 50
        settings.warmup = .milliseconds(500)
        settings.settle = .milliseconds(500)
        let report = try await Simulation(settings: settings).run()
        #expect(report.success, "\(report.problems)")
        let drain = try #require(report.drain)
        #expect(drain.completed)
        let consumers = Set(report.consumers.map { "default/\($0.pod)" })
        #expect(drain.evicted.allSatisfy { !consumers.contains($0) && $0.hasPrefix("default/web-") }, "\(drain.evicted)")
        let moved = report.consumers.filter { $0.nodeBefore == report.drainNode }
        #expect(!moved.isEmpty)
        #expect(drain.evictionsRefused >= moved.count)
        for consumer in report.consumers {
            #expect(consumer.lost == 0 && consumer.applied == Int64(consumer.produced), "\(consumer.pod): \(consumer.applied) of \(consumer.produced)")
            #expect(consumer.nodeAfter != report.drainNode)
        }
        for (deployment, minimum) in drain.minimumReady {
            let budget = try #require(settings.scenario.run.deployments?.first { $0.name == deployment }?.minAvailable)
            #expect(minimum >= budget, "\(deployment) fell to \(minimum) ready pods, below its PodDisruptionBudget's minAvailable \(budget)")
        }
        #expect(report.leftovers.isEmpty, "\(report.leftovers.all)")
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        let drainJSON = json?["drain"] as? [String: Any]
        #expect(drainJSON?["completed"] as? Bool == true)
        #expect(drainJSON?["evictionsRefused"] as? Int == drain.evictionsRefused)
        #expect(drainJSON?["evicted"] as? [String] == drain.evicted)
        print("E2E drain scenario: \(String(format: "%.1f", drain.seconds)) s, refused \(drain.evictionsRefused), evicted \(drain.evicted)")
    }
}

/// Operator replicas as the Deployment runs them: leader election on one Lease, each serving the eviction
/// webhook with the shared self-managed certificate, behind the Service `ms2m-webhook-service` — the
/// emulator's service resolver sends each call to a live replica, as kube-proxy does with the Service's ready
/// endpoints.
final class OperatorReplicas: Sendable {
    private struct Replica: Sendable {
        var identity: String
        var group: ServiceGroup
        var running: Task<Void, any Error>
        var services: OperatorServices
        var port: Int
    }
    private let replicas = Mutex<[Replica]>([])
    private let next = Mutex(0)
    private let e: EndToEnd

    private init(_ e: EndToEnd) { self.e = e }

    static let namespace = "ms2m-system"

    /// Starts `count` replicas, registers the webhook from `config/webhook/manifests.yaml` and waits until its
    /// CA bundle is in place.
    static func start(_ e: EndToEnd, count: Int) async throws -> OperatorReplicas {
        let replicas = OperatorReplicas(e)
        _ = try e.server.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        _ = try e.server.create([
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "ms2m-webhook-service", "namespace": .string(namespace)],
            "spec": ["ports": [["name": "https", "port": 443, "targetPort": "webhook"]]],
        ])
        e.server.setServiceResolver { [replicas] namespace, name, _ in
            guard namespace == Self.namespace, name == "ms2m-webhook-service" else { return nil }
            return replicas.endpoint()
        }
        for index in 0..<count { try await replicas.add(identity: "ms2m-operator-\(index)") }
        let text = try String(contentsOfFile: "\(repositoryRoot)/config/webhook/manifests.yaml", encoding: .utf8)
        _ = try e.server.create(try YAML.parse(text))
        for replica in replicas.replicas.withLock({ $0 }) { replica.services.certificateManager?.reconcileNow() }
        try await e.waitUntil("the CA bundle to be injected") {
            let configuration = try? await e.client.get(ValidatingWebhookConfiguration.self, name: "ms2m-eviction-webhook")
            return configuration?.webhooks?.allSatisfy { $0.clientConfig.caBundle?.isEmpty == false } == true
        }
        return replicas
    }

    private func add(identity: String) async throws {
        var options = OperatorOptions(manager: ManagerConfiguration(
            leaderElection: LeaderElectionConfiguration(
                leaseName: "ms2m-operator-leader", leaseNamespace: Self.namespace, identity: identity,
                leaseDuration: .seconds(4), renewDeadline: .seconds(3), retryPeriod: .milliseconds(500), releaseOnCancel: false),
            healthProbeAddress: nil, metricsAddress: nil))
        options.engine.transfer.image = "ghcr.io/ms2m/checkpoint-transfer:test"
        options.engine.replayPollInterval = .milliseconds(50)
        options.engine.transfer.backoffLimit = 0
        options.webhook = WebhookOptions(
            server: AdmissionWebhookServer.Configuration(address: BindAddress(host: "127.0.0.1", port: 0)),
            certificates: .selfManaged(WebhookCertificateManager.SecretOptions(
                secretName: "ms2m-webhook-server-cert", namespace: Self.namespace,
                policy: CertificatePolicy(service: "ms2m-webhook-service", namespace: Self.namespace, ipAddresses: ["127.0.0.1"]),
                validatingWebhookConfigurations: ["ms2m-eviction-webhook"])),
            scope: WebhookOptions.Scope(operatorNamespace: Self.namespace))
        let operatorClient = KubeClient(configuration: ClientConfiguration(
            server: e.server.baseURL, userAgent: EndToEnd.operatorUserAgent, rateLimit: nil))
        let services = OperatorAssembly.make(
            api: operatorClient, brokers: e.brokers, images: RegistryImageDeleter(logger: quiet), options: options, logger: quiet)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.all.map { .init(service: $0) }, logger: quiet))
        let running = Task { try await group.run() }
        guard let port = await services.webhookServer?.waitUntilListening() else {
            throw TestSupportError("replica \(identity)'s webhook did not start")
        }
        replicas.withLock {
            $0.append(Replica(identity: identity, group: group, running: running, services: services, port: port))
        }
    }

    /// Waits until the leader has scoped the webhook to include `namespace`.
    func waitUntilWebhookCovers(_ namespace: String) async throws {
        try await e.waitUntil("the eviction webhook to cover namespace \(namespace)") {
            try await Simulation.webhookCovers(namespace, client: e.client)
        }
    }

    /// A live replica's webhook address, round-robin.
    func endpoint() -> (host: String, port: Int)? {
        let ports = replicas.withLock { $0.map(\.port) }
        guard !ports.isEmpty else { return nil }
        let index = next.withLock { value -> Int in
            defer { value += 1 }
            return value
        }
        return ("127.0.0.1", ports[index % ports.count])
    }

    /// The identity holding the Lease.
    func leader() async -> String? {
        try? await e.client.get(Lease.self, name: "ms2m-operator-leader", namespace: Self.namespace).spec?.holderIdentity
    }

    /// Stops `identity` at once, as SIGKILL would (its endpoint leaves the Service first, as kube-proxy drops a
    /// dead pod's endpoint; the Lease is not released).
    func kill(_ identity: String) async {
        let victim = replicas.withLock { replicas -> Replica? in
            guard let index = replicas.firstIndex(where: { $0.identity == identity }) else { return nil }
            return replicas.remove(at: index)
        }
        victim?.running.cancel()
        _ = await victim?.running.result
    }

    /// Stops every replica gracefully.
    func stopAll() async {
        let all = replicas.withLock { replicas -> [Replica] in
            defer { replicas = [] }
            return replicas
        }
        for replica in all { await replica.group.triggerGracefulShutdown() }
        for replica in all { _ = await replica.running.result }
    }
}
