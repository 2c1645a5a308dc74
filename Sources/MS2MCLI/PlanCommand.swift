import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import MigrationAPI
import PolicyEngine

/// How a command finds the cluster: `--kubeconfig`/`--context`, else `$KUBECONFIG`, `~/.kube/config` or the
/// in-cluster service account (as kubectl does).
struct ClusterOptions: ParsableArguments {
    @Option(help: "The kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context.")
    var context: String?

    /// A client for the selected cluster.
    func client() throws -> KubeClient {
        let configuration: ClientConfiguration
        if let kubeconfig {
            configuration = try Kubeconfig.load(paths: [kubeconfig]).resolve(context: context)
        } else {
            configuration = try ClientConfiguration.automatic(context: context)
        }
        return KubeClient(configuration: configuration)
    }
}

/// `ms2m plan -f POLICY.yaml`: what a MigrationPolicy would do now, computed by the same pure planner the
/// operator runs, against the live cluster or a snapshot file. Nothing is written.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print what a MigrationPolicy would do now (moves, waiting, unplaceable, evictions, yielded pods).",
        discussion: """
            The policy file may hold several MigrationPolicy documents; each is planned, competing with the others \
            and with the cluster's (or snapshot's) policies for pods they all cover. --snapshot reads a YAML file of \
            Node, Pod, Namespace, StatefulMigration and MigrationPolicy objects (or kubectl's `kind: List` output); \
            without it the live cluster is read. -o yaml prints the StatefulMigrations the plan would create, ready \
            for kubectl apply.
            """)

    enum Format: String, ExpressibleByArgument, Sendable { case table, yaml }

    @Option(name: [.customShort("f"), .long], help: "The MigrationPolicy YAML file.")
    var filename: String

    @Option(help: "Plan against this snapshot file instead of the live cluster.")
    var snapshot: String?

    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.customShort("o"), .long], help: "table or yaml.")
    var output: Format = .table

    @Option(help: "Plan as of this time (RFC 3339; default now), for schedule windows.")
    var now: String?

    func validate() throws {
        if snapshot != nil, cluster.kubeconfig != nil || cluster.context != nil {
            throw ValidationError("--snapshot and --kubeconfig/--context are exclusive: plan against a file or a cluster")
        }
        if let now, Time(rfc3339: now) == nil { throw ValidationError("--now must be an RFC 3339 time such as 2026-11-21T02:30:00Z") }
    }

    func run() async throws {
        let policies = try Self.loadPolicies(path: filename)
        let cluster: ClusterSnapshot
        if let snapshot {
            cluster = try ClusterSnapshot.parse(yaml: try Self.read(snapshot), source: snapshot)
        } else {
            cluster = try await ClusterSnapshot.load(client: try self.cluster.client())
        }
        print(try Self.render(policies: policies, cluster: cluster, now: now.flatMap(Time.init(rfc3339:)) ?? .now(), format: output), terminator: "")
    }

    /// The plans of `policies` against `cluster`, rendered.
    static func render(policies: [MigrationPolicy], cluster: ClusterSnapshot, now: Time, format: Format) throws -> String {
        let planned = Set(policies.compactMap(\.metadata.name))
        let others = policies + cluster.policies.filter { !planned.contains($0.metadata.name ?? "") }
        var parts: [String] = []
        for policy in policies {
            let plan = MigrationPlanner.plan(cluster.policySnapshot(for: policy, others: others, now: now))
            switch format {
            case .table: parts.append(PlanRendering.table(plan, policy: policy))
            case .yaml: parts.append(try PlanRendering.yaml(plan, policy: policy))
            }
        }
        return parts.joined(separator: format == .yaml ? "---\n" : "\n")
    }

    /// The MigrationPolicy documents of the file at `path`.
    static func loadPolicies(path: String) throws -> [MigrationPolicy] {
        let snapshot = try ClusterSnapshot.parse(yaml: try read(path), source: path)
        guard snapshot.nodes.isEmpty, snapshot.pods.isEmpty, snapshot.namespaces.isEmpty, snapshot.migrations.isEmpty else {
            throw CLIInputError("\(path): -f takes MigrationPolicy documents only; put cluster objects in --snapshot")
        }
        guard !snapshot.policies.isEmpty else { throw CLIInputError("\(path) holds no MigrationPolicy") }
        for policy in snapshot.policies where policy.spec.triggers == nil && policy.spec.rebalance?.enabled != true {
            throw CLIInputError("\(path): MigrationPolicy \(policy.metadata.name ?? "?") needs triggers, or rebalance enabled")
        }
        return snapshot.policies
    }

    static func read(_ path: String) throws -> String {
        do { return try TextFile.read(path) } catch {
            throw CLIInputError("\(error)")
        }
    }
}
