/// The `exec` stanza of a kubeconfig user: a credential plugin (client.authentication.k8s.io) such as
/// `gke-gcloud-auth-plugin`, `aws eks get-token` or `kubelogin`.
public struct ExecCredentialConfig: Sendable, Equatable, Codable {
    /// An environment variable given to the plugin.
    public struct EnvVar: Sendable, Equatable, Codable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    public var apiVersion: String
    /// The program; a relative path with a separator is resolved against the kubeconfig's directory.
    public var command: String
    public var args: [String]?
    public var env: [EnvVar]?
    /// Shown when the command cannot be run.
    public var installHint: String?
    /// Whether the plugin receives the cluster's server and CA in `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool?
    /// `Never`, `IfAvailable` or `Always`; this client never has a terminal, so `Always` fails.
    public var interactiveMode: String?

    /// The cluster the plugin is asked about (filled in from the kubeconfig cluster; not part of the stanza).
    public var cluster: ClusterInfo?

    /// The server and CA data sent to plugins that ask for cluster info.
    public struct ClusterInfo: Sendable, Equatable, Codable {
        public var server: String
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?
        public var proxyURL: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
        }
    }

    public init(
        apiVersion: String,
        command: String,
        args: [String]? = nil,
        env: [EnvVar]? = nil,
        installHint: String? = nil,
        provideClusterInfo: Bool? = nil,
        interactiveMode: String? = nil,
        cluster: ClusterInfo? = nil
    ) {
        self.apiVersion = apiVersion
        self.command = command
        self.args = args
        self.env = env
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
        self.cluster = cluster
    }
}
