import Logging
import NIOSSL
public import ServiceLifecycle

/// The node agent (`ms2m-agent`, a DaemonSet): serves the `TransferAgentAPI` and runs the node's transfers.
///
/// Runs as a `Service`: on graceful shutdown (SIGTERM) it stops accepting transfers (readiness turns 503),
/// keeps answering status requests while the running transfers finish within `shutdownGracePeriod`, cancels
/// what is left, and closes the server. Archives of unfinished transfers stay for the operator's retry.
public final class TransferAgent: Service, Sendable {
    /// Everything the agent is started with.
    public struct Configuration: Sendable {
        /// The listening interface and port (`0.0.0.0:10260`).
        public var host: String
        public var port: Int
        /// Where the kubelet writes checkpoint archives.
        public var checkpointDirectory: String
        /// The node the agent runs on.
        public var nodeName: String?
        /// PEM files for HTTPS; plain HTTP without them (simulations).
        public var tlsCertificateFile: String?
        public var tlsPrivateKeyFile: String?
        public var limits: TransferLimits
        public var transfers: TransferManager.Configuration
        /// How long running transfers may take to finish at shutdown before they are cancelled.
        public var shutdownGracePeriod: Duration

        public init(
            host: String = "0.0.0.0", port: Int = 10260, checkpointDirectory: String = "/var/lib/kubelet/checkpoints",
            nodeName: String? = nil, tlsCertificateFile: String? = nil, tlsPrivateKeyFile: String? = nil,
            limits: TransferLimits = TransferLimits(), transfers: TransferManager.Configuration = .init(),
            shutdownGracePeriod: Duration = .seconds(25)
        ) {
            self.host = host
            self.port = port
            self.checkpointDirectory = checkpointDirectory
            self.nodeName = nodeName
            self.tlsCertificateFile = tlsCertificateFile
            self.tlsPrivateKeyFile = tlsPrivateKeyFile
            self.limits = limits
            self.transfers = transfers
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    public let configuration: Configuration
    public let manager: TransferManager
    public let metrics: AgentMetrics
    public let api: TransferAgentAPI
    private let server: AgentHTTPServer
    private let logger: Logger

    /// An agent pushing through `pusher` and admitting callers with `authorizer`. Throws when the TLS files
    /// cannot be loaded.
    public init(
        configuration: Configuration, authorizer: any AgentAuthorizer,
        pusher: any CheckpointArchivePusher = RegistryArchivePusher(), logger: Logger = Logger(label: "ms2m.agent")
    ) throws {
        self.configuration = configuration
        self.logger = logger
        var transfers = configuration.transfers
        transfers.nodeName = transfers.nodeName ?? configuration.nodeName
        let directory = CheckpointDirectory(path: configuration.checkpointDirectory)
        metrics = AgentMetrics()
        manager = TransferManager(configuration: transfers, pusher: pusher, directory: directory, metrics: metrics, logger: logger)
        api = TransferAgentAPI(
            manager: manager, authorizer: authorizer, validator: TransferRequestValidator(limits: configuration.limits),
            directory: directory, metrics: metrics)
        var tls: NIOSSLContext?
        switch (configuration.tlsCertificateFile, configuration.tlsPrivateKeyFile) {
        case (let certificate?, let key?):
            tls = try AgentHTTPServer.tlsContext(certificateFile: certificate, privateKeyFile: key)
        case (nil, nil):
            tls = nil
        default:
            throw AgentError(status: 500, "TLS needs both a certificate file and a private key file")
        }
        let api = self.api
        server = AgentHTTPServer(
            configuration: .init(host: configuration.host, port: configuration.port, maxBodyBytes: configuration.limits.maxBodyBytes),
            tls: tls, logger: logger
        ) { request in await api.handle(request) }
    }

    /// Starts listening; returns the port bound.
    public func start() async throws -> Int {
        try await server.start()
    }

    /// Stops accepting transfers, lets running ones finish within the grace period (then cancels them), and
    /// closes the server.
    public func shutdown() async {
        logger.info("Shutting down: no new transfers", metadata: ["grace": "\(configuration.shutdownGracePeriod)"])
        await manager.shutdown(gracePeriod: configuration.shutdownGracePeriod)
        await server.stop()
    }

    /// Serves until graceful shutdown or cancellation, then shuts down.
    public func run() async throws {
        _ = try await start()
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        await withGracefulShutdownHandler {
            for await _ in stream {}
        } onGracefulShutdown: {
            continuation.finish()
        }
        await shutdown()
    }
}
