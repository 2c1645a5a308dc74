import ArgumentParser
import Foundation
import KubeModel
import MigrationAPI
import Placement
import PolicyEngine

/// `ms2m bench planner`: the pure `MigrationPolicy` planner (`MigrationPlanner.plan`) over large synthetic
/// snapshots — planning time (median and p95 after one warm-up) and the resident memory of the snapshot.
///
/// Each size `NxP` is N nodes (a mix of 16- and 32-core allocatable) and P pods spread round-robin over them:
/// one DaemonSet pod per node, the rest in workloads of 3 replicas on three consecutive nodes, six in seven of
/// them StatefulSets carrying the policy's pod selector labels, the others Deployments (ReplicaSet-owned, not
/// covered). Pods have the slim shape the operator's informer keeps (labels, owner, containers with requests and
/// limits, node, status with conditions). The policy drains cordoned nodes with its default budgets; each
/// `--cordoned` case cordons that many nodes (a count, or a percentage of the nodes), spaced evenly.
///
/// Each case is planned twice: from the full snapshot (every bound pod; the planner sums each node's usage),
/// and as the controller plans — from a snapshot carrying the node usage its pod cache keeps
/// (``NodeUsageSummary``) and only the pods planning reads (``PolicySnapshot/podsToPlan``). The second
/// timing includes picking those pods from a pods-by-node index. Also reported: summing the usage once (what
/// the initial list costs the summary) and the summary's cost per pod update.
struct PlannerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planner",
        abstract: "MigrationPolicy planner: planning time (median/p95) and snapshot memory for large clusters.")

    @Option(help: "Snapshot sizes as NODESxPODS, comma-separated.")
    var sizes = "500x15000,5000x150000"

    @Option(help: "Cordoned nodes per case, comma-separated: a count (1) or a percentage of the nodes (10%).")
    var cordoned = "1,10%"

    @Option(help: "Timed plans per case, after one warm-up plan.")
    var repeats = 5

    @Option(help: "text or json.")
    var output: SimulateCommand.OutputFormat = .text

    @Flag(help: "Give the workloads scheduling constraints the inter-pod rules must check: every StatefulSet pod a required hostname anti-affinity against its own set, every Deployment pod a DoNotSchedule zone spread.")
    var constraints = false

    func validate() throws {
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
        if parsedSizes() == nil { throw ValidationError("--sizes must look like 500x15000,5000x150000") }
        if parsedCases() == nil { throw ValidationError("--cordoned must look like 1,10%") }
    }

    func run() async throws {
        guard let sizes = parsedSizes(), let cases = parsedCases() else { return }
        var rows: [PlannerBenchResult.Row] = []
        for (nodeCount, podCount) in sizes {
            progress("Building a snapshot of \(nodeCount) nodes and \(podCount) pods …")
            let before = ResidentMemory.current()
            let clock = ContinuousClock()
            let buildStart = clock.now
            let cluster = PlannerBenchCluster(nodes: nodeCount, pods: podCount, constraints: constraints)
            let buildSeconds = (clock.now - buildStart).seconds
            let snapshotBytes = ResidentMemory.current() - before
            let usageStart = clock.now
            let usage = NodeUsageSummary.usage(of: cluster.pods)
            let usageBuildSeconds = (clock.now - usageStart).seconds
            let updateMicroseconds = Self.summaryUpdateMicroseconds(cluster.pods, usage: usage)
            let podsByNode = Dictionary(grouping: cluster.pods) { $0.spec?.nodeName ?? "" }
            let placed = PlacedPods(pods: cluster.pods)

            for cordon in cases {
                let count = cordon.count(of: nodeCount)
                let snapshot = cluster.snapshot(cordoning: count)
                progress("Planning with \(count) of \(nodeCount) nodes cordoned (1 warm-up + \(repeats)) …")
                let warmStart = clock.now
                let warm = MigrationPlanner.plan(snapshot)
                let warmUp = (clock.now - warmStart).seconds
                var samples: [Double] = []
                for _ in 0..<repeats {
                    let start = clock.now
                    let plan = MigrationPlanner.plan(snapshot)
                    samples.append((clock.now - start).seconds)
                    precondition(plan.moves.count == warm.moves.count, "the planner is not deterministic")
                }
                // As the controller plans: the kept usage, and the pods picked from the by-node index.
                func keptUsagePlan() -> (MigrationPlan, Int) {
                    var kept = snapshot
                    kept.nodeUsage = usage
                    kept.placedPods = placed
                    kept.pods = PolicySnapshot.podsToPlan(
                        snapshot.policy, nodes: snapshot.nodes, migrations: snapshot.migrations,
                        onNode: { podsByNode[$0] ?? [] }, named: { _, _ in nil }, allBound: { cluster.pods })
                    return (MigrationPlanner.plan(kept), kept.pods.count)
                }
                let (keptWarm, keptPods) = keptUsagePlan()
                precondition(keptWarm == warm, "planning from the kept usage differs from the full snapshot")
                var keptSamples: [Double] = []
                for _ in 0..<repeats {
                    let start = clock.now
                    let plan = keptUsagePlan().0
                    keptSamples.append((clock.now - start).seconds)
                    precondition(plan.moves.count == warm.moves.count, "the planner is not deterministic")
                }
                let candidates = warm.moves.count + warm.waiting.count + warm.unplaceable.count
                rows.append(PlannerBenchResult.Row(
                    nodes: nodeCount, pods: podCount, cordonedNodes: count, coveredPodsOnCordoned: candidates,
                    moves: warm.moves.count, waiting: warm.waiting.count, unplaceable: warm.unplaceable.count,
                    skipped: warm.skipped.count, snapshotRSSBytes: snapshotBytes,
                    snapshotBuildSeconds: buildSeconds, warmUpMilliseconds: warmUp * 1000, samples: samples,
                    keptUsage: .init(
                        snapshotPods: keptPods, usageBuildMilliseconds: usageBuildSeconds * 1000,
                        updateMicroseconds: updateMicroseconds, samples: keptSamples)))
            }
            withExtendedLifetime(cluster) {}
        }
        let result = PlannerBenchResult(
            build: Self.buildConfiguration, repeats: repeats, constraints: constraints, rows: rows)
        switch output {
        case .json: print(result.json())
        case .text: print(result.table())
        }
    }

    /// The summary's cost per pod update (the pod's old state leaves, its new state enters), over every pod.
    static func summaryUpdateMicroseconds(_ pods: [Pod], usage: NodeUsageSummary.Value) -> Double {
        var usage = usage
        let clock = ContinuousClock()
        let start = clock.now
        for pod in pods { NodeUsageSummary.update(&usage, removed: pod, added: pod) }
        let seconds = (clock.now - start).seconds
        precondition(usage == NodeUsageSummary.usage(of: pods), "an update changed the usage")
        return seconds * 1e6 / Double(max(pods.count, 1))
    }

    #if DEBUG
    static let buildConfiguration = "debug"
    #else
    static let buildConfiguration = "release"
    #endif

    private func progress(_ message: String) {
        if output == .text { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }

    private func parsedSizes() -> [(Int, Int)]? {
        var result: [(Int, Int)] = []
        for entry in sizes.split(separator: ",") {
            let parts = entry.lowercased().split(separator: "x")
            guard parts.count == 2, let nodes = Int(parts[0]), let pods = Int(parts[1]), nodes > 0, pods >= 0 else {
                return nil
            }
            result.append((nodes, pods))
        }
        return result.isEmpty ? nil : result
    }

    private func parsedCases() -> [PlannerBenchCordon]? {
        var result: [PlannerBenchCordon] = []
        for entry in cordoned.split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if text.hasSuffix("%") {
                guard let percent = Double(text.dropLast()), percent >= 0, percent <= 100 else { return nil }
                result.append(.percent(percent))
            } else {
                guard let count = Int(text), count >= 0 else { return nil }
                result.append(.count(count))
            }
        }
        return result.isEmpty ? nil : result
    }
}

