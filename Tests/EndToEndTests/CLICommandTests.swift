import Foundation
import KubeClient
import KubeModel
import KubeSim
import MigrationAPI
import PolicyEngine
@testable import MS2MCLI
import TestSupport
import Testing
import Unstructured
import YAMLCodec

/// `ms2m plan`, `ms2m migrate` and `ms2m status`, run in the test process: `plan` against snapshot files and
/// against KubeSim, `migrate` and `status` against KubeSim with the real CRDs.
@Suite("ms2m plan, migrate and status", .serialized)
struct CLICommandTests {
    static let now = Time(rfc3339: "2026-11-20T12:00:00Z")!

    /// A cluster of three nodes, node-a cordoned, with two StatefulSet pods on node-a (one too large for any
    /// other node) and a Deployment pod.
    static let snapshotYAML = """
        apiVersion: v1
        kind: Node
        metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}
        spec: {unschedulable: true}
        status:
          allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
          conditions: [{type: Ready, status: "True"}]
          nodeInfo: {containerRuntimeVersion: "cri-o://1.31.2", kubeletVersion: v1.31.2}
        ---
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: Node
            metadata: {name: node-b}
            status:
              allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
              conditions: [{type: Ready, status: "True"}]
              nodeInfo: {containerRuntimeVersion: "cri-o://1.31.2", kubeletVersion: v1.31.2}
          - apiVersion: v1
            kind: Node
            metadata: {name: node-c}
            status:
              allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
              conditions: [{type: Ready, status: "True"}]
              nodeInfo: {containerRuntimeVersion: "cri-o://1.31.2", kubeletVersion: v1.31.2}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {team: orders}}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: db-0
          namespace: shop
          uid: uid-db-0
          labels: {app: db}
          ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: uid-sts-db, controller: true}]
        spec:
          nodeName: node-a
          containers: [{name: app, image: example.com/db:1, resources: {requests: {cpu: 500m, memory: 256Mi}}}]
        status: {phase: Running}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: big-0
          namespace: shop
          uid: uid-big-0
          labels: {app: db}
          ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: big, uid: uid-sts-big, controller: true}]
        spec:
          nodeName: node-a
          containers: [{name: app, image: example.com/db:1, resources: {requests: {cpu: "16"}}}]
        status: {phase: Running}
        """

    static let policyYAML = """
        apiVersion: migration.ms2m.io/v1alpha1
        kind: MigrationPolicy
        metadata: {name: drain}
        spec:
          triggers: {cordon: true}
          selection:
            namespaceSelector: {matchLabels: {team: orders}}
          template:
            checkpointImageRepository: registry.example.com/ckpt
            messageQueueConfig: {queueName: orders, brokerUrl: "amqp://broker:5672/"}
          fallback: {action: Evict}
        """

    @Test("plan prints moves, unplaceable pods and evictions as a table from a snapshot file")
    func planTable() throws {
        let cluster = try ClusterSnapshot.parse(yaml: Self.snapshotYAML, source: "snapshot.yaml")
        #expect(cluster.nodes.count == 3 && cluster.pods.count == 2 && cluster.namespaces.count == 1)
        let policies = try ClusterSnapshot.parse(yaml: Self.policyYAML, source: "policy.yaml").policies
        let table = try PlanCommand.render(policies: policies, cluster: cluster, now: Self.now, format: .table)
        #expect(table.contains("draining node-a (Cordon)"))
        #expect(table.contains("MOVES (1):"))
        let moveLine = try #require(table.split(separator: "\n").first { $0.hasPrefix("shop") && $0.contains("db-0") })
        #expect(moveLine.split(separator: " ", omittingEmptySubsequences: true).prefix(5) == ["shop", "db-0", "node-a", "node-b", "Drain"])
        #expect(table.contains("UNPLACEABLE (1):") && table.contains("InsufficientCPU"))
        #expect(table.contains("EVICTIONS (1):") && table.contains("Unplaceable"))
        #expect(table.contains("YIELDED: none"))
    }

