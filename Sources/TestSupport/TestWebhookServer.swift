import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A small HTTPS server on 127.0.0.1 standing in for an admission webhook (or any HTTPS endpoint) in tests:
/// every request is recorded and answered by the test's handler, which may take its time (to provoke
/// timeouts) or answer anything at all (to provoke malformed responses).
public final class TestWebhookServer: Sendable {
    /// One request the server received.
    public struct Request: Sendable {
        public var method: String
        /// Path and query, as sent.
        public var uri: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        /// The first value of a header (case-insensitive).
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// The answer to one request.
    public struct Reply: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]

        public init(status: Int = 200, contentType: String = "application/json", body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// Answers a request; runs on Swift's cooperative pool, one task per request.
    public typealias Handler = @Sendable (Request) async -> Reply

    private struct State {
        var received: [Request] = []
        var connections: [any Channel] = []
    }

    private let channel: any Channel
    private let shared: Shared
    /// The bound port.
    public let port: Int

    /// `https://127.0.0.1:<port>`.
    public var baseURL: String { "https://127.0.0.1:\(port)" }

    /// The requests received so far, oldest first.
    public var received: [Request] { shared.state.withLock { $0.received } }

    private init(channel: any Channel, shared: Shared) {
        self.channel = channel
        self.shared = shared
        self.port = channel.localAddress?.port ?? 0
    }

    /// Starts serving HTTPS with the given PEM certificate chain and key on an ephemeral port.
    public static func start(certificateChainFile: String, privateKeyFile: String, handler: @escaping Handler)
        async throws -> TestWebhookServer
    {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificateChainFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)))
        // Idle clients keep connections open without answering close_notify; do not wait for them on shutdown.
        configuration.shutdownTimeout = .milliseconds(50)
        let context = try NIOSSLContext(configuration: configuration)
        let shared = Shared()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    shared.state.withLock { $0.connections.append(channel) }
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(
                            handler: handler,
                            record: { request in
                                shared.state.withLock { $0.received.append(request) }
                            }))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TestWebhookServer(channel: channel, shared: shared)
    }

    /// Stops listening and closes every open connection.
    public func shutdown() async {
        try? await channel.close()
        let connections = shared.state.withLock { s in
            let c = s.connections
            s.connections = []
            return c
        }
        for connection in connections { try? await connection.close() }
    }

    /// What the server and its connections share.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private final class RequestHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let handler: Handler
        private let record: @Sendable (Request) -> Void
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(handler: @escaping Handler, record: @escaping @Sendable (Request) -> Void) {
            self.handler = handler
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body = []
            case .body(var buffer):
                body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
            case .end:
                guard let head else { return }
                self.head = nil
                let request = Request(
                    method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                    body: body)
                record(request)
                let keepAlive = head.isKeepAlive
                let handler = self.handler
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let promise = context.eventLoop.makePromise(of: Reply.self)
                promise.completeWithTask { await handler(request) }
                promise.futureResult.whenSuccess { reply in
                    let (this, context) = bound.value
                    this.write(reply, context: context, keepAlive: keepAlive)
                }
            }
        }

        private func write(_ reply: Reply, context: ChannelHandlerContext, keepAlive: Bool) {
            guard context.channel.isActive else { return }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: reply.contentType)
            headers.add(name: "Content-Length", value: String(reply.body.count))
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: reply.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