/// How many nodes a case cordons.
enum PlannerBenchCordon {
    case count(Int)
    case percent(Double)

    func count(of nodes: Int) -> Int {
        switch self {
        case .count(let count): min(count, nodes)
        case .percent(let percent): min(nodes, Int((Double(nodes) * percent / 100).rounded()))
        }
    }
}

/// A synthetic cluster: nodes, pods, namespace labels and the policy, built once per size.
struct PlannerBenchCluster {
    static let selectorLabels = ["ms2m.io/migratable": "true"]
    static let namespaces = 40
    static let now = Time(rfc3339: "2026-11-20T12:00:00Z")!
    static let started = Time(rfc3339: "2026-11-01T08:00:00Z")!

    let nodes: [Node]
    let pods: [Pod]
    let namespaceLabels: [String: [String: String]]
    let policy: MigrationPolicy

    /// Whether workloads carry the constraints `--constraints` asks for.
    let constraints: Bool

    init(nodes nodeCount: Int, pods podCount: Int, constraints: Bool = false) {
        self.constraints = constraints
        let width = String(nodeCount - 1).count
        let names = (0..<nodeCount).map { "node-" + String(repeating: "0", count: width - String($0).count) + String($0) }
        nodes = names.enumerated().map { Self.node(index: $0.offset, name: $0.element) }

        var pods: [Pod] = []
        pods.reserveCapacity(podCount)
        // One DaemonSet pod per node first (as many as fit in the pod count).
        for index in 0..<min(nodeCount, podCount) {
            pods.append(Self.daemonPod(index: index, node: names[index]))
        }
        // Then workloads of 3 replicas, placed round-robin so one workload's replicas land on distinct nodes.
        var slot = 0
        var workload = 0
        while pods.count < podCount {
            for replica in 0..<3 where pods.count < podCount {
                let nodeIndex = slot % nodeCount
                slot += 1
                var pod =
                    workload % 7 == 6
                    ? Self.deploymentPod(workload: workload, replica: replica, node: names[nodeIndex], nodeIndex: nodeIndex)
                    : Self.statefulSetPod(workload: workload, replica: replica, node: names[nodeIndex], nodeIndex: nodeIndex)
                if constraints { Self.constrain(&pod, statefulSet: workload % 7 != 6) }
                pods.append(pod)
            }
            workload += 1
        }
        self.pods = pods

        var namespaceLabels: [String: [String: String]] = ["monitoring": ["kubernetes.io/metadata.name": "monitoring"]]
        for index in 0..<Self.namespaces {
            let name = Self.namespace(index)
            namespaceLabels[name] = ["kubernetes.io/metadata.name": name, "team": "team-\(index % 10)"]
        }
        self.namespaceLabels = namespaceLabels

        let template = MigrationTemplate(
            checkpointImageRepository: "registry.example.com/ckpt",
            messageQueueConfig: MessageQueueConfig(queueName: "orders", brokerUrl: "amqp://broker:5672/"))
        policy = MigrationPolicy(
            metadata: ObjectMeta(name: "drain", uid: "uid-policy-drain", generation: 1),
            spec: MigrationPolicySpec(
                triggers: PolicyTriggers(cordon: true),
                selection: PodSelection(podSelector: LabelSelector(matchLabels: Self.selectorLabels)),
                template: template, budgets: nil))
    }