    // Issue 18's report: a pod with required podAntiAffinity against `app: cache` on kubernetes.io/hostname, on a
    // cordoned node, with a roomy node running a cache pod and a small free node. The scheduler would only
    // put it on the small node (assign-pod-node, "Inter-pod affinity and anti-affinity"), and so must plan.
    @Test("plan honours required pod anti-affinity: the pod goes to the small free node, not next to the cache")
    func planAntiAffinity() throws {
        let snapshot = """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Node
                metadata: {name: old, labels: {kubernetes.io/hostname: old}}
                spec: {unschedulable: true}
                status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}, conditions: [{type: Ready, status: "True"}], nodeInfo: {containerRuntimeVersion: "cri-o://1.31.2", kubeletVersion: v1.31.2}}
              - apiVersion: v1
                kind: Node
                metadata: {name: roomy, labels: {kubernetes.io/hostname: roomy}}
                status: {allocatable: {cpu: "32", memory: 64Gi, pods: "110"}, conditions: [{type: Ready, status: "True"}], nodeInfo: {containerRuntimeVersion: "cri-o://1.31.2", kubeletVersion: v1.31.2}}
              - apiVersion: v1
                kind: Node
                metadata: {name: small, labels: {kubernetes.io/hostname: small}}
                status: {allocatable: {cpu: "2", memory: 4Gi, pods: "110"}, conditions: [{type: Ready, status: "True"}], nodeInfo: {containerRuntimeVersion: "cri-o://1.31.2", kubeletVersion: v1.31.2}}
              - apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {team: orders}}
              - apiVersion: v1
                kind: Pod
                metadata: {name: cache-0, namespace: shop, uid: uid-cache-0, labels: {app: cache}}
                spec:
                  nodeName: roomy
                  containers: [{name: cache, image: example.com/cache:1, resources: {requests: {cpu: "1"}}}]
                status: {phase: Running}
              - apiVersion: v1
                kind: Pod
                metadata:
                  name: web-0
                  namespace: shop
                  uid: uid-web-0
                  labels: {app: web}
                  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: web, uid: uid-sts-web, controller: true}]
                spec:
                  nodeName: old
                  affinity:
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                        - labelSelector: {matchLabels: {app: cache}}
                          topologyKey: kubernetes.io/hostname
                  containers: [{name: app, image: example.com/web:1, resources: {requests: {cpu: 500m}}}]
                status: {phase: Running}
            """
        let cluster = try ClusterSnapshot.parse(yaml: snapshot, source: "snapshot.yaml")
        let policies = try ClusterSnapshot.parse(yaml: Self.policyYAML, source: "policy.yaml").policies
        let table = try PlanCommand.render(policies: policies, cluster: cluster, now: Self.now, format: .table)
        let moveLine = try #require(table.split(separator: "\n").first { $0.hasPrefix("shop") && $0.contains("web-0") })
        #expect(moveLine.split(separator: " ", omittingEmptySubsequences: true).prefix(4) == ["shop", "web-0", "old", "small"])

        // With the small node full, nothing fits, and the reason reads as the scheduler's.
        let full = try ClusterSnapshot.parse(
            yaml: snapshot.replacingOccurrences(of: "cpu: \"2\", memory: 4Gi", with: "cpu: 200m, memory: 4Gi"), source: "snapshot.yaml")
        let none = try PlanCommand.render(policies: policies, cluster: full, now: Self.now, format: .table)
        #expect(none.contains("UNPLACEABLE (1):"))
        #expect(none.contains("0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod anti-affinity rules, 1 node(s) excluded by the migration"))
    }

    static func completedMigration(_ name: String, transferring: String) -> String {
        """
        apiVersion: migration.ms2m.io/v1alpha1
        kind: StatefulMigration
        metadata: {name: \(name), namespace: shop}
        spec: {sourcePod: db-0, checkpointImageRepository: registry.example.com/ckpt, messageQueueConfig: {queueName: orders, brokerUrl: "amqp://broker:5672/"}}
        status:
          phase: Completed
          phaseTimings: {Pending: 1s, Checkpointing: 2s, Transferring: \(transferring), Restoring: 4s, Replaying: 2s, Finalizing: 1s}
        """
    }

