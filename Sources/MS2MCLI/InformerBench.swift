import ArgumentParser
import ControllerRuntime
import Foundation
import KubeClient
import KubeModel
import KubeSim
import Logging
import OperatorCore
import Unstructured

/// `ms2m bench informers`: the operator's informers (pods, nodes, namespaces, StatefulSets, ReplicaSets, Jobs,
/// PodDisruptionBudgets) against KubeSim for `--duration` seconds while objects of every kind are created,
/// changed and deleted, with real-shaped BOOKMARK events (zero-valued objects of the watched kind, null fields
/// included) every `--bookmark-interval-ms` and watches that end at their `timeoutSeconds` and resume. It
/// passes when no watch broke (no watch error, no re-list after the initial one, no 410) and every cache ends
/// equal to a fresh list; otherwise it exits non-zero.
struct InformerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "informers",
        abstract: "Informer soak: watches with real-shaped bookmarks and churn for a while, none may break.")

    @Option(help: "Seconds to run.")
    var duration = 600

    @Option(help: "Milliseconds between BOOKMARK events on each watch (kube-apiserver: about 60000).")
    var bookmarkIntervalMs = 500

    @Option(help: "Watch timeoutSeconds range the informers pick from, as LOW...HIGH.")
    var watchTimeout = "20...40"

    @Option(help: "Milliseconds between writes (create, update or delete of one object).")
    var writeIntervalMs = 20

    @Option(help: "text or json.")
    var output: SimulateCommand.OutputFormat = .text

    func validate() throws {
        guard duration > 0, bookmarkIntervalMs > 0, writeIntervalMs > 0 else {
            throw ValidationError("--duration, --bookmark-interval-ms and --write-interval-ms must be positive")
        }
        guard Self.range(watchTimeout) != nil else { throw ValidationError("--watch-timeout must be LOW...HIGH seconds") }
    }

    static func range(_ text: String) -> ClosedRange<Int>? {
        let parts = text.components(separatedBy: "...")
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low > 2, low <= high else { return nil }
        return low...high
    }

    func run() async throws {
        let quiet = Logger(label: "ms2m.bench.informers", factory: { _ in SwiftLogNoOpLogHandler() })
        var serverConfiguration = KubeSimConfiguration()
        serverConfiguration.bookmarkInterval = .milliseconds(bookmarkIntervalMs)
        let server = KubeSimServer(configuration: serverConfiguration)
        try await server.start()
        let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil), logger: quiet)
        let informers = Informers(client: client, watchTimeout: Self.range(watchTimeout) ?? 20...40, logger: quiet)
        let running = informers.all.map { informer in Task { await informer.run() } }
        let started = ContinuousClock.now
        var writes = 0
        var failure: (any Error)?
        do {
            for informer in informers.all { await informer.waitForSync() }
            var churn = Churn()
            let end = started + .seconds(duration)
            while ContinuousClock.now < end {
                try await churn.step(client: client)
                writes += 1
                try await Task.sleep(for: .milliseconds(writeIntervalMs))
            }
            // Let the last events arrive, then compare every cache with the server.
            try await Task.sleep(for: .seconds(2))
        } catch {
            failure = error
        }
        let report = await informers.report(client: client, elapsed: ContinuousClock.now - started, writes: writes)
        for task in running { task.cancel() }
        try? await server.shutdown()
        if let failure { throw failure }
        switch output {
        case .json: print(String(decoding: report.json.jsonBytes(), as: UTF8.self))
        case .text: print(report.text)
        }
        if !report.passed { throw ExitCode(1) }
    }

    /// The informers the operator runs, for the kinds KubeSim serves.
    struct Informers {
        let pods: SharedInformer<Pod>
        let nodes: SharedInformer<Node>
        let namespaces: SharedInformer<Namespace>
        let statefulSets: SharedInformer<StatefulSet>
        let replicaSets: SharedInformer<ReplicaSet>
        let jobs: SharedInformer<Job>
        let budgets: SharedInformer<PodDisruptionBudget>

        init(client: KubeClient, watchTimeout: ClosedRange<Int>, logger: Logger) {
            pods = SharedInformer(Pod.self, api: client, options: InformerOptions(watchTimeoutSeconds: watchTimeout), logger: logger)
            nodes = SharedInformer(Node.self, api: client, options: InformerOptions(watchTimeoutSeconds: watchTimeout), logger: logger)
            namespaces = SharedInformer(
                Namespace.self, api: client, options: InformerOptions(watchTimeoutSeconds: watchTimeout), logger: logger)
            statefulSets = SharedInformer(
                StatefulSet.self, api: client, options: InformerOptions(watchTimeoutSeconds: watchTimeout), logger: logger)
            replicaSets = SharedInformer(
                ReplicaSet.self, api: client, options: InformerOptions(watchTimeoutSeconds: watchTimeout), logger: logger)
            jobs = SharedInformer(Job.self, api: client, options: InformerOptions(watchTimeoutSeconds: watchTimeout), logger: logger)
            budgets = SharedInformer(
                PodDisruptionBudget.self, api: client, options: InformerOptions(watchTimeoutSeconds: watchTimeout), logger: logger)
        }

        var all: [any InformerRunning] { [pods, nodes, namespaces, statefulSets, replicaSets, jobs, budgets] }

        func report(client: KubeClient, elapsed: Duration, writes: Int) async -> Report {
            var rows: [Report.Row] = []
            func row<Object: KubernetesObject>(_ informer: SharedInformer<Object>, _ type: Object.Type) async {
                let listed = (try? await client.list(Object.self, namespace: nil, options: ListOptions()).items.count) ?? -1
                rows.append(Report.Row(
                    resource: informer.resourceName, statistics: informer.statistics, cached: informer.cache.count,
                    listed: listed))
            }
            await row(pods, Pod.self)
            await row(nodes, Node.self)
            await row(namespaces, Namespace.self)
            await row(statefulSets, StatefulSet.self)
            await row(replicaSets, ReplicaSet.self)
            await row(jobs, Job.self)
            await row(budgets, PodDisruptionBudget.self)
            return Report(seconds: Double(elapsed.components.seconds), writes: writes, rows: rows)
        }
    }

    /// The outcome of a soak.
    struct Report {
        struct Row {
            var resource: String
            var statistics: InformerStatistics
            var cached: Int
            var listed: Int
            var broken: Bool {
                statistics.watchErrors > 0 || statistics.lists != 1 || statistics.expiredRelists > 0 || cached != listed
            }
        }
        var seconds: Double
        var writes: Int
        var rows: [Row]
        var passed: Bool { !rows.contains(where: \.broken) }

        var text: String {
            var lines = ["informer soak: \(Int(seconds)) s, \(writes) writes — \(passed ? "no watch broke" : "BROKEN")"]
            for r in rows {
                lines.append(
                    "  \(r.resource): lists \(r.statistics.lists), watches \(r.statistics.watches), watch errors "
                        + "\(r.statistics.watchErrors), 410 re-lists \(r.statistics.expiredRelists), events "
                        + "\(r.statistics.watchEvents), cached \(r.cached) / listed \(r.listed)\(r.broken ? "  ← broken" : "")")
            }
            return lines.joined(separator: "\n")
        }

        var json: JSONValue {
            [
                "seconds": .double(seconds), "writes": .int(Int64(writes)), "passed": .bool(passed),
                "informers": .array(rows.map { r in
                    [
                        "resource": .string(r.resource), "lists": .int(Int64(r.statistics.lists)),
                        "watches": .int(Int64(r.statistics.watches)), "watchErrors": .int(Int64(r.statistics.watchErrors)),
                        "expiredRelists": .int(Int64(r.statistics.expiredRelists)),
                        "watchEvents": .int(Int64(r.statistics.watchEvents)), "cached": .int(Int64(r.cached)),
                        "listed": .int(Int64(r.listed)),
                    ]
                }),
            ]
        }
    }

    /// Round-robin writes over the watched kinds: each step creates, changes or deletes one object, keeping a
    /// few dozen of each alive.
    struct Churn {
        var step = 0
        var live: [String: [String]] = [:]

        mutating func step(client: KubeClient) async throws {
            step += 1
            let kind = ChurnKind.all[step % ChurnKind.all.count]
            var names = live[kind.name, default: []]
            let action = names.count < 20 ? 0 : (step / ChurnKind.all.count) % 3
            switch action {
            case 0:
                let name = "\(kind.name.lowercased())-\(step)"
                try await kind.create(name, client)
                names.append(name)
            case 1:
                try await kind.touch(names[(step / ChurnKind.all.count) % names.count], step, client)
            default:
                try await kind.delete(names.removeFirst(), client)
            }
            live[kind.name] = names
        }
    }

    /// How the churn writes objects of one kind.
    struct ChurnKind: Sendable {
        var name: String
        var create: @Sendable (String, KubeClient) async throws -> Void
        var touch: @Sendable (String, Int, KubeClient) async throws -> Void
        var delete: @Sendable (String, KubeClient) async throws -> Void

        /// Creates objects made by `make` (from a name) in `namespace`, changes their annotations, deletes them.
        static func of<Object: KubernetesObject>(
            _ type: Object.Type, namespace: String?, make: @escaping @Sendable (ObjectMeta, PodTemplateSpec) -> Object
        ) -> ChurnKind {
            ChurnKind(
                name: Object.kind,
                create: { name, client in
                    let meta = ObjectMeta(name: name, namespace: namespace, labels: ["app": name])
                    let template = PodTemplateSpec(
                        metadata: ObjectMeta(labels: ["app": name]),
                        spec: PodSpec(containers: [Container(name: "c", image: "example.com/idle:1")]))
                    _ = try await client.create(make(meta, template), namespace: namespace, options: WriteOptions())
                },
                touch: { name, step, client in
                    let patch: JSONValue = ["metadata": ["annotations": ["bench.ms2m.io/step": .string(String(step))]]]
                    _ = try await client.patch(
                        Object.self, name: name, namespace: namespace, patch: .merge(patch), subresource: nil,
                        options: WriteOptions())
                },
                delete: { name, client in _ = try await client.delete(Object.self, name: name, namespace: namespace) })
        }

        static let all: [ChurnKind] = [
            of(Node.self, namespace: nil) { meta, _ in Node(metadata: ObjectMeta(name: meta.name)) },
            of(Pod.self, namespace: "default") { meta, template in Pod(metadata: meta, spec: template.spec) },
            of(StatefulSet.self, namespace: "default") { meta, template in
                StatefulSet(
                    metadata: meta,
                    spec: StatefulSetSpec(selector: LabelSelector(matchLabels: meta.labels), serviceName: meta.name, template: template))
            },
            of(ReplicaSet.self, namespace: "default") { meta, template in
                ReplicaSet(metadata: meta, spec: ReplicaSetSpec(selector: LabelSelector(matchLabels: meta.labels), template: template))
            },
            of(Job.self, namespace: "default") { meta, template in
                var jobTemplate = template
                jobTemplate.spec?.restartPolicy = "Never"
                return Job(metadata: meta, spec: JobSpec(template: jobTemplate))
            },
            of(PodDisruptionBudget.self, namespace: "default") { meta, _ in
                PodDisruptionBudget(
                    metadata: meta, spec: PodDisruptionBudgetSpec(maxUnavailable: .int(1), selector: LabelSelector(matchLabels: meta.labels)))
            },
            of(Namespace.self, namespace: nil) { meta, _ in Namespace(metadata: ObjectMeta(name: meta.name)) },
        ]
    }
}
