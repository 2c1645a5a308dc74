import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import SampleWorkload
import Synchronization
import Testing

extension EndToEnd {
    /// A ReplicaSet of the sample consumer as a Deployment makes it (`pod-template-hash` in selector and
    /// template); each pod consumes its own queue, named after the pod.
    @discardableResult
    func createReplicaSet(_ app: String, hash: String, replicas: Int) async throws -> ReplicaSet {
        var podSpec = PodSpec(containers: [consumerContainer(queue: nil)])
        podSpec.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "kubernetes.io/hostname", operator: .in, values: ["node-a", "node-b", "node-c"])])
        ])))
        let labels = ["app": app, "pod-template-hash": hash]
        let spec = ReplicaSetSpec(replicas: replicas, selector: LabelSelector(matchLabels: labels), template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: podSpec))
        return try await client.create(ReplicaSet(metadata: ObjectMeta(name: "\(app)-\(hash)", namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
    }

    /// The active pods `set` controls.
    func pods(of set: ReplicaSet) async throws -> [Pod] {
        try await client.list(Pod.self, namespace: "default", options: ListOptions()).items.filter {
            $0.metadata.controllerReference?.uid == set.metadata.uid && $0.metadata.deletionTimestamp == nil
        }
    }
}

/// Names of the pods created (ADDED) while it runs, from a watch started at a known resourceVersion.
final class PodCreations: Sendable {
    private let names = Mutex<[String]>([])
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(_ e: EndToEnd, from resourceVersion: String?) {
        let stream = e.client.watch(Pod.self, namespace: "default", options: WatchOptions(resourceVersion: resourceVersion, allowWatchBookmarks: false))
        let t = Task {
            do {
                for try await event in stream {
                    if case .added(let pod) = event { self.names.withLock { $0.append(pod.metadata.name ?? "") } }
                }
            } catch {}
        }
        task.withLock { $0 = t }
    }

    func stop() -> [String] {
        task.withLock { $0?.cancel() }
        return names.withLock { $0 }
    }
}

@Suite("end to end: ShadowPod migration of one ReplicaSet (Deployment) replica (real RabbitMQ and registry)", .serialized)
struct ReplicaSetEndToEndTests {
    @Test("one of three replicas moves at 100 msg/s: exact count, the set keeps 3 and owns the target, siblings untouched, no replacement pod")
    func migrateOneReplica() async throws {
        try await EndToEnd.run { e in try await e.withOperator { try await Self.migrate(e, restartAt: nil) } }
    }

    @Test("the operator restarted during Finalizing still hands the target over without loss")
    func restartInFinalizing() async throws {
        try await EndToEnd.run { e in try await Self.migrate(e, restartAt: .finalizing) }
    }

    /// Runs the scenario; with `restartAt`, the operator is stopped when the migration reaches that phase
    /// and a new one finishes it (otherwise the caller runs the operator around it).
    static func migrate(_ e: EndToEnd, restartAt: MigrationPhase?) async throws {
        let set = try await e.createReplicaSet("counter", hash: "7c9f5d8b6", replicas: 3)
        try await e.waitUntil("3 replicas running and ready") {
            let pods = try await e.pods(of: set)
            return pods.count == 3 && pods.allSatisfy { $0.status?.phase == .running && $0.isReady }
        }
        let list = try await e.client.list(Pod.self, namespace: "default", options: ListOptions())
        let before = list.items.filter { $0.metadata.controllerReference?.uid == set.metadata.uid }
        let source = try #require(before.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.first)
        let sourceName = try #require(source.metadata.name)
        let sourceNode = try #require(source.spec?.nodeName)
        let targetName = "\(sourceName)-shadow"
        let creations = PodCreations()
        creations.start(e, from: list.metadata.resourceVersion)

        let spec = e.migrationSpec(source: sourceName, target: nil, queue: sourceName)
        let outcome = try await e.withTraffic(queue: sourceName, rate: 100, finalPod: targetName) {
            guard let restartAt else { return try await e.migrate("move", spec: spec) }
            try await e.withOperator {
                _ = try await e.client.create(StatefulMigration(metadata: ObjectMeta(name: "move", namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
                try await e.waitUntil("phase \(restartAt.rawValue)", timeout: .seconds(90)) {
                    let current = try await e.migration("move").status?.phase
                    return current == restartAt || current?.isFinal == true
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            var result: StatefulMigration?
            try await e.withOperator { result = try await e.waitForFinal("move") }
            return result!
        }
        let migration = outcome.0
        #expect(migration.status?.phase == .completed, "\(migration.status?.failureReason ?? ""): \(migration.status?.failureMessage ?? "")")
        #expect(migration.status?.strategy == .shadowPod)
        #expect(migration.status?.replicaSetHandOff?.heldLabelKey == "pod-template-hash")
        #expect(outcome.produced > 0)

        // The set: still 3 replicas, the target among them, the siblings the same pods, never restarted.
        try await e.waitUntil("the ReplicaSet to settle at 3 with the target") {
            let current = try await e.client.get(ReplicaSet.self, name: set.metadata.name ?? "", namespace: "default")
            let names = Set(try await e.pods(of: set).compactMap(\.metadata.name))
            return current.status?.replicas == 3 && names.contains(targetName) && !names.contains(sourceName)
        }
        try await Task.sleep(for: .seconds(1))
        let current = try await e.client.get(ReplicaSet.self, name: set.metadata.name ?? "", namespace: "default")
        #expect(current.spec?.replicas == 3)
        let after = try await e.pods(of: set)
        #expect(after.count == 3)
        let target = try #require(after.first { $0.metadata.name == targetName })
        #expect(target.spec?.nodeName != sourceNode)
        #expect(target.metadata.labels?["pod-template-hash"] == "7c9f5d8b6")
        #expect(target.metadata.controllerReference?.kind == "ReplicaSet")
        for old in before where old.metadata.uid != source.metadata.uid {
            let now = after.first { $0.metadata.name == old.metadata.name }
            #expect(now?.metadata.uid == old.metadata.uid, "\(old.metadata.name ?? "") was replaced")
            #expect(now?.status?.containerStatuses?.first?.restartCount == 0, "\(old.metadata.name ?? "") restarted")
        }
        #expect(try await e.pod(sourceName) == nil)

        // No replacement pod was ever created: the only new pods are the target and the transfer Job's.
        let created = creations.stop()
        let prefix = "\(set.metadata.name ?? "")-"
        let unexpected = created.filter { $0.hasPrefix(prefix) && $0 != targetName && !$0.hasPrefix("move-transfer") }
        #expect(unexpected.isEmpty, "the ReplicaSet created \(unexpected)")
        #expect(created.contains(targetName))

        // Nothing left behind.
        #expect(try await e.brokers.broker(url: e.brokerURL, credentials: nil).queueStatus("\(sourceName).ms2m-replay") == nil)
        #expect(try await e.client.list(Job.self, namespace: "default", options: ListOptions()).items.isEmpty)
        #expect(e.checkpointArchives(on: sourceNode).isEmpty)
        print("E2E replicaset restart=\(restartAt?.rawValue ?? "none") produced=\(outcome.produced) timings=\(migration.status?.phaseTimings ?? [:]) replay=\(String(describing: migration.status?.replay))")
    }
}