    @Test("simulate --snapshot --policy --drain forecasts the drain: waves, targets, evictions, the drain time from measured phases")
    func whatIfDrain() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("whatif-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = directory.appendingPathComponent("cluster.yaml").path
        let policy = directory.appendingPathComponent("policy.yaml").path
        let timings = directory.appendingPathComponent("timings.yaml").path
        try Self.snapshotYAML.write(toFile: snapshot, atomically: true, encoding: .utf8)
        try Self.policyYAML.write(toFile: policy, atomically: true, encoding: .utf8)
        let migrations = [("m1", "20s"), ("m2", "1m10s"), ("m3", "5s")].map { Self.completedMigration($0.0, transferring: $0.1) }
        try migrations.joined(separator: "\n---\n").write(toFile: timings, atomically: true, encoding: .utf8)

        let command = try SimulateCommand.parse(["--snapshot", snapshot, "--policy", policy, "--drain", "node-a", "--timings", timings, "--now", "2026-11-20T12:00:00Z"])
        #expect(command.drainedNodes == ["node-a"])
        let whatIf = WhatIfDrain(
            snapshotPath: snapshot, policyPath: policy, drain: command.drainedNodes, timingsPath: timings, evicts: true, now: Self.now)
        let input = try whatIf.input()
        #expect(input.durations.total == 30, "medians: 1 + 2 + 20 + 4 + 2 + 1")
        let timeline = DrainForecast.run(input)
        let text = WhatIfDrain.text(timeline, input: input)
        #expect(text.contains("t+0.00s  wave 1: 1 migration(s) start: shop/db-0 node-a→node-b"), "\(text)")
        #expect(text.contains("t+30.00s  node node-a is empty"))
        #expect(text.contains("Evicted without migration (1):") && text.contains("big-0") && text.contains("fallback"))
        #expect(text.contains("Estimated drain time: t+30.00s"))
        #expect(text.contains("median of 3 Completed StatefulMigration(s)"))
        let json = try JSONValue.parse(Array(WhatIfDrain.json(timeline, input: input).utf8))
        #expect(json["drainSeconds"]?.doubleValue == 30)
        #expect(json["moves"]?.arrayValue?.first?["target"]?.stringValue == "node-b")

        // Bad input is refused with what to fix.
        #expect(throws: (any Error).self) { try SimulateCommand.parse(["--snapshot", snapshot, "--drain", "node-a"]) }
        #expect(throws: (any Error).self) { try SimulateCommand.parse(["--drain", "node-a"]) }
        let unknown = WhatIfDrain(snapshotPath: snapshot, policyPath: policy, drain: ["node-z"], timingsPath: nil, evicts: true, now: Self.now)
        #expect(throws: CLIInputError.self) { try unknown.input() }
    }

    // A zonal volume (persistent-volumes/#node-affinity) and a DoNotSchedule zone spread
    // (topology-spread-constraints) decide the target in `ms2m plan` as the scheduler would: db-0's disk is in
    // zone b, so the roomier node of zone a is out; web-2's spread of 1 per zone allows only zone c.
    @Test("plan honours a zonal volume's node affinity and a DoNotSchedule zone spread")
    func planVolumeAndSpread() throws {
        func node(_ name: String, zone: String, cpu: String) -> String {
            """
              - apiVersion: v1
                kind: Node
                metadata: {name: \(name), labels: {kubernetes.io/hostname: \(name), topology.kubernetes.io/zone: \(zone)}}
                status: {allocatable: {cpu: "\(cpu)", memory: 64Gi, pods: "110"}, conditions: [{type: Ready, status: "True"}], nodeInfo: {containerRuntimeVersion: "cri-o://1.31.2", kubeletVersion: v1.31.2}}
            """
        }
        func web(_ name: String, node: String) -> String {
            """
              - apiVersion: v1
                kind: Pod
                metadata:
                  name: \(name)
                  namespace: shop
                  uid: uid-\(name)
                  labels: {app: web}
                  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: web, uid: uid-sts-web, controller: true}]
                spec:
                  nodeName: \(node)
                  topologySpreadConstraints:
                    - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
                  containers: [{name: app, image: example.com/web:1, resources: {requests: {cpu: 100m}}}]
                status: {phase: Running}
            """
        }
        let snapshot = """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: Node
                metadata: {name: old, labels: {kubernetes.io/hostname: old, topology.kubernetes.io/zone: b}}
                spec: {unschedulable: true}
                status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}, conditions: [{type: Ready, status: "True"}], nodeInfo: {containerRuntimeVersion: "cri-o://1.31.2", kubeletVersion: v1.31.2}}
            \(node("a-big", zone: "a", cpu: "64"))
            \(node("b-small", zone: "b", cpu: "4"))
            \(node("c-small", zone: "c", cpu: "4"))
              - apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {team: orders}}
              - apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data-db-0, namespace: shop}
                spec: {accessModes: [ReadWriteOnce], volumeName: pv-db-0}
              - apiVersion: v1
                kind: PersistentVolume
                metadata: {name: pv-db-0}
                spec:
                  accessModes: [ReadWriteOnce]
                  nodeAffinity:
                    required:
                      nodeSelectorTerms: [{matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [b]}]}]
              - apiVersion: v1
                kind: Pod
                metadata:
                  name: db-0
                  namespace: shop
                  uid: uid-db-0
                  labels: {app: db}
                  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: uid-sts-db, controller: true}]
                spec:
                  nodeName: old
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data-db-0}}]
                  containers: [{name: app, image: example.com/db:1, resources: {requests: {cpu: 500m}}}]
                status: {phase: Running}
            \(web("web-0", node: "a-big"))
            \(web("web-1", node: "b-small"))
            \(web("web-2", node: "old"))
            """
        let cluster = try ClusterSnapshot.parse(yaml: snapshot, source: "snapshot.yaml")
        #expect(cluster.claims.count == 1 && cluster.volumes.count == 1)
        let policies = try ClusterSnapshot.parse(yaml: Self.policyYAML, source: "policy.yaml").policies
        let table = try PlanCommand.render(policies: policies, cluster: cluster, now: Self.now, format: .table)
        func target(_ pod: String) throws -> Substring {
            let line = try #require(table.split(separator: "\n").first { $0.hasPrefix("shop") && $0.contains(" \(pod) ") })
            return line.split(separator: " ", omittingEmptySubsequences: true)[3]
        }
        #expect(try target("db-0") == "b-small", "its disk is in zone b")
        #expect(try target("web-2") == "c-small", "zones a and b already hold one web pod each")
    }