    /// The snapshot with `count` nodes, evenly spaced, cordoned (`unschedulable` and the matching taint).
    func snapshot(cordoning count: Int) -> PolicySnapshot {
        var nodes = self.nodes
        if count > 0 {
            let cordoned = Set((0..<count).map { $0 * nodes.count / count })
            for index in cordoned {
                nodes[index].spec?.unschedulable = true
                nodes[index].spec?.taints = [
                    Taint(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: Self.now)
                ]
            }
        }
        return PolicySnapshot(
            policy: policy, nodes: nodes, pods: pods, namespaceLabels: namespaceLabels, migrations: [], now: Self.now)
    }

    /// A StatefulSet pod gets a required anti-affinity against its own set on `kubernetes.io/hostname` (one
    /// replica per node, the usual rule for replicated stores); a Deployment pod a `DoNotSchedule` spread of
    /// its app over zones with `maxSkew: 1`.
    static func constrain(_ pod: inout Pod, statefulSet: Bool) {
        let labels = pod.metadata.labels ?? [:]
        if statefulSet {
            let instance = labels["app.kubernetes.io/instance"] ?? ""
            pod.spec?.affinity = Affinity(podAntiAffinity: [
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    [
                        "labelSelector": ["matchLabels": ["app.kubernetes.io/instance": .string(instance)]],
                        "topologyKey": "kubernetes.io/hostname",
                    ]
                ]
            ])
        } else {
            let app = labels["app.kubernetes.io/name"] ?? ""
            pod.spec?.topologySpreadConstraints = [
                [
                    "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule",
                    "labelSelector": ["matchLabels": ["app.kubernetes.io/name": .string(app)]],
                ]
            ]
        }
    }

    static func namespace(_ index: Int) -> String { "app-\(index < 10 ? "0" : "")\(index)" }

    /// A deterministic UUID-shaped uid.
    static func uid(_ kind: Int, _ index: Int) -> String {
        let hex = String(index, radix: 16)
        let tail = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "5f0c\(kind)a1e-7b2d-4c9e-\(kind)f3a-\(tail)"
    }

    static func node(index: Int, name: String) -> Node {
        let large = index % 4 == 3
        var node = Node(metadata: ObjectMeta(
            name: name, uid: uid(0, index), creationTimestamp: started,
            labels: [
                "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/region": "eu-central-1",
                "topology.kubernetes.io/zone": "eu-central-1\(["a", "b", "c"][index % 3])",
                "node.kubernetes.io/instance-type": large ? "m6i.8xlarge" : "m6i.4xlarge",
            ]))
        node.spec = NodeSpec()
        var status = NodeStatus()
        status.capacity = [
            "cpu": Quantity(large ? 32 : 16), "memory": Quantity(large ? "130944852Ki" : "64453972Ki")!,
            "pods": Quantity(110), "ephemeral-storage": "104845292Ki",
        ]
        status.allocatable = [
            "cpu": Quantity(large ? "31850m" : "15890m")!, "memory": Quantity(large ? "127751508Ki" : "61964628Ki")!,
            "pods": Quantity(110), "ephemeral-storage": "95551679124",
        ]
        status.conditions = [
            NodeCondition(type: .memoryPressure, status: .false),
            NodeCondition(type: .diskPressure, status: .false),
            NodeCondition(type: .pidPressure, status: .false),
            NodeCondition(type: .ready, status: .true),
        ]
        var info = NodeSystemInfo()
        info.containerRuntimeVersion = "cri-o://1.31.2"
        info.kubeletVersion = "v1.31.2"
        status.nodeInfo = info
        status.addresses = [NodeAddress(type: "InternalIP", address: ip(index)), NodeAddress(type: "Hostname", address: name)]
        node.status = status
        return node
    }

    static func ip(_ index: Int) -> String { "10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256)" }

    static func status(index: Int, nodeIndex: Int) -> PodStatus {
        var status = PodStatus()
        status.phase = .running
        status.podIP = "100.\(64 + index / 65536 % 64).\(index / 256 % 256).\(index % 256)"
        status.hostIP = ip(nodeIndex)
        status.startTime = started
        status.conditions = [PodConditionType.podScheduled, .initialized, .containersReady, .ready].map {
            PodCondition(type: $0, status: .true, lastTransitionTime: started)
        }
        return status
    }

    static func container(name: String, image: String, cpu: String, memory: String, limitMemory: String) -> Container {
        var container = Container(name: name, image: image)
        container.resources = ResourceRequirements(
            requests: ["cpu": Quantity(cpu)!, "memory": Quantity(memory)!], limits: ["memory": Quantity(limitMemory)!])
        return container
    }

    static func daemonPod(index: Int, node: String) -> Pod {
        let name = "node-exporter-\(String(index, radix: 36))"
        var spec = PodSpec(containers: [
            container(
                name: "node-exporter", image: "quay.io/prometheus/node-exporter:v1.8.2", cpu: "50m", memory: "64Mi",
                limitMemory: "128Mi")
        ])
        spec.nodeName = node
        var pod = Pod(
            metadata: ObjectMeta(
                name: name, generateName: "node-exporter-", namespace: "monitoring", uid: uid(1, index),
                labels: ["app.kubernetes.io/name": "node-exporter", "controller-revision-hash": "6d9f8b7c5d"],
                ownerReferences: [
                    OwnerReference(
                        apiVersion: "apps/v1", kind: "DaemonSet", name: "node-exporter", uid: uid(2, 0), controller: true)
                ]),
            spec: spec)
        pod.status = status(index: index, nodeIndex: index)
        return pod
    }

    static func statefulSetPod(workload: Int, replica: Int, node: String, nodeIndex: Int) -> Pod {
        let set = "db-\(workload)"
        let name = "\(set)-\(replica)"
        let namespace = namespace(workload % namespaces)
        let cpu = ["50m", "100m", "250m", "500m"][workload % 4]
        let memory = ["128Mi", "256Mi", "512Mi", "1Gi"][workload / 4 % 4]
        var spec = PodSpec(containers: [
            container(
                name: "app", image: "registry.example.com/ms2m/sample-consumer:1.4.2", cpu: cpu, memory: memory,
                limitMemory: memory)
        ])
        spec.nodeName = node
        spec.hostname = name
        spec.subdomain = set
        var labels = selectorLabels
        labels["app.kubernetes.io/name"] = "consumer"
        labels["app.kubernetes.io/instance"] = set
        labels["controller-revision-hash"] = "\(set)-7c9f8d6b5"
        labels["statefulset.kubernetes.io/pod-name"] = name
        labels["apps.kubernetes.io/pod-index"] = String(replica)
        var pod = Pod(
            metadata: ObjectMeta(
                name: name, generateName: "\(set)-", namespace: namespace, uid: uid(3, workload * 3 + replica),
                labels: labels, annotations: ["prometheus.io/scrape": "true"],
                ownerReferences: [
                    OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: set, uid: uid(4, workload), controller: true)
                ]),
            spec: spec)
        pod.status = status(index: workload * 3 + replica, nodeIndex: nodeIndex)
        return pod
    }

    static func deploymentPod(workload: Int, replica: Int, node: String, nodeIndex: Int) -> Pod {
        let replicaSet = "web-\(workload)-5b7d9c8f4"
        let name = "\(replicaSet)-\(String(workload * 3 + replica, radix: 36))"
        var spec = PodSpec(containers: [
            container(name: "web", image: "registry.example.com/web:2.3.0", cpu: "100m", memory: "128Mi", limitMemory: "256Mi")
        ])
        spec.nodeName = node
        var pod = Pod(
            metadata: ObjectMeta(
                name: name, generateName: "\(replicaSet)-", namespace: namespace(workload % namespaces),
                uid: uid(5, workload * 3 + replica),
                labels: ["app.kubernetes.io/name": "web-\(workload)", "pod-template-hash": "5b7d9c8f4"],
                ownerReferences: [
                    OwnerReference(
                        apiVersion: "apps/v1", kind: "ReplicaSet", name: replicaSet, uid: uid(6, workload), controller: true)
                ]),
            spec: spec)
        pod.status = status(index: workload * 3 + replica, nodeIndex: nodeIndex)
        return pod
    }
}

