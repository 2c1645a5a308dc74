import Foundation
import KubeClient
import KubeModel
import KubeSim
@testable import MS2MCLI
import OperatorCore
import Synchronization
import TestSupport
import Testing

/// `ms2m drain`'s kubectl semantics against the API emulator, without the operator: cordon, pod selection,
/// PodDisruptionBudget refusals retried until the budget allows, waiting for deletion, dry run, timeout.
@Suite("ms2m drain: kubectl drain's behaviour")
struct DrainCommandTests {
    @Test("flags: Go durations, --dry-run values, a NODE")
    func flags() throws {
        #expect(DrainCommand.duration("90s") == .seconds(90))
        #expect(DrainCommand.duration("1h30m") == .seconds(5400))
        #expect(DrainCommand.duration("500ms") == .milliseconds(500))
        #expect(DrainCommand.duration("0") == .zero)
        for bad in ["", "5", "5x", "-1s", "s"] { #expect(DrainCommand.duration(bad) == nil, "\(bad)") }
        #expect(throws: (any Error).self) { try DrainCommand.parse(["node-a", "--timeout", "soon"]) }
        #expect(throws: (any Error).self) { try DrainCommand.parse(["node-a", "--dry-run", "client"]) }
        #expect(throws: (any Error).self) { try DrainCommand.parse([]) }
        let command = try DrainCommand.parse(["node-a", "--timeout", "5m", "--pod-selector", "app=db", "--dry-run", "server", "--force"])
        #expect(command.node == "node-a" && command.force && command.dryRun == "server" && command.podSelector == "app=db")
    }

    /// A pod on `node`, controlled by `owner` (kind, name, uid) unless nil.
    static func pod(
        _ name: String, node: String, owner: (kind: String, name: String)?, uid: String? = nil, labels: [String: String] = [:],
        mirror: Bool = false
    ) -> Pod {
        var pod = Pod(
            metadata: ObjectMeta(
                name: name, namespace: "default", labels: labels,
                annotations: mirror ? ["kubernetes.io/config.mirror": "hash"] : nil,
                ownerReferences: owner.map { [OwnerReference(apiVersion: "apps/v1", kind: $0.kind, name: $0.name, uid: uid ?? "uid-\($0.name)", controller: true)] }),
            spec: PodSpec(containers: [Container(name: "app", image: "registry.local/pause:3.9")]))
        pod.spec?.nodeName = node
        return pod
    }

    /// Creates `pod` and marks it Running and Ready, as its kubelet would.
    static func run(_ pod: Pod, client: KubeClient) async throws {
        var pod = try await client.create(pod, namespace: "default", options: WriteOptions())
        pod.status = PodStatus()
        pod.status?.phase = .running
        pod.status?.conditions = [PodCondition(type: .ready, status: .true)]
        _ = try await client.updateStatus(pod)
    }

    @Test("DaemonSet and mirror pods stay; pods without a controller need --force; finished ones go")
    func selection() {
        var finished = Self.pod("job-x", node: "a", owner: nil)
        finished.status = PodStatus()
        finished.status?.phase = .succeeded
        let pods = [
            Self.pod("web-1", node: "a", owner: ("ReplicaSet", "web-1")), Self.pod("agent", node: "a", owner: ("DaemonSet", "agent")),
            Self.pod("static", node: "a", owner: nil, mirror: true), Self.pod("bare", node: "a", owner: nil), finished,
        ]
        let (selected, ignored) = NodeDrainer.select(pods, force: false)
        #expect(selected.compactMap(\.metadata.name) == ["web-1", "job-x"])
        #expect(Set(ignored.map(\.pod)) == ["default/agent", "default/static", "default/bare"])
        #expect(NodeDrainer.select(pods, force: true).selected.compactMap(\.metadata.name) == ["web-1", "bare", "job-x"])
    }

    @Test("a PodDisruptionBudget's 429 is retried until the budget allows; the node is cordoned; dry run changes nothing")
    func budgetRetried() async throws {
        try await withKubeSim({ $0.podDeletionIsImmediate = true }) { server in
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))
            for name in ["a", "b"] {
                _ = try await client.create(Node(metadata: ObjectMeta(name: name)), namespace: nil, options: WriteOptions())
            }
            // The owner exists (the garbage collector would remove pods of a missing one); no controller runs.
            let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]), spec: PodSpec(containers: [Container(name: "app", image: "registry.local/pause:3.9")]))
            let set = try await client.create(
                ReplicaSet(metadata: ObjectMeta(name: "web", namespace: "default"), spec: ReplicaSetSpec(replicas: 3, selector: LabelSelector(matchLabels: ["app": "web"]), template: template)),
                namespace: "default", options: WriteOptions())
            let owner = set.metadata.uid
            for (name, node) in [("web-0", "a"), ("web-1", "a"), ("web-2", "b")] {
                try await Self.run(Self.pod(name, node: node, owner: ("ReplicaSet", "web"), uid: owner, labels: ["app": "web"]), client: client)
            }
            _ = try await client.create(
                PodDisruptionBudget(
                    metadata: ObjectMeta(name: "web", namespace: "default"),
                    spec: PodDisruptionBudgetSpec(minAvailable: .int(2), selector: LabelSelector(matchLabels: ["app": "web"]))),
                namespace: "default", options: WriteOptions())

            var options = NodeDrainer.Options()
            options.retryInterval = .milliseconds(100)
            options.pollInterval = .milliseconds(50)
            options.dryRun = true
            let dry = try await NodeDrainer(api: client, options: options).drain(node: "a")
            #expect(dry.completed && dry.pods.count == 2)
            #expect(try await client.get(Node.self, name: "a").isUnschedulable == false, "a dry run does not cordon")
            #expect(try await client.list(Pod.self, namespace: "default", options: ListOptions()).items.count == 3)

            // Three pods, minAvailable 2: one eviction at a time. A stand-in ReplicaSet controller brings a
            // replacement up on node b after an eviction — the first only once the budget has refused the other
            // pod's eviction —, which lets the next one through.
            options.dryRun = false
            options.timeout = .seconds(20)
            let lines = Mutex<[String]>([])
            let draining = Task { try await NodeDrainer(api: client, options: options) { line in lines.withLock { $0.append(line) } }.drain(node: "a") }
            var replacements = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while replacements < 2, ContinuousClock.now < deadline {
                let pods = try await client.list(Pod.self, namespace: "default", options: ListOptions(labelSelector: "app=web")).items
                let refused = lines.withLock { $0.contains { $0.contains("will retry after") } }
                if pods.count < 3, replacements > 0 || refused {
                    replacements += 1
                    try await Self.run(
                        Self.pod("web-r\(replacements)", node: "b", owner: ("ReplicaSet", "web"), uid: owner, labels: ["app": "web"]),
                        client: client)
                }
                try await Task.sleep(for: .milliseconds(30))
            }
            let result = try await draining.value
            #expect(result.completed, "\(result.error ?? "")")
            #expect(result.evicted == ["default/web-0", "default/web-1"])
            #expect(result.evictionsRefused >= 1, "the budget refused the second eviction at least once: \(lines.withLock { $0 })")
            #expect(try await client.get(Node.self, name: "a").isUnschedulable == true)
            #expect(lines.withLock { $0 }.contains { $0.contains("will retry after") && $0.contains("disruption budget") })
        }
    }

    @Test("the drain's --timeout ends a drain whose evictions keep being refused, reporting the last refusal")
    func timeout() async throws {
        try await withKubeSim({ $0.podDeletionIsImmediate = true }) { server in
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))
            _ = try await client.create(Node(metadata: ObjectMeta(name: "a")), namespace: nil, options: WriteOptions())
            let template = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "db"]), spec: PodSpec(containers: [Container(name: "app", image: "registry.local/pause:3.9")]))
            var setSpec = StatefulSetSpec(selector: LabelSelector(matchLabels: ["app": "db"]), template: template)
            setSpec.replicas = 1
            setSpec.serviceName = "db"
            let set = try await client.create(
                StatefulSet(metadata: ObjectMeta(name: "db", namespace: "default"), spec: setSpec), namespace: "default", options: WriteOptions())
            try await Self.run(
                Self.pod("db-0", node: "a", owner: ("StatefulSet", "db"), uid: set.metadata.uid, labels: ["app": "db"]), client: client)
            _ = try await client.create(
                PodDisruptionBudget(
                    metadata: ObjectMeta(name: "db", namespace: "default"),
                    spec: PodDisruptionBudgetSpec(minAvailable: .int(1), selector: LabelSelector(matchLabels: ["app": "db"]))),
                namespace: "default", options: WriteOptions())
            var options = NodeDrainer.Options()
            options.retryInterval = .milliseconds(100)
            options.timeout = .milliseconds(800)
            let result = try await NodeDrainer(api: client, options: options).drain(node: "a")
            #expect(!result.completed)
            #expect(result.evicted.isEmpty && result.evictionsRefused >= 3)
            #expect((result.error ?? "").contains("default/db-0") && (result.error ?? "").contains("timed out"))
            #expect(try await client.get(Pod.self, name: "db-0", namespace: "default").metadata.deletionTimestamp == nil)
        }
    }
}