    @Test("plan -o yaml prints the StatefulMigrations it would create, ready for kubectl apply")
    func planYAML() throws {
        let cluster = try ClusterSnapshot.parse(yaml: Self.snapshotYAML, source: "snapshot.yaml")
        let policies = try ClusterSnapshot.parse(yaml: Self.policyYAML, source: "policy.yaml").policies
        let text = try PlanCommand.render(policies: policies, cluster: cluster, now: Self.now, format: .yaml)
        #expect(text.hasPrefix("# ms2m plan for MigrationPolicy drain: 1 migration(s)"))
        #expect(text.contains("# evict shop/big-0 (Unplaceable)"))
        let documents = try YAML.parseAll(text).filter { !$0.isNull }
        #expect(documents.count == 1)
        let child = try JSONValueDecoder().decode(StatefulMigration.self, from: try #require(documents.first))
        #expect(child.apiVersion == "migration.ms2m.io/v1alpha1" && child.kind == "StatefulMigration")
        #expect(child.metadata.namespace == "shop" && child.spec.sourcePod == "db-0" && child.spec.targetNode == "node-b")
        #expect(child.metadata.labels?[MigrationPolicyLabel.policy] == "drain")
        #expect(child.metadata.name?.hasPrefix("drain-db-0-") == true)
    }

    @Test("plan: a higher-priority policy in the snapshot takes the pods both cover")
    func planYields() throws {
        var cluster = try ClusterSnapshot.parse(yaml: Self.snapshotYAML, source: "snapshot.yaml")
        cluster.policies = try ClusterSnapshot.parse(yaml: """
            apiVersion: migration.ms2m.io/v1alpha1
            kind: MigrationPolicy
            metadata: {name: urgent}
            spec: {triggers: {cordon: true}, priority: 5}
            """, source: "cluster").policies
        let policies = try ClusterSnapshot.parse(yaml: Self.policyYAML, source: "policy.yaml").policies
        let table = try PlanCommand.render(policies: policies, cluster: cluster, now: Self.now, format: .table)
        #expect(table.contains("YIELDED (2):") && table.contains("priority 5 > 0") && table.contains("MOVES: none"))
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var message: String
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "not YAML", yaml: "a: [", message: "snapshot.yaml: not valid YAML"),
        BadInput(name: "no kind", yaml: "metadata: {name: x}", message: "snapshot.yaml: document 1 has no kind"),
        BadInput(name: "unsupported kind", yaml: "kind: Service\nmetadata: {name: web}",
                 message: "document 1 (Service web): a snapshot holds only Node, Pod, Namespace, PersistentVolumeClaim, PersistentVolume, StatefulMigration, MigrationPolicy"),
        BadInput(name: "wrong field type", yaml: "kind: Node\nmetadata: {name: node1}\nspec: {unschedulable: [1]}",
                 message: "document 1 (Node node1) does not decode"),
        BadInput(name: "nameless node", yaml: "kind: Node\nmetadata: {}", message: "(Node ?) has no metadata.name"),
    ]

