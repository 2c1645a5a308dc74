public import ControllerRuntime
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
public import ServiceLifecycle
import Synchronization

/// The HTTPS server the API server calls admission webhooks on: `POST <path>` for each route, answered by an
/// async handler.
///
/// It presents the certificate of a `ServingCertificateSource`, taken afresh for each new connection, so a
/// rotated certificate is used by the next connection while open ones keep theirs. It starts listening once
/// the source has a certificate. Requests are checked before a handler sees them: unknown path 404, other
/// methods 405, a body that is not `application/json` 415, a body over the limit 413 (and the connection is
/// closed). Connections are kept alive, and closed after `idleTimeout` without traffic.
///
/// Runs as a `Service`: on graceful shutdown it stops accepting, lets running handlers answer (up to
/// `shutdownGracePeriod`), and closes the remaining connections.
public final class AdmissionWebhookServer: Service, Sendable {
    /// Where and how the server listens.
    public struct Configuration: Sendable {
        /// The listening address; port 9443 on every interface by default (the Service maps 443 to it).
        public var address: BindAddress
        /// The largest request body accepted. The API server's AdmissionReviews carry at most the object and
        /// its old version, each bounded by the 3 MiB request limit.
        public var maxRequestBodyBytes: Int
        /// How long a connection may stay without any bytes read before it is closed.
        public var idleTimeout: Duration
        /// How long shutdown waits for running handlers before it closes their connections.
        public var shutdownGracePeriod: Duration

        /// The defaults: `:9443`, 3 MiB bodies, 90 s idle timeout, 10 s shutdown grace.
        public init(
            address: BindAddress = BindAddress(port: 9443),
            maxRequestBodyBytes: Int = 3 * 1024 * 1024,
            idleTimeout: Duration = .seconds(90),
            shutdownGracePeriod: Duration = .seconds(10)
        ) {
            self.address = address
            self.maxRequestBodyBytes = maxRequestBodyBytes
            self.idleTimeout = idleTimeout
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    /// The configuration the server runs with.
    public let configuration: Configuration
    private let routes: [String: WebhookHandler]
    private let certificates: ServingCertificateSource
    private let logger: Logger
    private let connections = ConnectionTracker()
    private let bound = Mutex<Int?>(nil)
    private let listening = AsyncLatch()

    /// A server for `routes` (path → handler, e.g. `/validate-eviction`), presenting `certificates`.
    public init(
        configuration: Configuration = Configuration(),
        routes: [String: WebhookHandler],
        certificates: ServingCertificateSource,
        logger: Logger = Logger(label: "ms2m.webhook")
    ) {
        self.configuration = configuration
        self.routes = routes
        self.certificates = certificates
        self.logger = logger
    }

    /// The port bound, once listening (the actual port when `configuration.address.port` is 0).
    public var boundPort: Int? { bound.withLock { $0 } }

    /// Waits until the server listens (or the task is cancelled) and returns the port.
    public func waitUntilListening() async -> Int? {
        await listening.wait()
        return boundPort
    }

    /// Waits for the first certificate, listens, and serves until graceful shutdown or cancellation; throws
    /// when the address cannot be bound.
    public func run() async throws {
        guard let first = await cancelWhenGracefulShutdown({ [certificates] in await certificates.waitForCertificate() })
        else { return }  // shut down before any certificate arrived
        let channel = try await bootstrap().bind(host: configuration.address.host, port: configuration.address.port).get()
        let port = channel.localAddress?.port ?? configuration.address.port
        bound.withLock { $0 = port }
        listening.open()
        logger.info("Serving admission webhooks over HTTPS", metadata: [
            "address": "\(BindAddress(host: configuration.address.host, port: port))",
            "paths": "\(routes.keys.sorted().joined(separator: ","))",
            "certificate": "\(first)",
        ])
        let stop = AsyncLatch()
        await withGracefulShutdownHandler {
            await stop.wait()
        } onGracefulShutdown: {
            stop.open()
        }
        connections.beginDraining()
        try? await channel.close()
        await drain()
        logger.info("Admission webhook server stopped")
    }

    /// Waits for running handlers (up to the grace period; not at all when the task is cancelled), then
    /// closes every connection.
    private func drain() async {
        let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
        while connections.requestsInFlight > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if connections.requestsInFlight > 0 {
            logger.warning("Closing webhook connections with requests still running", metadata: [
                "requests": "\(connections.requestsInFlight)"
            ])
        }
        await connections.closeAll()
    }

    /// The listener: each accepted connection gets TLS with the current certificate, HTTP/1.1, and the routes.
    private func bootstrap() -> ServerBootstrap {
        let routes = self.routes
        let certificates = self.certificates
        let connections = self.connections
        let logger = self.logger
        let maxBodyBytes = configuration.maxRequestBodyBytes
        let idle = TimeAmount.nanoseconds(Int64(configuration.idleTimeout.timeInterval * 1e9))
        return ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let tls = certificates.currentContext() else {
                        throw WebhookServerError.noCertificate
                    }
                    connections.register(channel)
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                    try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(WebhookChannelHandler(
                        routes: routes, maxBodyBytes: maxBodyBytes, connections: connections, logger: logger))
                }
            }
    }
}

/// Why the webhook server could not serve.
public enum WebhookServerError: Error, Equatable, CustomStringConvertible {
    /// A connection arrived while the certificate source had no certificate.
    case noCertificate

    public var description: String {
        switch self {
        case .noCertificate: return "no serving certificate is available yet"
        }
    }
}
