import ControllerRuntime
import Foundation
import KubeClient
import KubeModel
import KubeSim
import Logging
import MigrationAPI
import OperatorCore
@testable import PolicyEngine
import Synchronization
import TestSupport
import Unstructured
import YAMLCodec

/// Records the policy controller's events in memory.
final class RecordingPolicyEvents: PolicyEventSink {
    struct Recorded: Sendable, Hashable {
        var reason: String
        var regarding: String
        var note: String
    }
    private let recorded = Mutex<[Recorded]>([])

    func record(
        _ type: EventType, reason: String, action: String, note: String, regarding: ObjectReference,
        related: ObjectReference?
    ) {
        recorded.withLock {
            $0.append(Recorded(reason: reason, regarding: "\(regarding.namespace ?? "")/\(regarding.name ?? "")", note: note))
        }
    }

    var all: [Recorded] { recorded.withLock { $0 } }
    func reasons(_ reason: String) -> [Recorded] { all.filter { $0.reason == reason } }
}

/// KubeSim with the real CRDs from config/crd/bases, a client, and the policy controller running under a
/// `ControllerManager`; helpers to build the cluster and to wait for conditions.
final class PolicyHarness: Sendable {
    let server: KubeSimServer
    let client: KubeClient
    let events = RecordingPolicyEvents()
    /// The caches the controller plans from (set once the manager is built).
    private let cachesBox = Mutex<PolicyCaches?>(nil)

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    init(server: KubeSimServer) {
        self.server = server
        client = KubeClient(configuration: ClientConfiguration(
            server: server.baseURL, rateLimit: nil,
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))))
    }

    /// Runs `body` with the controller running (unless `controllerRunning` is false, for tests that drive the only
    /// reconciler themselves); stops it afterwards.
    static func run(controllerRunning: Bool = true, _ body: (PolicyHarness) async throws -> Void) async throws {
        try await withKubeSim({ $0.podDeletionIsImmediate = true }) { server in
            for file in ["migration.ms2m.io_statefulmigrations.yaml", "migration.ms2m.io_migrationpolicies.yaml"] {
                let text = try String(
                    contentsOf: repositoryRoot.appendingPathComponent("config/crd/bases/\(file)"), encoding: .utf8)
                _ = try server.create(try YAML.parse(text))
            }
            let harness = PolicyHarness(server: server)
            try await harness.eventually("CRDs served") {
                let policies = try? await harness.client.list(MigrationPolicy.self, namespace: nil, options: ListOptions())
                let children = try? await harness.client.list(StatefulMigration.self, namespace: "default", options: ListOptions())
                return policies != nil && children != nil
            }
            let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            let manager = ControllerManager(
                api: harness.client,
                configuration: ManagerConfiguration(
                    healthProbeAddress: nil, metricsAddress: nil,
                    events: EventRecorderConfiguration(reportingController: "ms2m.io/test", reportingInstance: "test-0")),
                logger: quiet)
            let caches = PolicyCaches(factory: manager.informers)
            harness.cachesBox.withLock { $0 = caches }
            if controllerRunning {
                manager.add(MigrationPolicyController.make(
                    api: manager.api, informers: manager.informers, events: harness.events, logger: quiet,
                    budgetRecheck: .seconds(1), caches: caches))
            }
            let task = Task { try await manager.run() }
            do {
                try await body(harness)
            } catch {
                task.cancel()
                _ = await task.result
                throw error
            }
            task.cancel()
            _ = await task.result
        }
    }

    /// The eviction webhook, deciding from the controller's caches and writing through the harness's client.
    func evictionWebhook(now: @escaping @Sendable () -> Time = { .now() }) -> EvictionWebhook {
        let caches = cachesBox.withLock { $0 }!
        return EvictionWebhook(
            api: client, caches: caches, events: events,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: now)
    }

    /// The eviction webhook's scope reconciler over the controller's caches.
    func webhookScopeReconciler(configuration: String, webhook: String, operatorNamespace: String) -> WebhookScopeReconciler {
        WebhookScopeReconciler(
            api: client, caches: cachesBox.withLock { $0 }!, configuration: configuration, webhook: webhook,
            operatorNamespace: operatorNamespace, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            resync: .seconds(300))
    }

    /// Polls `condition` every 25 ms for up to `seconds`; fails the test with `what` when it never holds.
    func eventually(_ what: String, seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HarnessError("timed out waiting for: \(what)")
    }

    struct HarnessError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Cluster

    @discardableResult
    func addNode(_ name: String, cpu: String = "4", labels: [String: String] = [:]) async throws -> Node {
        var node = Node(metadata: ObjectMeta(name: name, labels: ["kubernetes.io/hostname": name].merging(labels) { $1 }))
        node.spec = NodeSpec()
        var status = NodeStatus()
        status.allocatable = ["cpu": Quantity(cpu)!, "memory": Quantity(stringLiteral: "8Gi"), "pods": Quantity(Int64(110))]
        status.capacity = status.allocatable
        status.conditions = [NodeCondition(type: .ready, status: .true)]
        var info = NodeSystemInfo()
        info.containerRuntimeVersion = "cri-o://1.31.2"
        info.kubeletVersion = "v1.31.2"
        status.nodeInfo = info
        node.status = status
        // Registered with its status in one create, as the kubelet registers a node.
        _ = try await client.create(node, namespace: nil, options: WriteOptions())
        // TaintNodesByCondition admits a new Node not-ready; the node lifecycle controller lifts the taint once
        // the node reports Ready, as a cluster's nodes are before anything is placed on them.
        var schedulable: Node?
        try await eventually("node \(name) loses its not-ready taint") {
            let node = try await client.get(Node.self, name: name, namespace: nil)
            guard !(node.spec?.taints ?? []).contains(where: { $0.key == "node.kubernetes.io/not-ready" }) else { return false }
            schedulable = node
            return true
        }
        guard let schedulable else { throw HarnessError("node \(name) vanished") }
        return schedulable
    }

    func patchNode(_ name: String, _ patch: JSONValue) async throws {
        _ = try await client.patch(Node.self, name: name, namespace: nil, patch: .merge(patch), subresource: nil, options: WriteOptions())
    }

    func statefulSet(_ name: String) async throws -> StatefulSet {
        var container = Container(name: "app", image: "example.com/app:1")
        container.resources = ResourceRequirements(requests: ["cpu": "100m"])
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: PodSpec(containers: [container]))
        var spec = StatefulSetSpec(selector: LabelSelector(matchLabels: ["app": name]), template: template)
        spec.replicas = 0
        spec.serviceName = name
        return try await client.create(
            StatefulSet(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec), namespace: "default",
            options: WriteOptions())
    }

    /// A Running pod of `set` on `node`.
    @discardableResult
    func addPod(_ name: String, of set: StatefulSet, on node: String, annotations: [String: String]? = nil) async throws -> Pod {
        var container = Container(name: "app", image: "example.com/app:1")
        container.resources = ResourceRequirements(requests: ["cpu": "500m", "memory": "128Mi"])
        var spec = PodSpec(containers: [container])
        spec.nodeName = node
        let owner = OwnerReference(controller: set)
        var pod = Pod(
            metadata: ObjectMeta(
                name: name, namespace: "default", labels: ["app": set.metadata.name ?? ""], annotations: annotations,
                ownerReferences: owner.map { [$0] }),
            spec: spec)
        pod = try await client.create(pod, namespace: "default", options: WriteOptions())
        var status = PodStatus()
        status.phase = .running
        status.conditions = [PodCondition(type: .ready, status: .true)]
        pod.status = status
        return try await client.updateStatus(pod)
    }

    func createPolicy(_ policy: MigrationPolicy) async throws {
        _ = try await client.create(policy, namespace: nil, options: WriteOptions())
    }

    func children() async throws -> [StatefulMigration] {
        try await client.list(StatefulMigration.self, namespace: nil, options: ListOptions()).items
            .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }

    func setPhase(_ child: StatefulMigration, _ phase: MigrationPhase) async throws {
        _ = try await client.patchStatus(
            StatefulMigration.self, name: child.metadata.name ?? "", namespace: child.metadata.namespace,
            patch: .merge(["status": ["phase": .string(phase.rawValue)]]), options: WriteOptions())
    }

    func policy(_ name: String) async throws -> MigrationPolicy {
        try await client.get(MigrationPolicy.self, name: name, namespace: nil)
    }
}
