import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import MigrationAPI

/// `ms2m migrate POD --to NODE`: creates a manual `StatefulMigration` for one pod and prints its name. The
/// operator's engine carries it out; follow it with `ms2m status`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Live-migrate one pod to a node (creates a StatefulMigration).")

    @Argument(help: "The pod to move.")
    var pod: String

    @Option(help: "The node to move it to.")
    var to: String

    @Option(name: [.customShort("n"), .long], help: "The pod's namespace (default: the kubeconfig context's).")
    var namespace: String?

    @Option(help: "ShadowPod or Sequential (default: Sequential for StatefulSet pods, ShadowPod for the rest).")
    var strategy: String?

    @Option(help: "The container to checkpoint (default: the pod's only container).")
    var container: String?

    @Option(help: "Where checkpoint images are pushed (a repository such as registry.example.com/checkpoints).")
    var checkpointRepository: String?

    @Option(help: "The primary queue the pod consumes.")
    var queue: String?

    @Option(help: "The broker, amqp:// or amqps://.")
    var brokerURL: String?

    @Option(help: "The fan-out exchange producers publish to.")
    var exchange: String?

    @Option(help: "A Secret in the pod's namespace with the broker's username and password keys.")
    var brokerSecret: String?

    @Option(help: "Upper bound on the Replaying phase, in seconds (1-3600).")
    var replayCutoff: Int32?

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        if pod.isEmpty { throw ValidationError("POD must not be empty") }
        if to.isEmpty { throw ValidationError("--to must name a node") }
        if let strategy, !["ShadowPod", "Sequential"].contains(strategy) {
            throw ValidationError("--strategy must be ShadowPod or Sequential, not \(strategy)")
        }
        if let brokerURL, !(brokerURL.hasPrefix("amqp://") || brokerURL.hasPrefix("amqps://")) {
            throw ValidationError("--broker-url must start with amqp:// or amqps://")
        }
        if let replayCutoff, !(1...3600).contains(replayCutoff) { throw ValidationError("--replay-cutoff must be 1 to 3600 seconds") }
    }

    func run() async throws {
        let client = try cluster.client()
        let created = try await Self.create(self.migration(), client: client)
        print("statefulmigration.migration.ms2m.io/\(created.metadata.name ?? "?") created")
    }

    /// The migration this invocation asks for (not yet created; its name is chosen by the server from
    /// `generateName`).
    func migration() -> StatefulMigration {
        var spec = StatefulMigrationSpec(
            sourcePod: pod, containerName: container, targetNode: to, checkpointImageRepository: checkpointRepository,
            replayCutoffSeconds: replayCutoff, migrationStrategy: strategy)
        if queue != nil || brokerURL != nil || exchange != nil {
            spec.messageQueueConfig = MessageQueueConfig(queueName: queue, brokerUrl: brokerURL, exchangeName: exchange)
        }
        if let brokerSecret { spec.brokerCredentialsSecretRef = BrokerCredentialsSecretReference(name: brokerSecret) }
        let prefix = String("\(pod)-migration".prefix(57)) + "-"
        return StatefulMigration(
            metadata: ObjectMeta(generateName: prefix, namespace: namespace, labels: ["app.kubernetes.io/created-by": "ms2m-cli"]),
            spec: spec)
    }

    /// Checks that the pod and node exist and differ, then creates `migration`.
    static func create(_ migration: StatefulMigration, client: KubeClient) async throws -> StatefulMigration {
        let namespace = migration.metadata.namespace
        let podName = migration.spec.sourcePod
        let target = migration.spec.targetNode ?? ""
        let pod: Pod
        do { pod = try await client.get(Pod.self, name: podName, namespace: namespace) } catch let error as KubeAPIError where error.isNotFound {
            throw CLIInputError("pod \(podName) not found in namespace \(namespace ?? client.defaultNamespace)")
        }
        do { _ = try await client.get(Node.self, name: target) } catch let error as KubeAPIError where error.isNotFound {
            throw CLIInputError("node \(target) not found")
        }
        if pod.spec?.nodeName == target { throw CLIInputError("pod \(podName) already runs on \(target)") }
        var migration = migration
        migration.metadata.namespace = pod.metadata.namespace
        return try await client.create(migration)
    }
}
