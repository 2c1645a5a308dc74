public import ControllerRuntime
public import Logging
public import MigrationEngine
public import OperatorCore
import PolicyEngine
public import ServiceLifecycle
public import WebhookServer

/// What the operator process runs, beyond the manager's own settings.
public struct OperatorOptions: Sendable {
    /// Leader election, probes, metrics, events.
    public var manager: ManagerConfiguration
    /// The phase engine's settings (transfer image, timeouts, replay polling).
    public var engine: EngineConfiguration
    /// Migrations reconciled at once.
    public var migrationWorkers: Int
    /// The eviction webhook; nil serves none.
    public var webhook: WebhookOptions?

    /// Creates options.
    public init(
        manager: ManagerConfiguration = ManagerConfiguration(), engine: EngineConfiguration = EngineConfiguration(),
        migrationWorkers: Int = 8, webhook: WebhookOptions? = nil
    ) {
        self.manager = manager
        self.engine = engine
        self.migrationWorkers = migrationWorkers
        self.webhook = webhook
    }
}

/// How the eviction webhook is served: where, and where its certificate comes from.
public struct WebhookOptions: Sendable {
    /// Where certificates come from.
    public enum Certificates: Sendable {
        /// The operator's own CA in a Secret, its CA bundle injected into the webhook configurations.
        case selfManaged(WebhookCertificateManager.SecretOptions)
        /// `tls.crt`/`tls.key` in a directory (a Secret that cert-manager maintains, mounted).
        case mountedSecret(directory: String)
    }

    /// The HTTPS server's address and limits.
    public var server: AdmissionWebhookServer.Configuration
    /// Where certificates come from.
    public var certificates: Certificates
    /// The ValidatingWebhookConfiguration whose `namespaceSelector` the operator narrows to the namespaces
    /// intercepting policies cover (``WebhookScope``); nil leaves the selector as installed.
    public var scope: Scope?

    /// The webhook whose namespace selector the leading replica keeps current.
    public struct Scope: Sendable {
        /// The ValidatingWebhookConfiguration's name.
        public var configuration: String
        /// The webhook's name in it.
        public var webhook: String
        /// The operator's namespace (never selected).
        public var operatorNamespace: String

        /// Creates a scope.
        public init(
            configuration: String = "ms2m-eviction-webhook", webhook: String = "eviction.migration.ms2m.io",
            operatorNamespace: String
        ) {
            self.configuration = configuration
            self.webhook = webhook
            self.operatorNamespace = operatorNamespace
        }
    }

    /// Creates options.
    public init(server: AdmissionWebhookServer.Configuration = .init(), certificates: Certificates, scope: Scope? = nil) {
        self.server = server
        self.certificates = certificates
        self.scope = scope
    }
}

/// The operator's services, in the order a `ServiceGroup` should run them: the manager first, then (with a
/// webhook) its certificate manager and HTTPS server, so graceful shutdown stops answering webhooks before
/// the controllers and informers stop.
public struct OperatorServices: Sendable {
    /// The controllers, informers, probes and metrics.
    public let manager: ControllerManager
    /// The eviction webhook's server, when one is served.
    public let webhookServer: AdmissionWebhookServer?
    /// The webhook's certificate manager, when one is served.
    public let certificateManager: WebhookCertificateManager?

    /// Every service, in start order.
    public var all: [any Service] {
        var services: [any Service] = [manager]
        if let certificateManager { services.append(certificateManager) }
        if let webhookServer { services.append(webhookServer) }
        return services
    }
}

/// Builds the operator: one `ControllerManager` running the StatefulMigration engine (and the
/// MigrationPolicy controller), wired to the given adapters, and optionally the eviction webhook serving from
/// the same informer caches. `ms2m-operator` passes the real ones (KubeClient, RabbitMQ, the registry);
/// `ms2m simulate` and the end-to-end tests pass the same or in-process ones.
public enum OperatorAssembly {
    /// The manager with the operator's controllers added; run it under a ServiceGroup.
    public static func makeManager(
        api: any KubernetesAPI & KubeletCheckpointing, brokers: any MessageBrokerConnecting,
        images: any CheckpointImageDeleting, agents: (any TransferAgentCalling)? = nil, options: OperatorOptions,
        logger: Logger
    ) -> ControllerManager {
        make(api: api, brokers: brokers, images: images, agents: agents, options: options, logger: logger).manager
    }

    /// The manager and, when `options.webhook` is set, the eviction webhook's server and certificate manager.
    /// `agents` (``HTTPTransferAgents``, see `transferAgents(configuration:client:)`) are used for transfers when
    /// `options.engine.transferAgents` says where they run; nil: every transfer runs as a Job.
    public static func make(
        api: any KubernetesAPI & KubeletCheckpointing, brokers: any MessageBrokerConnecting,
        images: any CheckpointImageDeleting, agents: (any TransferAgentCalling)? = nil, options: OperatorOptions,
        logger: Logger
    ) -> OperatorServices {
        let manager = ControllerManager(api: api, configuration: options.manager, logger: logger)
        let ports = MigrationEnginePorts(
            api: manager.api, kubelet: api, brokers: brokers, images: images, events: EventRecorderSink(recorder: manager.events),
            agents: agents)
        manager.add(MigrationController.make(ports: ports, configuration: options.engine, workers: options.migrationWorkers, metrics: manager.metrics, logger: logger))
        let caches = PolicyCaches(factory: manager.informers)
        manager.add(MigrationPolicyController.make(
            api: manager.api, informers: manager.informers, events: manager.events, logger: logger, caches: caches))
        guard let webhook = options.webhook else {
            return OperatorServices(manager: manager, webhookServer: nil, certificateManager: nil)
        }
        if let scope = webhook.scope {
            manager.add(WebhookScopeController.make(
                api: manager.api, caches: caches, configuration: scope.configuration, webhook: scope.webhook,
                operatorNamespace: scope.operatorNamespace, logger: logger))
        }
        let eviction = EvictionWebhook(api: manager.api, caches: caches, events: manager.events, logger: logger)
        let certificates = ServingCertificateSource()
        let server = AdmissionWebhookServer(
            configuration: webhook.server,
            routes: [
                EvictionWebhook.path: { request in
                    let answer = await eviction.handle(body: request.body)
                    return WebhookResponse(status: answer.status, contentType: answer.contentType, body: answer.body)
                }
            ],
            certificates: certificates, logger: logger)
        let mode: WebhookCertificateManager.Mode
        switch webhook.certificates {
        case .selfManaged(let secret): mode = .selfManaged(secret, api: manager.api)
        case .mountedSecret(let directory): mode = .mountedSecret(directory: directory)
        }
        let certificateManager = WebhookCertificateManager(mode: mode, certificates: certificates, logger: logger)
        // A replica whose webhook server does not listen yet (no certificate) takes no Service traffic.
        manager.addReadinessCheck("eviction webhook") { server.boundPort != nil }
        return OperatorServices(manager: manager, webhookServer: server, certificateManager: certificateManager)
    }
}
