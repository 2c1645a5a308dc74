import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import MigrationAPI

/// `ms2m status`: the `StatefulMigration`s with phase, nodes, strategy, age and duration, as kubectl prints
/// them; `--wide` adds the pod, each phase's timing and the failure reason.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List StatefulMigrations with phase and timings.")

    @Option(name: [.customShort("n"), .long], help: "The namespace (default: the kubeconfig context's).")
    var namespace: String?

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List migrations in every namespace.")
    var allNamespaces = false

    @Flag(help: "Also show the pod, per-phase timings and the failure reason.")
    var wide = false

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        if allNamespaces && namespace != nil { throw ValidationError("-n and -A are exclusive") }
    }

    func run() async throws {
        let client = try cluster.client()
        let scope = allNamespaces ? nil : (namespace ?? client.defaultNamespace)
        let migrations = try await client.listAll(StatefulMigration.self, namespace: scope).items
        if migrations.isEmpty {
            print(scope.map { "No migrations found in namespace \($0)." } ?? "No migrations found.")
            return
        }
        print(Self.table(migrations, now: .now(), allNamespaces: allNamespaces, wide: wide), terminator: "")
    }

    /// The phases whose timings `--wide` shows, in order.
    static let timedPhases: [MigrationPhase] = [.pending, .checkpointing, .transferring, .restoring, .replaying, .finalizing]

    /// The table of `migrations` (sorted by namespace, then name) as of `now`.
    static func table(_ migrations: [StatefulMigration], now: Time, allNamespaces: Bool, wide: Bool) -> String {
        var header = ["NAME", "PHASE", "SOURCE", "TARGET", "STRATEGY", "AGE", "DURATION"]
        if allNamespaces { header.insert("NAMESPACE", at: 0) }
        if wide { header += ["POD"] + timedPhases.map { $0.rawValue.uppercased() } + ["FAILURE"] }
        let sorted = migrations.sorted {
            ($0.metadata.namespace ?? "", $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", $1.metadata.name ?? "")
        }
        let rows = sorted.map { migration -> [String] in
            let status = migration.status
            var row = [
                migration.metadata.name ?? "", status?.phase?.rawValue ?? "New", status?.sourceNode ?? "<unknown>",
                status?.targetNode ?? migration.spec.targetNode ?? "<auto>",
                status?.strategy?.rawValue ?? migration.spec.migrationStrategy.flatMap { $0.isEmpty ? nil : $0 } ?? "<auto>",
                migration.metadata.creationTimestamp.map { humanDuration(seconds: now.secondsSinceEpoch - $0.secondsSinceEpoch) } ?? "<unknown>",
                duration(of: migration, now: now),
            ]
            if allNamespaces { row.insert(migration.metadata.namespace ?? "", at: 0) }
            if wide {
                row.append(migration.spec.sourcePod)
                row += timedPhases.map { status?.phaseTimings?[$0.rawValue] ?? "-" }
                row.append(status?.failureReason ?? "-")
            }
            return row
        }
        return TextTable.render(header: header, rows: rows)
    }

    /// From the start to completion, or to `now` while it runs; `-` before it starts.
    static func duration(of migration: StatefulMigration, now: Time) -> String {
        guard let start = migration.status?.startTime else { return "-" }
        let end = migration.status?.completionTime ?? now
        return humanDuration(seconds: end.secondsSinceEpoch - start.secondsSinceEpoch)
    }

    /// A duration as kubectl prints ages: `45s`, `3m12s`, `25m`, `5h3m`, `20h`, `3d4h`, `12d`.
    static func humanDuration(seconds: Int64) -> String {
        let s = max(0, seconds)
        if s < 120 { return "\(s)s" }
        let minutes = s / 60
        if minutes < 10 { return s % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(s % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        let days = hours / 24
        if days < 8 { return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h" }
        return "\(days)d"
    }
}
