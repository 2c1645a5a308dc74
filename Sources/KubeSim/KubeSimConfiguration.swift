/// How a `KubeSimServer` listens and behaves.
public struct KubeSimConfiguration: Sendable {
    /// Files for serving HTTPS.
    public struct TLS: Sendable {
        /// The server's certificate chain, PEM (leaf first).
        public var certificateChainFile: String
        /// The server's private key, PEM.
        public var privateKeyFile: String
        /// When set, clients must present a certificate signed by one of these CAs (PEM).
        public var clientCAFile: String?

        public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil) {
            self.certificateChainFile = certificateChainFile
            self.privateKeyFile = privateKeyFile
            self.clientCAFile = clientCAFile
        }
    }

    /// Which credentials are accepted; a request with none of them is answered 401 Unauthorized.
    public struct Authentication: Sendable {
        /// Accepted `Authorization: Bearer <token>` tokens.
        public var bearerTokens: Set<String>
        /// Accepted `Authorization: Basic` users (user → password).
        public var basicUsers: [String: String]
        /// Whether any verified client certificate authenticates the request.
        public var acceptClientCertificates: Bool
        /// Bearer tokens with the user they stand for (as a static token file maps them); these tokens are
        /// accepted too. Admission webhooks see the user in `request.userInfo`; a token in `bearerTokens`
        /// without a user here is reported as `system:anonymous`.
        public var tokenUsers: [String: KubeSimUser]

        public init(
            bearerTokens: Set<String> = [], basicUsers: [String: String] = [:], acceptClientCertificates: Bool = false,
            tokenUsers: [String: KubeSimUser] = [:]
        ) {
            self.bearerTokens = bearerTokens
            self.basicUsers = basicUsers
            self.acceptClientCertificates = acceptClientCertificates
            self.tokenUsers = tokenUsers
        }
    }

    public var host = "127.0.0.1"
    /// 0 picks an ephemeral port.
    public var port = 0
    /// Serve HTTPS with these files; nil serves plain HTTP.
    public var tls: TLS?
    /// nil allows anonymous requests.
    public var authentication: Authentication?
    /// Events retained for watch resumption and consistent pagination; older revisions answer 410 Expired.
    public var watchHistoryLimit = 10_000
    /// How often watches with `allowWatchBookmarks=true` receive a BOOKMARK; they also get one 2 s before their
    /// `timeoutSeconds`. kube-apiserver's watch cache sends them "roughly every minute" and before the timeout
    /// (`cacheWatcher.nextBookmarkTime`); tests may shorten the interval to see many.
    public var bookmarkInterval: Duration = .seconds(60)
    /// When true, deleting a pod removes it at once; otherwise a pod bound to a node with a grace period stays
    /// Terminating until it is deleted again with `gracePeriodSeconds=0` (the kubelet's part).
    public var podDeletionIsImmediate = false
    /// Event lines a watcher may have waiting before its stream is ended (the client then re-lists).
    public var watchBufferLimit = 50_000
    /// Largest accepted request body, in bytes.
    public var maxRequestBodySize = 10 * 1024 * 1024
    /// Delay before the garbage collector acts on a change (it runs asynchronously, like kube-controller-manager).
    public var garbageCollectorDelay: Duration = .milliseconds(20)
    /// Namespaces present at start.
    public var initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]
    /// The API server's own audiences (`--api-audiences`): what TokenRequest puts in a token without
    /// `spec.audiences`, what a TokenReview without `spec.audiences` checks, and what a token must name to
    /// authenticate requests to KubeSim itself. kube-apiserver defaults it to the issuer.
    public var apiAudiences = ["https://kubernetes.default.svc.cluster.local"]
    /// The `iss` claim of ServiceAccount tokens (`--service-account-issuer`).
    public var serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local"
    /// Number of NIO event-loop threads.
    public var eventLoopThreads = 2

    public init() {}
}

/// A user identity KubeSim attributes requests to (authentication/v1 UserInfo without `extra`).
public struct KubeSimUser: Sendable, Equatable {
    public var username: String
    public var uid: String
    public var groups: [String]

    public init(username: String, uid: String = "", groups: [String] = []) {
        self.username = username
        self.uid = uid
        self.groups = groups
    }
}