/// The numbers `ms2m bench planner` reports.
struct PlannerBenchResult: Codable, Sendable {
    struct Row: Codable, Sendable {
        var nodes: Int
        var pods: Int
        var cordonedNodes: Int
        /// Covered, not skipped pods on the cordoned nodes (moves + waiting + unplaceable).
        var coveredPodsOnCordoned: Int
        var moves: Int
        var waiting: Int
        var unplaceable: Int
        var skipped: Int
        /// VmRSS growth while building the nodes, pods and namespace labels (shared by the size's cases).
        var snapshotRSSBytes: Int
        var snapshotBytesPerPod: Double
        var snapshotBuildSeconds: Double
        var warmUpMilliseconds: Double
        var medianMilliseconds: Double
        var p95Milliseconds: Double
        var samplesMilliseconds: [Double]
        /// Planning as the controller does, from the kept node usage.
        var keptUsage: KeptUsage

        /// Planning from a snapshot with the node usage kept by the pod cache's summary.
        struct KeptUsage: Codable, Sendable {
            /// The pods in that snapshot (those of the cordoned nodes).
            var snapshotPods: Int
            /// Summing every node's usage once (the summary's cost for the initial list).
            var usageBuildMilliseconds: Double
            /// The summary's cost per pod update.
            var updateMicroseconds: Double
            var medianMilliseconds: Double
            var p95Milliseconds: Double
            var samplesMilliseconds: [Double]

