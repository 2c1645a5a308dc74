import ArgumentParser
import ControllerRuntime
import Foundation
import InProcessBroker
import KubeClient
import KubeModel
import KubeSim
import Logging
import MigrationAPI
import OperatorAssembly
import OperatorCore
import Unstructured

/// `ms2m bench policy`: how fast the MigrationPolicy controller reacts to `kubectl cordon` — the time from the
/// node PATCH's response to the first child `StatefulMigration` ADDED on a watch, through the operator as
/// `ms2m-operator` assembles it (both controllers, shared informers), against KubeSim seeded with N nodes of
/// M StatefulSet pods each and a cordon-triggered policy.
struct PolicyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "MigrationPolicy controller: latency from a node being cordoned to its first child migration existing.")

    @Option(help: "Cluster sizes as NODESxPODS_PER_NODE, comma-separated.")
    var sizes = "100x10,1000x10"

    @Option(help: "Cordons measured per size, each on a different node (median and p95 reported).")
    var repeats = 10

    @Option(help: "The directory holding the CRDs (default: config/crd/bases of this package).")
    var crds: String?

    @Flag(help: "Log the operator's messages (info and above) to standard error.")
    var verbose = false

    func run() async throws {
        var rows: [(size: String, samples: [Double])] = []
        for size in sizes.split(separator: ",") {
            let parts = size.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 2, parts[1] >= 1 else {
                throw ValidationError("--sizes: expected NODESxPODS with at least 2 nodes and 1 pod, got \(size)")
            }
            guard repeats >= 1, repeats < parts[0] else {
                throw ValidationError("--repeats must be between 1 and the node count - 1")
            }
            print("Measuring \(parts[0]) nodes × \(parts[1]) pods …")
            let samples = try await measure(nodes: parts[0], podsPerNode: parts[1])
            rows.append((String(size), samples))
        }
        print("")
        print("| cluster | cordons | median ms | p95 ms | min ms | max ms |")
        print("|---|---|---|---|---|---|")
        for row in rows {
            let sorted = row.samples.sorted()
            let p95 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
            print(String(
                format: "| %@ | %d | %.1f | %.1f | %.1f | %.1f |", row.size, sorted.count, sorted[sorted.count / 2] * 1000,
                p95 * 1000, sorted[0] * 1000, sorted[sorted.count - 1] * 1000))
        }
    }

    /// One emulator, one operator, `repeats` cordons; the latency of each in seconds.
    private func measure(nodes: Int, podsPerNode: Int) async throws -> [Double] {
        var serverConfiguration = KubeSimConfiguration()
        serverConfiguration.podDeletionIsImmediate = true
        let server = KubeSimServer(configuration: serverConfiguration)
        try await server.start()
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        var operatorLogger = Logger(label: "bench")
        operatorLogger.logLevel = .info
        if !verbose { operatorLogger = quiet }
        let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil), logger: quiet)
        do {
            try await Self.seed(server: server, client: client, nodes: nodes, podsPerNode: podsPerNode, crds: crds)
            let manager = OperatorAssembly.makeManager(
                api: client, brokers: InProcessBrokerConnector(), images: InstantImageDeleter(),
                options: OperatorOptions(manager: ManagerConfiguration(healthProbeAddress: nil, metricsAddress: nil)),
                logger: operatorLogger)
            let running = Task { try await manager.run() }
            defer { running.cancel() }
            await manager.informers.waitForSync()
            _ = try await client.create(Self.policy, namespace: nil, options: WriteOptions())
            var answered = false
            for _ in 0..<1000 where !answered {
                answered = try await client.get(MigrationPolicy.self, name: "bench", namespace: nil).status != nil
                if !answered { try await Task.sleep(for: .milliseconds(10)) }
            }
            guard answered else { throw ValidationError("the policy controller did not write the policy's status within 10 s") }

            var samples: [Double] = []
            for round in 0..<repeats {
                let node = Self.nodeName(round * max(1, nodes / repeats))
                samples.append(try await cordonLatency(node: node, server: server, client: client))
                // Uncordon: the policy cancels what has not started; wait until its children are gone or ended.
                try await Self.setUnschedulable(node, false, client: client)
                for _ in 0..<500 {
                    let children = try await client.list(
                        StatefulMigration.self, namespace: nil, options: ListOptions(labelSelector: "\(MigrationPolicyLabel.sourceNode)=\(node)"))
                    if children.items.allSatisfy({ $0.status?.phase?.isFinal == true }) { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            running.cancel()
            _ = await running.result
            try? await server.shutdown()
            return samples
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    /// Installs the CRDs and creates `nodes` nodes, each with a StatefulSet of `podsPerNode` Running pods
    /// bound to it, through the emulator's fixture API.
    static func seed(server: KubeSimServer, client: KubeClient, nodes: Int, podsPerNode: Int, crds: String?) async throws {
        for crd in try Simulation.loadCRDs(from: crds) { _ = try server.create(crd) }
        var served = false
        for _ in 0..<500 where !served {
            served = (try? await client.list(MigrationPolicy.self, namespace: nil, options: ListOptions(limit: 1))) != nil
            if !served { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard served else { throw ValidationError("KubeSim does not serve the MigrationPolicy CRD") }
        for node in 0..<nodes {
            _ = try server.create(Self.node(node))
            // The owner must exist, or the emulator's garbage collector deletes the pods.
            let set = try server.create(Self.statefulSet(node: node, replicas: podsPerNode))
            let uid = set[path: ["metadata", "uid"]]?.stringValue ?? ""
            for pod in 0..<podsPerNode { _ = try server.create(Self.pod(node: node, index: pod, ownerUID: uid)) }
        }
    }

    /// Cordons `node` and times the first child migration from it arriving on a watch.
    private func cordonLatency(node: String, server: KubeSimServer, client: KubeClient) async throws -> Double {
        let clock = ContinuousClock()
        let version = server.currentResourceVersion
        let (opened, openedContinuation) = AsyncStream<Void>.makeStream()
        let watcher = Task { () -> ContinuousClock.Instant? in
            let options = WatchOptions(
                labelSelector: "\(MigrationPolicyLabel.sourceNode)=\(node)", resourceVersion: version,
                allowWatchBookmarks: false, timeoutSeconds: 30)
            openedContinuation.yield()
            for try await event in client.watch(StatefulMigration.self, namespace: nil, options: options) {
                if case .added = event { return clock.now }
            }
            return nil
        }
        for await _ in opened { break }
        try await Task.sleep(for: .milliseconds(50))  // let the watch request reach the server
        try await Self.setUnschedulable(node, true, client: client)
        let patched = clock.now
        guard let added = try await watcher.value else {
            let status = try await client.get(MigrationPolicy.self, name: "bench", namespace: nil).status
            let summary = status.map { String(describing: (try? JSONValueEncoder().encode($0)) ?? .null) } ?? "none"
            throw ValidationError("no child migration appeared within 30 s of cordoning \(node); policy status: \(summary)")
        }
        let elapsed = added - patched
        return max(0, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static func setUnschedulable(_ node: String, _ value: Bool, client: KubeClient) async throws {
        _ = try await client.patch(
            Node.self, name: node, namespace: nil, patch: .merge(["spec": ["unschedulable": .bool(value)]]),
            subresource: nil, options: WriteOptions())
    }

    static func nodeName(_ index: Int) -> String { "node-\(index)" }

    static func node(_ index: Int) -> JSONValue {
        let name = nodeName(index)
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": ["kubernetes.io/hostname": .string(name)]],
            "spec": [:],
            "status": [
                "allocatable": ["cpu": "32", "memory": "128Gi", "pods": "110"],
                "capacity": ["cpu": "32", "memory": "128Gi", "pods": "110"],
                "conditions": [["type": "Ready", "status": "True"]],
                "nodeInfo": ["containerRuntimeVersion": "cri-o://1.31.2", "kubeletVersion": "v1.31.2"],
            ],
        ]
    }

    /// The StatefulSet owning node `node`'s pods (no controller runs in the bench; it only has to exist).
    static func statefulSet(node: Int, replicas: Int) -> JSONValue {
        let set = "app-\(node)"
        return [
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": ["name": .string(set), "namespace": "default"],
            "spec": [
                "replicas": .int(Int64(replicas)), "serviceName": .string(set),
                "selector": ["matchLabels": ["app": .string(set)]],
                "template": [
                    "metadata": ["labels": ["app": .string(set)]],
                    "spec": ["containers": [["name": "consumer", "image": "registry.example.com/ms2m/sample-consumer:1"]]],
                ],
            ],
        ]
    }

    static func pod(node: Int, index: Int, ownerUID: String) -> JSONValue {
        let set = "app-\(node)"
        let name = "\(set)-\(index)"
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "namespace": "default", "labels": ["app": .string(set)],
                "ownerReferences": [[
                    "apiVersion": "apps/v1", "kind": "StatefulSet", "name": .string(set), "uid": .string(ownerUID),
                    "controller": true,
                ]],
            ],
            "spec": [
                "nodeName": .string(nodeName(node)),
                "containers": [[
                    "name": "consumer", "image": "registry.example.com/ms2m/sample-consumer:1",
                    "resources": ["requests": ["cpu": "100m", "memory": "128Mi"]],
                ]],
            ],
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]],
        ]
    }

    /// A cordon-triggered policy over StatefulSet pods; its children fail early (no broker, no StatefulSet),
    /// which does not matter here: only their creation is timed.
    static var policy: MigrationPolicy {
        let template = MigrationTemplate(
            containerName: "consumer", checkpointImageRepository: "registry.bench.local/checkpoints",
            messageQueueConfig: MessageQueueConfig(queueName: "orders", brokerUrl: EngineBench.brokerURL))
        return MigrationPolicy(
            metadata: ObjectMeta(name: "bench"),
            spec: MigrationPolicySpec(
                triggers: PolicyTriggers(cordon: true), template: template,
                budgets: MigrationBudgets(maxConcurrent: 5, maxOutboundPerNode: 2)))
    }
}
