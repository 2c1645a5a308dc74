public import KubeClient
public import MigrationEngine

/// How the operator uses node agents (`ms2m-agent`, a DaemonSet) for transfers: where the engine finds them,
/// how they are called, and which token proves the operator's identity to them.
public struct TransferAgentOptions: Sendable {
    /// The agents' namespace (normally the operator's).
    public var namespace: String
    /// The agent pods' labels.
    public var labelSelector: String
    /// The agents' HTTPS port.
    public var port: Int
    /// CA file, server name, skip-verify, timeout and URL of each agent.
    public var client: HTTPTransferAgents.Configuration
    /// A projected ServiceAccount token for the audience `ms2m-agent`; used when the file exists.
    public var tokenFile: String
    /// The operator's ServiceAccount and its namespace, for the TokenRequest API when there is no token file.
    public var serviceAccount: String
    public var serviceAccountNamespace: String

    /// Options for agents in `namespace`.
    public init(
        namespace: String, labelSelector: String = "app.kubernetes.io/name=ms2m-agent", port: Int = 10260,
        client: HTTPTransferAgents.Configuration = .init(), tokenFile: String = AgentTokenSources.projectedTokenFile,
        serviceAccount: String = "ms2m-controller-manager", serviceAccountNamespace: String? = nil
    ) {
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.port = port
        self.client = client
        self.tokenFile = tokenFile
        self.serviceAccount = serviceAccount
        self.serviceAccountNamespace = serviceAccountNamespace ?? namespace
    }

    /// The name on the agents' shared serving certificate: their headless Service, `ms2m-agent.<namespace>.svc`.
    public static func serverName(namespace: String) -> String { "ms2m-agent.\(namespace).svc" }

    /// Where the engine looks for agents.
    public var engineSettings: TransferAgentSettings {
        TransferAgentSettings(namespace: namespace, labelSelector: labelSelector, port: port)
    }
}

extension OperatorAssembly {
    /// The agent client of `configuration`: HTTPS with its CA file, authenticated with the projected token file
    /// when it exists, else with TokenRequest tokens `client` asks for. Pass it as `agents` to `make` and set
    /// `options.engine.transferAgents` to `configuration.engineSettings`.
    public static func transferAgents(configuration: TransferAgentOptions, client: KubeClient) -> HTTPTransferAgents {
        let tokens = AgentTokenSources.automatic(
            tokenFile: configuration.tokenFile, serviceAccount: configuration.serviceAccount,
            namespace: configuration.serviceAccountNamespace, client: client)
        return HTTPTransferAgents(configuration: configuration.client, tokens: tokens)
    }
}