            init(snapshotPods: Int, usageBuildMilliseconds: Double, updateMicroseconds: Double, samples: [Double]) {
                self.snapshotPods = snapshotPods
                self.usageBuildMilliseconds = usageBuildMilliseconds
                self.updateMicroseconds = updateMicroseconds
                medianMilliseconds = PlannerBenchResult.quantile(samples, 0.5)
                p95Milliseconds = PlannerBenchResult.quantile(samples, 0.95)
                samplesMilliseconds = samples.map { $0 * 1000 }
            }
        }

        init(
            nodes: Int, pods: Int, cordonedNodes: Int, coveredPodsOnCordoned: Int, moves: Int, waiting: Int,
            unplaceable: Int, skipped: Int, snapshotRSSBytes: Int, snapshotBuildSeconds: Double,
            warmUpMilliseconds: Double, samples: [Double], keptUsage: KeptUsage
        ) {
            self.nodes = nodes
            self.pods = pods
            self.cordonedNodes = cordonedNodes
            self.coveredPodsOnCordoned = coveredPodsOnCordoned
            self.moves = moves
            self.waiting = waiting
            self.unplaceable = unplaceable
            self.skipped = skipped
            self.snapshotRSSBytes = snapshotRSSBytes
            self.snapshotBytesPerPod = Double(snapshotRSSBytes) / Double(max(pods, 1))
            self.snapshotBuildSeconds = snapshotBuildSeconds
            self.warmUpMilliseconds = warmUpMilliseconds
            medianMilliseconds = PlannerBenchResult.quantile(samples, 0.5)
            p95Milliseconds = PlannerBenchResult.quantile(samples, 0.95)
            samplesMilliseconds = samples.map { $0 * 1000 }
            self.keptUsage = keptUsage
        }
    }

