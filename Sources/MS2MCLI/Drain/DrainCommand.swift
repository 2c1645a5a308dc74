import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import MigrationAPI
import OperatorCore

/// `ms2m drain NODE`: what `kubectl drain NODE --ignore-daemonsets --delete-emptydir-data` does — cordon,
/// then evict every pod through the Eviction API, retrying refused evictions every 5 s — while showing the
/// live migrations ms2m runs instead of the evictions it refuses.
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Drain a node as kubectl drain does, showing the live migrations that replace evictions.",
        discussion: """
            Pods a MigrationPolicy covers are live-migrated by the operator (its eviction webhook refuses their \
            evictions with 429 until the migration completes); the others are evicted, honouring \
            PodDisruptionBudgets. DaemonSet and mirror pods stay; pods without a controller need --force. \
            Exits 0 once every pod is gone, 1 if the drain did not complete.
            """)

    @Argument(help: "The node to drain.")
    var node: String

    @Option(help: "The longest the drain may take, as kubectl writes it (90s, 5m, 1h30m); 0 waits forever.")
    var timeout = "0s"

    @Option(help: "Only pods whose labels match this selector (as kubectl's --pod-selector).")
    var podSelector: String?

    @Option(help: "none or server: with server, evictions are sent as dry runs and nothing is cordoned or removed.")
    var dryRun = "none"

    @Flag(help: "Also evict pods no controller manages (they are not re-created).")
    var force = false

    @Option(help: "Seconds between refused evictions of one pod (kubectl: 5).")
    var retryInterval = 5.0

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        if node.isEmpty { throw ValidationError("NODE must not be empty") }
        if Self.duration(timeout) == nil { throw ValidationError("--timeout must look like 90s, 5m or 1h30m, not \(timeout)") }
        if !["none", "server"].contains(dryRun) { throw ValidationError("--dry-run must be none or server, not \(dryRun)") }
        if !(retryInterval > 0) { throw ValidationError("--retry-interval must be positive") }
    }

    func run() async throws {
        let client = try cluster.client()
        var options = NodeDrainer.Options()
        options.timeout = Self.duration(timeout).flatMap { $0 == .zero ? nil : $0 }
        options.podSelector = podSelector
        options.dryRun = dryRun == "server"
        options.force = force
        options.retryInterval = .milliseconds(Int64(retryInterval * 1000))
        let drainer = NodeDrainer(api: client, options: options) { line in print(line) }
        let node = self.node
        let progress = Task {
            var last: [String: String] = [:]
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(2))
                guard let migrations = try? await client.list(
                    StatefulMigration.self, namespace: nil,
                    options: ListOptions(labelSelector: "\(MigrationPolicyLabel.sourceNode)=\(node)"))
                else { continue }
                for migration in migrations.items {
                    let key = "\(migration.metadata.namespace ?? "")/\(migration.metadata.name ?? "")"
                    let line = Self.progressLine(migration)
                    if last[key] != line { print(line) }
                    last[key] = line
                }
            }
        }
        let result = try await drainer.drain(node: node)
        progress.cancel()
        print(String(format: "%@ in %.1f s: %d pod(s), %d eviction(s) refused, evicted: %@", result.completed ? "drained" : "not drained",
            result.seconds, result.pods.count, result.evictionsRefused, result.evicted.isEmpty ? "none" : result.evicted.joined(separator: ", ")))
        if let error = result.error {
            print("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// One line about a migration off the node: pod, phase, target.
    static func progressLine(_ migration: StatefulMigration) -> String {
        let name = "\(migration.metadata.namespace ?? "")/\(migration.metadata.name ?? "")"
        let phase = migration.status?.phase?.rawValue ?? "Pending"
        let target = migration.status?.targetNode ?? migration.spec.targetNode ?? "?"
        return "statefulmigration \(name): pod \(migration.spec.sourcePod) → \(target), phase \(phase)"
    }

    /// A Go-style duration (`90s`, `5m`, `1h30m`, `500ms`, `0`); nil when malformed.
    static func duration(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var total = Duration.zero
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits), value >= 0 else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let seconds: Double
            switch unit {
            case "h": seconds = value * 3600
            case "m": seconds = value * 60
            case "s": seconds = value
            case "ms": seconds = value / 1000
            default: return nil
            }
            total += .milliseconds(Int64((seconds * 1000).rounded()))
        }
        return total
    }
}
