import ArgumentParser
import ControllerRuntime
import CurlTransport
import Foundation
import HTTPTransport
import KubeClient
import KubeModel
import KubeSim
import Logging
import MigrationAPI
import OperatorCore
import PolicyEngine
import ServiceLifecycle
import Unstructured
import WebhookServer

/// `ms2m bench webhook`: how fast the eviction webhook answers in a large cluster — KubeSim seeded with N
/// nodes of M StatefulSet pods each (as `bench policy`), a cordon-triggered policy, one node cordoned; the
/// webhook deciding from informer caches synced from the emulator, as each operator replica does.
///
/// Reported, as median, p99 and max over `--requests` evictions of the cordoned node's pods (dry run, so the
/// answers stay the same; the real first eviction adds one PATCH of the pod, reported separately):
/// - **decide**: `EvictionWebhook.handle` in-process — AdmissionReview decoding, the snapshot from the caches,
///   the plan, the verdict, the response encoding;
/// - **HTTPS**: the same through `AdmissionWebhookServer` over TLS on loopback (one keep-alive connection, as
///   the API server keeps to a webhook), with libcurl verifying the certificate;
/// - **uncovered**: an eviction of a pod no policy covers (a DaemonSet-like pod without the policy's labels).
struct WebhookBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Eviction webhook: decision latency (median/p99) at large cluster sizes, in-process and over HTTPS.")

    @Option(help: "Cluster sizes as NODESxPODS_PER_NODE, comma-separated.")
    var sizes = "5000x30"

    @Option(help: "Timed evictions per measurement, after 20 warm-up ones.")
    var requests = 500

    @Option(help: "The directory holding the CRDs (default: config/crd/bases of this package).")
    var crds: String?

    func validate() throws {
        if requests < 1 { throw ValidationError("--requests must be at least 1") }
    }

    func run() async throws {
        var rows: [String] = []
        for size in sizes.split(separator: ",") {
            let parts = size.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 2, parts[1] >= 1 else {
                throw ValidationError("--sizes: expected NODESxPODS with at least 2 nodes and 1 pod, got \(size)")
            }
            rows += try await measure(nodes: parts[0], podsPerNode: parts[1])
        }
        print("")
        print("| cluster | measured | evictions | median ms | p99 ms | max ms |")
        print("|---|---|---|---|---|---|")
        for row in rows { print(row) }
    }

    private func measure(nodes: Int, podsPerNode: Int) async throws -> [String] {
        let cluster = "\(nodes) nodes × \(podsPerNode) pods"
        var serverConfiguration = KubeSimConfiguration()
        serverConfiguration.podDeletionIsImmediate = true
        let server = KubeSimServer(configuration: serverConfiguration)
        try await server.start()
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil), logger: quiet)
        defer { Task { try? await server.shutdown() } }
        progress("Seeding \(cluster) …")
        try await PolicyBench.seed(server: server, client: client, nodes: nodes, podsPerNode: podsPerNode, crds: crds)
        _ = try server.create([
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": "uncovered", "namespace": "default", "labels": ["app": "other"]],
            "spec": ["nodeName": .string(PolicyBench.nodeName(0)), "containers": [["name": "c", "image": "registry.local/pause:3.9"]]],
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]],
        ])
        _ = try await client.create(PolicyBench.policy, namespace: nil, options: WriteOptions())
        let cordoned = PolicyBench.nodeName(nodes / 2)
        try await PolicyBench.setUnschedulable(cordoned, true, client: client)

        // The caches, as an operator replica keeps them (a manager with no controllers runs only informers).
        let manager = ControllerManager(
            api: client, configuration: ManagerConfiguration(healthProbeAddress: nil, metricsAddress: nil), logger: quiet)
        let caches = PolicyCaches(factory: manager.informers)
        let running = Task { try await manager.run() }
        defer { running.cancel() }
        let syncStart = ContinuousClock.now
        progress("Syncing the informer caches …")
        await caches.waitForSync()
        progress(String(format: "Synced in %.1f s", (ContinuousClock.now - syncStart).seconds))
        while caches.policies.cache.list().isEmpty || caches.nodes.cache.get(name: cordoned)?.isUnschedulable != true {
            try await Task.sleep(for: .milliseconds(10))
        }
        let webhook = EvictionWebhook(api: client, caches: caches, events: SilentPolicyEvents(), logger: quiet)

        // The HTTPS server with a certificate of its own CA, on loopback.
        let authority = try CertificateAuthority.generate(commonName: "bench webhook CA", validity: .seconds(86_400))
        let certificate = try authority.issueServingCertificate(
            dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validity: .seconds(86_400))
        let webhookServer = AdmissionWebhookServer(
            configuration: AdmissionWebhookServer.Configuration(address: BindAddress(host: "127.0.0.1", port: 0)),
            routes: [
                EvictionWebhook.path: { request in
                    let answer = await webhook.handle(body: request.body)
                    return WebhookResponse(status: answer.status, contentType: answer.contentType, body: answer.body)
                }
            ],
            certificates: try ServingCertificateSource(certificate: certificate), logger: quiet)
        let serving = Task { try await webhookServer.run() }
        defer { serving.cancel() }
        guard let port = await webhookServer.waitUntilListening() else { throw ValidationError("the webhook server did not start") }
        let transport = CurlTransport(configuration: CurlTransport.Configuration(
            tls: TLSOptions(caCertificatesPEM: Array(try authority.certificatePEM.utf8))))
        let url = "https://127.0.0.1:\(port)\(EvictionWebhook.path)"

        let pods = (0..<podsPerNode).map { "app-\(nodes / 2)-\($0)" }
        var rows: [String] = []
        func row(_ what: String, _ samples: [Double]) {
            let sorted = samples.sorted()
            let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
            rows.append(String(
                format: "| %@ | %@ | %d | %.2f | %.2f | %.2f |", cluster, what, sorted.count, sorted[sorted.count / 2] * 1000,
                p99 * 1000, sorted[sorted.count - 1] * 1000))
        }
        // A verdict check: the first pod must be refused (it moves or waits), the uncovered one allowed.
        let check = try Self.response(await webhook.handle(body: Self.review(pod: pods[0], dryRun: true)))
        guard check.allowed == false, check.status?.code == 429 else {
            throw ValidationError("the covered pod's eviction was not refused: \(String(describing: check.status?.message))")
        }
        progress("Refusal: \(check.status?.message ?? "")")

        progress("Timing \(requests) decisions in-process …")
        row("decide (covered pod)", try await time(requests) { index in
            let answer = await webhook.handle(body: Self.review(pod: pods[index % pods.count], dryRun: true))
            guard answer.status == 200 else { throw ValidationError("status \(answer.status)") }
        })
        // Where a covered pod's decision goes: reading the caches into a snapshot, and planning it.
        guard let policy = caches.policies.cache.list().first else { throw ValidationError("no policy in the cache") }
        row("  of which: snapshot from the caches", try await time(requests) { _ in
            _ = caches.snapshot(for: policy, now: .now())
        })
        let snapshot = caches.snapshot(for: policy, now: .now())
        row("  of which: plan", try await time(requests) { _ in _ = MigrationPlanner.plan(snapshot) })
        row("decide (uncovered pod)", try await time(requests) { _ in
            let answer = await webhook.handle(body: Self.review(pod: "uncovered", dryRun: true))
            guard answer.status == 200 else { throw ValidationError("status \(answer.status)") }
        })
        progress("Timing \(requests) decisions over HTTPS …")
        row("HTTPS (covered pod)", try await time(requests) { index in
            var request = HTTPRequest(
                method: .post, url: url, headers: ["Content-Type": "application/json"],
                body: Self.review(pod: pods[index % pods.count], dryRun: true), timeout: .seconds(10))
            request.followRedirects = false
            let response = try await transport.send(request)
            guard response.status == 200 else { throw ValidationError("status \(response.status)") }
        })
        row("HTTPS (uncovered pod: the transport alone)", try await time(requests) { _ in
            var request = HTTPRequest(
                method: .post, url: url, headers: ["Content-Type": "application/json"],
                body: Self.review(pod: "uncovered", dryRun: true), timeout: .seconds(10))
            request.followRedirects = false
            let response = try await transport.send(request)
            guard response.status == 200 else { throw ValidationError("status \(response.status)") }
        })
        // Real first evictions: the request is written on the pod (one PATCH) — a different pod each time.
        let first = min(pods.count, 20)
        row("decide, first eviction (records the request)", try await time(first, warmUp: 0) { index in
            let answer = await webhook.handle(body: Self.review(pod: pods[index], dryRun: false))
            guard answer.status == 200 else { throw ValidationError("status \(answer.status)") }
        })
        return rows
    }

    /// Runs `body` `warmUp` times untimed, then `count` times timed; the seconds of each.
    private func time(_ count: Int, warmUp: Int = 20, _ body: (Int) async throws -> Void) async throws -> [Double] {
        for index in 0..<warmUp { try await body(index) }
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for index in 0..<count {
            let start = ContinuousClock.now
            try await body(index)
            samples.append((ContinuousClock.now - start).seconds)
        }
        return samples
    }

    /// An AdmissionReview of the eviction of `pod` in `default`.
    static func review(pod: String, dryRun: Bool) -> [UInt8] {
        JSONValue.object([
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": [
                "uid": .string(UUID().uuidString.lowercased()),
                "kind": ["group": "policy", "version": "v1", "kind": "Eviction"],
                "resource": ["group": "", "version": "v1", "resource": "pods"], "subResource": "eviction",
                "name": .string(pod), "namespace": "default", "operation": "CREATE",
                "userInfo": ["username": "system:serviceaccount:kube-system:cluster-autoscaler"],
                "object": [
                    "apiVersion": "policy/v1", "kind": "Eviction",
                    "metadata": ["name": .string(pod), "namespace": "default"],
                ],
                "dryRun": .bool(dryRun),
            ],
        ]).jsonBytes()
    }

    static func response(_ answer: EvictionWebhook.HTTPAnswer) throws -> AdmissionResponse {
        guard let response = try JSONBytesDecoder().decode(AdmissionReview.self, from: answer.body).response else {
            throw ValidationError("no response in the webhook's answer")
        }
        return response
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Drops the webhook's events (the bench times decisions, not the event recorder).
private struct SilentPolicyEvents: PolicyEventSink {
    func record(
        _ type: EventType, reason: String, action: String, note: String, regarding: ObjectReference,
        related: ObjectReference?
    ) {}
}

/// `ms2m bench drain`: how long `kubectl drain` takes for a node holding about N covered pods under the
/// policy's default budgets (`policies/default.yaml`: maxConcurrent 5, maxOutboundPerNode 2, one migration
/// per StatefulSet at a time — so one StatefulSet's pods move one after another), through `ms2m simulate`'s
/// whole installation (API emulator calling the eviction webhook over HTTPS, simulated CRI-O nodes,
/// in-process broker, OCI layout): the sample consumer's StatefulSet with `--replicas` pods spread over three
/// nodes, node-a drained with kubectl's 5 s retries.
struct DrainBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "kubectl drain of a node with N covered pods: completion time, refused evictions, migration times.")

    @Option(help: "Replicas of the sample consumer's StatefulSet, spread over three nodes (about a third on node-a).")
    var replicas = 30

    @Option(help: "Messages per second per consumer.")
    var rate = 20.0

    @Option(help: "Seconds between retries of a refused eviction (kubectl: 5).")
    var retrySeconds = 5.0

    func validate() throws {
        if replicas < 1 { throw ValidationError("--replicas must be at least 1") }
        if !(rate > 0) || !(retrySeconds > 0) { throw ValidationError("--rate and --retry-seconds must be positive") }
    }

    func run() async throws {
        // The default policy covers the sample consumer's StatefulSet (label app: ms2m-sample-consumer).
        var yaml = "nodes:\n  - name: node-a\n  - name: node-b\n  - name: node-c\nworkloads:\n"
        yaml += """
              - name: ms2m-sample-consumer
                image: registry.local/ms2m/ms2m-sample-consumer:1
                replicas: \(replicas)
                producer:
                  queue: $(POD_NAME)
                  ratePerSecond: \(rate)

            """
        yaml += """
            simulation:
              drainNode: node-a
              warmupSeconds: 1
              settleSeconds: 1
              timeoutSeconds: 600
              drain:
                mode: kubectl
                retrySeconds: \(retrySeconds)

            """
        var settings = SimulationSettings(scenario: try SimulationScenario(yaml: yaml, source: "bench drain"))
        settings.rate = rate
        let report = try await Simulation(settings: settings, events: { event in
            if case .step(let line) = event { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        }).run()
        guard let drain = report.drain else { throw ValidationError("the simulation reported no drain") }
        let covered = report.consumers.filter { $0.nodeBefore == report.drainNode }.count
        let totals = report.migrations.compactMap(\.totalSeconds).sorted()
        print("")
        print("| covered pods on node-a | drain s | evictions refused | evicted | migrations | migration median s | migration max s | lost | verdict |")
        print("|---|---|---|---|---|---|---|---|---|")
        print(String(
            format: "| %d | %.1f | %d | %d | %d | %.2f | %.2f | %d | %@ |", covered, drain.seconds, drain.evictionsRefused,
            drain.evicted.count, report.migrations.count, totals.isEmpty ? 0 : totals[totals.count / 2], totals.last ?? 0,
            report.lost, report.success ? "PASS" : "FAIL: \(report.problems.joined(separator: "; "))"))
    }
}
