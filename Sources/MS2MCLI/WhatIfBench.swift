import ArgumentParser
import Foundation
import KubeModel
import MigrationAPI
import Placement
import PolicyEngine
import Unstructured
import YAMLCodec

/// `ms2m bench whatif`: the what-if drain (``DrainForecast``) on a synthetic cluster of `ms2m bench planner`'s
/// shape — wall time and planning rounds for draining a share of its nodes. `--write-snapshot` also writes
/// the cluster and its policy as YAML files, so the command a user runs (`ms2m simulate --snapshot … --policy …
/// --drain …`) can be timed on the same cluster, parsing included.
struct WhatIfBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "What-if drain forecast: wall time and planning rounds for draining a share of a large synthetic cluster.")

    @Option(help: "Nodes.")
    var nodes = 500

    @Option(help: "Pods.")
    var pods = 15_000

    @Option(help: "Drained nodes: a count (3) or a percentage of the nodes (10%), spaced evenly.")
    var drain = "10%"

    @Option(help: "The policy's budgets.maxConcurrent (default: the API default).")
    var maxConcurrent: Int32?

    @Option(help: "Write the cluster to this YAML file and its policy to FILE.policy.yaml (and print the drained nodes).")
    var writeSnapshot: String?

    @Flag(help: "Give the workloads the scheduling constraints of `bench planner --constraints`.")
    var constraints = false

    func validate() throws {
        if nodes < 2 || pods < nodes { throw ValidationError("--nodes must be at least 2 and --pods at least --nodes") }
        if drainedCount == nil { throw ValidationError("--drain must be a count (3) or a percentage (10%) below the node count") }
    }

    var drainedCount: Int? {
        let count: Int?
        if drain.hasSuffix("%"), let percent = Double(drain.dropLast()) {
            count = Int((Double(nodes) * percent / 100).rounded())
        } else {
            count = Int(drain)
        }
        guard let count, count >= 1, count < nodes else { return nil }
        return count
    }

    func run() async throws {
        let cluster = PlannerBenchCluster(nodes: nodes, pods: pods, constraints: constraints)
        var policy = cluster.policy
        if let maxConcurrent { policy.spec.budgets = MigrationBudgets(maxConcurrent: maxConcurrent) }
        let count = drainedCount ?? 1
        let drained = (0..<count).compactMap { cluster.nodes[$0 * cluster.nodes.count / count].metadata.name }
        if let writeSnapshot {
            try Self.write(cluster, policy: policy, to: writeSnapshot)
            print("Wrote \(writeSnapshot) and \(writeSnapshot).policy.yaml; drain: --drain \(drained.joined(separator: ","))")
        }
        let input = DrainForecast.Input(
            policies: [policy], nodes: cluster.nodes, pods: cluster.pods, namespaceLabels: cluster.namespaceLabels,
            migrations: [], volumes: VolumeTopology(), drained: drained, start: PlannerBenchCluster.now,
            durations: WhatIfDrain.simulatedDurations)
        let clock = ContinuousClock()
        let started = clock.now
        let timeline = DrainForecast.run(input)
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("What-if drain of \(count) of \(nodes) nodes, \(pods) pods, maxConcurrent \(maxConcurrent.map(String.init) ?? "default"):")
        print("  forecast wall time   \(String(format: "%.2f", seconds)) s (\(timeline.rounds) planning rounds, \(String(format: "%.1f", seconds * 1000 / Double(max(1, timeline.rounds)))) ms each)")
        print("  migrations           \(timeline.moves.count) in \(timeline.waves.count) waves")
        print("  evictions            \(timeline.evictions.count)")
        print("  stranded             \(timeline.stranded.count)")
        print("  estimated drain time \(timeline.drainSeconds.map(WhatIfDrain.clock) ?? "never")")
    }

    /// The cluster as one YAML List of Nodes, Namespaces and Pods, and the policy beside it.
    static func write(_ cluster: PlannerBenchCluster, policy: MigrationPolicy, to path: String) throws {
        let encoder = JSONValueEncoder()
        var items: [JSONValue] = []
        for node in cluster.nodes {
            var value = try encoder.encode(node)
            value["apiVersion"] = "v1"
            value["kind"] = "Node"
            items.append(value)
        }
        for (name, labels) in cluster.namespaceLabels.sorted(by: { $0.key < $1.key }) {
            var object: JSONObject = [:]
            for (key, value) in labels { object[key] = .string(value) }
            items.append(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name), "labels": .object(object)]])
        }
        for pod in cluster.pods {
            var value = try encoder.encode(pod)
            value["apiVersion"] = "v1"
            value["kind"] = "Pod"
            items.append(value)
        }
        let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(items)]
        try YAML.emit(list).write(toFile: path, atomically: true, encoding: .utf8)
        try YAML.emit(try encoder.encode(policy)).write(toFile: path + ".policy.yaml", atomically: true, encoding: .utf8)
    }
}
