import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// The agent's HTTP/1.1 server (HTTPS when given a TLS context): reads each request in full, at most
/// `maxBodyBytes` of body (larger ones get 413 and the connection is closed), and answers it with an async
/// handler run off the event loop.
///
/// Built like the admission webhook server (`WebhookServer`), which cannot be reused as is: it serves only
/// `POST` on fixed paths and brings the operator runtime with it.
public final class AgentHTTPServer: Sendable {
    /// Answers one request; runs on Swift's concurrency pool.
    public typealias Handler = @Sendable (AgentHTTPRequest) async -> AgentHTTPResponse

    /// Where and how the server listens.
    public struct Configuration: Sendable {
        /// The interface address; `0.0.0.0` for all.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// The largest request body.
        public var maxBodyBytes: Int
        /// How long a connection may stay without traffic.
        public var idleTimeout: Duration

        public init(host: String = "0.0.0.0", port: Int = 10260, maxBodyBytes: Int = 64 * 1024, idleTimeout: Duration = .seconds(90)) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
        }
    }

    public let configuration: Configuration
    private let tls: NIOSSLContext?
    private let handler: Handler
    private let logger: Logger
    private let state = Mutex<(channel: (any Channel)?, connections: [ObjectIdentifier: any Channel])>((nil, [:]))

    /// A server answering with `handler`; HTTPS when `tls` is given.
    public init(configuration: Configuration, tls: NIOSSLContext?, logger: Logger = Logger(label: "ms2m.agent.http"), handler: @escaping Handler) {
        self.configuration = configuration
        self.tls = tls
        self.handler = handler
        self.logger = logger
    }

    /// A TLS server context from PEM files: TLS 1.2 or newer, HTTP/1.1 by ALPN.
    public static func tlsContext(certificateFile: String, privateKeyFile: String) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        let key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: configuration)
    }

    /// Binds and starts serving; returns the port bound.
    public func start() async throws -> Int {
        let handler = self.handler
        let tls = self.tls
        let maxBodyBytes = configuration.maxBodyBytes
        let logger = self.logger
        let idle = TimeAmount.nanoseconds(configuration.idleTimeout.components.seconds * 1_000_000_000)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [weak self] channel in
                self?.register(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idle))
                    if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(AgentChannelHandler(handler: handler, maxBodyBytes: maxBodyBytes, logger: logger))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        state.withLock { $0.channel = channel }
        let port = channel.localAddress?.port ?? configuration.port
        logger.info("Serving the transfer agent API", metadata: [
            "address": "\(configuration.host):\(port)", "tls": "\(tls != nil)",
        ])
        return port
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        let (listener, connections) = state.withLock { state in
            defer { state.channel = nil }
            return (state.channel, Array(state.connections.values))
        }
        try? await listener?.close()
        for connection in connections { try? await connection.close() }
    }

    private func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { $0.connections[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLock { _ = $0.connections.removeValue(forKey: id) }
        }
    }
}

/// Reads one request at a time from a connection, runs the handler in a task, and writes its answer back on the
/// connection's event loop.
final class AgentChannelHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer)
        case answering(HTTPRequestHead, Task<Void, Never>)
        case closing
    }

    private let handler: AgentHTTPServer.Handler
    private let maxBodyBytes: Int
    private let logger: Logger
    private var state = State.idle

    init(handler: @escaping AgentHTTPServer.Handler, maxBodyBytes: Int, logger: Logger) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
                rejectOversized(head, context: context)
                return
            }
            state = .receiving(head, context.channel.allocator.buffer(capacity: 0))
        case (.body(var chunk), .receiving(let head, var body)):
            guard body.readableBytes + chunk.readableBytes <= maxBodyBytes else {
                rejectOversized(head, context: context)
                return
            }
            state = .closing
            body.writeBuffer(&chunk)
            state = .receiving(head, body)
        case (.end, .receiving(let head, let body)):
            answer(head, body: body, context: context)
        case (_, .closing):
            break
        default:
            state = .closing
            context.close(promise: nil)
        }
    }

    private func rejectOversized(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .closing
        let error = AgentError(status: 413, "the request body exceeds \(maxBodyBytes) bytes")
        write(.error(error), for: head, context: context, forceClose: true)
    }

    private func answer(_ head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        let request = AgentHTTPRequest(
            method: head.method.rawValue, path: path, headers: head.headers.map { ($0.name, $0.value) },
            body: Array(body.readableBytesView))
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        let handler = self.handler
        let task = Task {
            let response = await handler(request)
            loop.execute { bound.value.handler.finish(head, response: response, context: bound.value.context) }
        }
        state = .answering(head, task)
    }

    private func finish(_ head: HTTPRequestHead, response: AgentHTTPResponse, context: ChannelHandlerContext) {
        guard case .answering = state else { return }
        state = .idle
        write(response, for: head, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .answering(_, let task) = state { task.cancel() }
        state = .closing
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if case .answering = state { return }
            state = .closing
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("Agent connection failed", metadata: ["error": "\(error)"])
        state = .closing
        context.close(promise: nil)
    }

    private func write(_ response: AgentHTTPResponse, for head: HTTPRequestHead, context: ChannelHandlerContext, forceClose: Bool = false) {
        let keepAlive = head.isKeepAlive && !forceClose
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            state = .closing
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