    /// The `q` quantile of `samples` (seconds), in milliseconds.
    static func quantile(_ samples: [Double], _ q: Double) -> Double {
        let sorted = samples.sorted()
        if sorted.isEmpty { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))] * 1000
    }

    var build: String
    var repeats: Int
    /// Whether the workloads carried inter-pod constraints (`--constraints`).
    var constraints: Bool
    var rows: [Row]

    func table() -> String {
        let shape = constraints ? "StatefulSets anti-affine per host, Deployments spread over zones" : "no inter-pod constraints"
        var out = "\n| planner (\(build) build, \(repeats) runs after 1 warm-up, default budgets; \(shape)) | cordoned | candidates | moves | waiting | unplaceable | full snapshot: median ms | p95 ms | kept usage: pods in snapshot | median ms | p95 ms | usage sum once ms | µs per pod update | snapshot RSS MB | bytes/pod |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for row in rows {
            out += String(
                format: "| %d nodes / %d pods | %d | %d | %d | %d | %d | %.1f | %.1f | %d | %.2f | %.2f | %.1f | %.2f | %.1f | %.0f |\n",
                row.nodes, row.pods, row.cordonedNodes, row.coveredPodsOnCordoned, row.moves, row.waiting,
                row.unplaceable, row.medianMilliseconds, row.p95Milliseconds, row.keptUsage.snapshotPods,
                row.keptUsage.medianMilliseconds, row.keptUsage.p95Milliseconds, row.keptUsage.usageBuildMilliseconds,
                row.keptUsage.updateMicroseconds, Double(row.snapshotRSSBytes) / 1_048_576, row.snapshotBytesPerPod)
        }
        return out
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