    @Test("bad snapshot files get errors that name the document and what is wrong", arguments: badInputs)
    func badSnapshot(_ c: BadInput) {
        do {
            _ = try ClusterSnapshot.parse(yaml: c.yaml, source: "snapshot.yaml")
            Issue.record("accepted \(c.name)")
        } catch {
            #expect("\(error)".contains(c.message), "\(error)")
        }
    }

    @Test("plan -f rejects files without policies or with cluster objects")
    func badPolicyFile() throws {
        let directory = NSTemporaryDirectory() + "ms2m-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mixed = directory + "/mixed.yaml"
        try (Self.policyYAML + "\n---\n" + Self.snapshotYAML).write(toFile: mixed, atomically: true, encoding: .utf8)
        #expect(throws: CLIInputError.self) { try PlanCommand.loadPolicies(path: mixed) }
        let empty = directory + "/empty.yaml"
        try "# nothing\n".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect(throws: CLIInputError.self) { try PlanCommand.loadPolicies(path: empty) }
        #expect(throws: CLIInputError.self) { try PlanCommand.loadPolicies(path: directory + "/missing.yaml") }
        // Bad input reads like the file, not like Swift: the path and the kinds of value, the byte that is not UTF-8.
        let wrongType = directory + "/wrong-type.yaml"
        try (Self.policyYAML + "\n  budgets: {maxConcurrent: lots}\n").write(toFile: wrongType, atomically: true, encoding: .utf8)
        let typeMessage = "\(Self.error { _ = try PlanCommand.loadPolicies(path: wrongType) })"
        #expect(typeMessage.contains("spec.budgets.maxConcurrent: expected an integer, found a string"), "\(typeMessage)")
        #expect(!typeMessage.contains("DecodingError") && !typeMessage.contains("Int32"), "\(typeMessage)")
        let binary = directory + "/binary.yaml"
        FileManager.default.createFile(atPath: binary, contents: Data(Array("kind: MigrationPolicy\n".utf8) + [0xFF, 0xFE]))
        let utf8Message = "\(Self.error { _ = try PlanCommand.loadPolicies(path: binary) })"
        #expect(utf8Message.contains("not UTF-8: byte 0xFF at offset 22"), "\(utf8Message)")
        let list = directory + "/items-map.yaml"
        try "apiVersion: v1\nkind: List\nitems: {a: 1}\n".write(toFile: list, atomically: true, encoding: .utf8)
        #expect("\(Self.error { _ = try ClusterSnapshot.parse(yaml: try PlanCommand.read(list), source: list) })".contains("items must be a list"))
        // Every example in policies/ loads.
        for name in ["default", "drain-on-cordon", "maintenance-label", "maintenance-taint-window", "dry-run"] {
            #expect(try PlanCommand.loadPolicies(path: "\(repositoryRoot)/policies/\(name).yaml").count == 1)
        }
    }

    /// The error `body` throws (a failed expectation when it throws none).
    static func error(_ body: () throws -> Void) -> any Error {
        do {
            try body()
        } catch {
            return error
        }
        Issue.record("no error was thrown")
        return CLIInputError("none")
    }

