import AMQPBroker
import ArgumentParser
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import MigrationEngine
import OperatorAssembly
import ServiceLifecycle
import WebhookServer

/// `ms2m-operator`: the operator process — the MigrationPolicy controller and the embedded MS2M phase
/// engine in one ControllerManager, with leader election, probes and metrics. Runs in-cluster with its
/// service account, or against a kubeconfig.
@main
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ms2m-operator",
        abstract: "Run the ms2m operator (MigrationPolicy controller + MS2M migration engine).")

    @Option(help: "A kubeconfig to use instead of the in-cluster service account (also $KUBECONFIG).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context.")
    var context: String?

    @Option(help: "Where /metrics is served (host:port or :port; 0 disables).")
    var metricsBindAddress = ":8080"

    @Option(help: "Where /healthz and /readyz are served (host:port or :port; 0 disables).")
    var healthProbeBindAddress = ":8081"

    @Flag(help: "Elect a leader through a Lease so only one replica acts.")
    var leaderElect = false

    @Option(help: "The Lease's namespace (default: $POD_NAMESPACE, else ms2m-system).")
    var leaderElectionNamespace: String?

    @Option(help: "The image of checkpoint-transfer for transfer Jobs.")
    var transferImage = "ghcr.io/ms2m/checkpoint-transfer:latest"

    @Option(help: "Migrations reconciled at once.")
    var workers = 8

    @Option(help: "Where the eviction webhook is served over HTTPS (host:port or :port; 0 disables).")
    var webhookBindAddress = "0"

    @Option(help: "Take the webhook's certificate from tls.crt/tls.key in this directory (a Secret cert-manager maintains) instead of managing one.")
    var webhookCertDir: String?

    @Option(help: "The Secret holding the self-managed webhook CA and certificate (in the operator's namespace).")
    var webhookSecretName = "ms2m-webhook-server-cert"

    @Option(help: "The webhook's Service (the certificate covers <service>.<namespace>.svc).")
    var webhookServiceName = "ms2m-webhook-service"

    @Option(help: "The ValidatingWebhookConfiguration whose caBundle the operator keeps current.")
    var webhookConfigurationName = "ms2m-eviction-webhook"

    @OptionGroup(title: "Node agents")
    var agents: TransferAgentFlags

    @Option(help: "Log format: json, text or auto.")
    var logFormat: LogFormat = .automatic

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        logFormat.bootstrap(level: logLevel)
        let logger = Logger(label: "ms2m.operator")
        let environment = ProcessInfo.processInfo.environment
        let clientConfiguration: ClientConfiguration
        if let path = kubeconfig {
            clientConfiguration = try Kubeconfig.load(paths: [path]).resolve(context: context)
        } else {
            clientConfiguration = try ClientConfiguration.automatic(context: context)
        }
        let client = KubeClient(configuration: clientConfiguration, logger: logger)
        let identity = environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        let namespace = leaderElectionNamespace ?? environment["POD_NAMESPACE"] ?? "ms2m-system"
        var options = OperatorOptions(migrationWorkers: workers)
        options.manager = ManagerConfiguration(
            leaderElection: leaderElect
                ? LeaderElectionConfiguration(leaseName: "ms2m-operator-leader", leaseNamespace: namespace, identity: identity) : nil,
            healthProbeAddress: Self.address(healthProbeBindAddress), metricsAddress: Self.address(metricsBindAddress),
            events: EventRecorderConfiguration(reportingController: "migration.ms2m.io/operator", reportingInstance: identity))
        options.engine.transfer.image = transferImage
        if let address = Self.address(webhookBindAddress) {
            let certificates: WebhookOptions.Certificates
            if let webhookCertDir {
                certificates = .mountedSecret(directory: webhookCertDir)
            } else {
                certificates = .selfManaged(WebhookCertificateManager.SecretOptions(
                    secretName: webhookSecretName, namespace: namespace,
                    policy: CertificatePolicy(service: webhookServiceName, namespace: namespace),
                    validatingWebhookConfigurations: [webhookConfigurationName]))
            }
            options.webhook = WebhookOptions(
                server: AdmissionWebhookServer.Configuration(address: address), certificates: certificates,
                scope: WebhookOptions.Scope(configuration: webhookConfigurationName, operatorNamespace: namespace))
        }
        let agentOptions = agents.options(operatorNamespace: namespace)
        options.engine.transferAgents = agentOptions?.engineSettings
        let services = OperatorAssembly.make(
            api: client, brokers: RabbitMQBrokerPool(logger: logger), images: RegistryImageDeleter(logger: logger),
            agents: agentOptions.map { OperatorAssembly.transferAgents(configuration: $0, client: client) },
            options: options, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.all.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("ms2m-operator starting", metadata: [
            "leaderElection": "\(leaderElect)", "transferImage": "\(transferImage)", "webhook": "\(webhookBindAddress)",
            "transferAgents": "\(agentOptions.map { "\($0.namespace)/\($0.labelSelector):\($0.port)" } ?? "disabled")",
        ])
        try await group.run()
    }

    /// `:8080`, `0.0.0.0:8080`, or `0` (disabled).
    static func address(_ text: String) -> BindAddress? {
        if text == "0" || text.isEmpty { return nil }
        return BindAddress(text)
    }
}

extension LogFormat: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