    /// KubeSim with both CRDs, the snapshot's nodes, namespace and pods, and a client.
    func withCluster(_ body: (KubeSimServer, KubeClient) async throws -> Void) async throws {
        try await withKubeSim { server in
            try installMigrationCRDs(on: server)
            for document in try YAML.parseAll(Self.snapshotYAML) {
                for object in document["kind"] == "List" ? (document["items"]?.arrayValue ?? []) : [document] {
                    var object = object
                    object["status"] = nil
                    _ = try server.create(object)
                }
            }
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, namespace: "shop", rateLimit: nil))
            try await body(server, client)
        }
    }

    @Test("plan against the live cluster lists nodes, pods, namespaces and migrations")
    func planLive() async throws {
        try await withCluster { _, client in
            let cluster = try await ClusterSnapshot.load(client: client)
            #expect(cluster.nodes.count == 3 && cluster.pods.count == 2)
            #expect(cluster.namespaceLabels["shop"]?["team"] == "orders")
            #expect(cluster.nodes.first { $0.metadata.name == "node-a" }?.isUnschedulable == true)
        }
    }

    @Test("migrate creates a StatefulMigration for the pod; status lists it")
    func migrateAndStatus() async throws {
        try await withCluster { _, client in
            let command = try MigrateCommand.parse(["db-0", "--to", "node-b", "-n", "shop", "--strategy", "Sequential",
                                                    "--queue", "orders", "--broker-url", "amqp://broker:5672/",
                                                    "--checkpoint-repository", "registry.example.com/ckpt"])
            let created = try await MigrateCommand.create(command.migration(), client: client)
            let name = try #require(created.metadata.name)
            #expect(name.hasPrefix("db-0-migration-"))
            let stored = try await client.get(StatefulMigration.self, name: name, namespace: "shop")
            #expect(stored.spec.sourcePod == "db-0" && stored.spec.targetNode == "node-b")
            #expect(stored.spec.migrationStrategy == "Sequential" && stored.spec.messageQueueConfig?.queueName == "orders")

            let listed = try await client.listAll(StatefulMigration.self, namespace: nil).items
            let table = StatusCommand.table(listed, now: .now(), allNamespaces: true, wide: true)
            let lines = table.split(separator: "\n")
            #expect(lines.first?.hasPrefix("NAMESPACE") == true && lines.first?.contains("CHECKPOINTING") == true)
            let row = try #require(lines.first { $0.contains(name) }).split(separator: " ", omittingEmptySubsequences: true)
            #expect(Array(row.prefix(6)) == ["shop", Substring(name), "New", "<unknown>", "node-b", "Sequential"])
        }
    }

    @Test("migrate refuses a missing pod, a missing node and the pod's own node")
    func migrateErrors() async throws {
        try await withCluster { _, client in
            for (arguments, message) in [
                (["nope-0", "--to", "node-b"], "pod nope-0 not found"),
                (["db-0", "--to", "node-z"], "node node-z not found"),
                (["db-0", "--to", "node-a"], "already runs on node-a"),
            ] {
                let command = try MigrateCommand.parse(arguments + ["-n", "shop"])
                do {
                    _ = try await MigrateCommand.create(command.migration(), client: client)
                    Issue.record("created a migration for \(arguments)")
                } catch {
                    #expect("\(error)".contains(message), "\(error)")
                }
            }
            #expect(throws: (any Error).self) { try MigrateCommand.parse(["db-0", "--to", "node-b", "--strategy", "Teleport"]) }
            #expect(try await client.listAll(StatefulMigration.self, namespace: nil).items.isEmpty)
        }
    }

    @Test("status shows phase, duration and per-phase timings")
    func statusTable() {
        var done = StatefulMigration(
            metadata: ObjectMeta(name: "m1", namespace: "shop", creationTimestamp: Time(rfc3339: "2026-11-20T11:50:00Z")!),
            spec: StatefulMigrationSpec(sourcePod: "db-0", targetNode: "node-b"))
        var status = StatefulMigrationStatus(phase: .completed)
        status.sourceNode = "node-a"
        status.strategy = .sequential
        status.startTime = Time(rfc3339: "2026-11-20T11:50:05Z")!
        status.completionTime = Time(rfc3339: "2026-11-20T11:50:47Z")!
        status.phaseTimings = ["Checkpointing": "1.2s", "Replaying": "3.5s"]
        done.status = status
        let table = StatusCommand.table([done], now: Self.now, allNamespaces: false, wide: true)
        let lines = table.split(separator: "\n")
        #expect(lines.first?.hasPrefix("NAME ") == true)
        #expect(lines[1].split(separator: " ", omittingEmptySubsequences: true)
            == ["m1", "Completed", "node-a", "node-b", "Sequential", "10m", "42s", "db-0", "-", "1.2s", "-", "-", "3.5s", "-", "-"])
        #expect(StatusCommand.humanDuration(seconds: 200) == "3m20s")
        #expect(StatusCommand.humanDuration(seconds: 3 * 86400 + 7200) == "3d2h")
    }
}
