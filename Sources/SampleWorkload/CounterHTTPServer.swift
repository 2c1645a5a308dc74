public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The sample consumer's HTTP/1.1 endpoints, for probes and for tests that read the count:
///
/// - `GET /count`: `{"count":N,"duplicatesSkipped":M,"mode":"primary"|"replay"}`
/// - `GET /healthz`: 200 while the process serves
/// - `GET /readyz`: 200 only while the consumer is ready (connected and consuming), else 503
///
/// Answers come from ``CounterConsumer/status``, which is read without awaiting the actor.
public final class CounterHTTPServer: Sendable {
    /// The address to listen on (`0.0.0.0` in a pod, `127.0.0.1` in tests).
    public let host: String
    /// The port asked for; 0 lets the kernel choose (see ``port``).
    public let requestedPort: Int
    private let status: @Sendable () -> CounterStatus
    private let logger: Logger
    private let listener = Mutex<(any Channel)?>(nil)

    /// A server reporting `consumer`'s status.
    public convenience init(
        consumer: CounterConsumer, host: String = "0.0.0.0", port: Int = 8080,
        logger: Logger = Logger(label: "ms2m.sample-consumer.http")
    ) {
        self.init(host: host, port: port, logger: logger, status: { consumer.status })
    }

    /// A server reporting whatever `status` returns (it runs on an event loop and must not block).
    public init(
        host: String = "0.0.0.0", port: Int = 8080,
        logger: Logger = Logger(label: "ms2m.sample-consumer.http"),
        status: @escaping @Sendable () -> CounterStatus
    ) {
        self.host = host
        self.requestedPort = port
        self.status = status
        self.logger = logger
    }

    /// The port listened on, once started.
    public var port: Int? { listener.withLock { $0?.localAddress?.port } }

    /// Starts listening and returns the port.
    @discardableResult
    public func start() async throws -> Int {
        let status = self.status
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(CounterRequestHandler(status: status))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: requestedPort).get()
        listener.withLock { $0 = channel }
        let port = channel.localAddress?.port ?? requestedPort
        logger.info("Serving HTTP endpoints", metadata: ["address": "\(host):\(port)"])
        return port
    }

    /// Stops listening (connections in progress finish their request).
    public func stop() async {
        let channel = listener.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? await channel?.close()
    }

    /// Serves until the calling task is cancelled.
    public func run() async throws {
        try await start()
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        await stop()
    }
}

/// Answers one request at a time on a connection, from the status closure.
private final class CounterRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let status: @Sendable () -> CounterStatus
    private var request: HTTPRequestHead?

    init(status: @escaping @Sendable () -> CounterStatus) {
        self.status = status
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (code, contentType, body) = route(head)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: head.isKeepAlive ? "keep-alive" : "close")
        context.write(
            wrapOutboundOut(
                .head(HTTPResponseHead(version: head.version, status: code, headers: headers))),
            promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
            buffer.writeString(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    private func route(_ head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        guard head.method == .GET || head.method == .HEAD else {
            return (.methodNotAllowed, "text/plain; charset=utf-8", "method not allowed\n")
        }
        let path =
            head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch path {
        case "/count":
            return (.ok, "application/json", status().countJSON)
        case "/healthz":
            return (.ok, "text/plain; charset=utf-8", "ok\n")
        case "/readyz":
            return status().isReady
                ? (.ok, "text/plain; charset=utf-8", "ready\n")
                : (.serviceUnavailable, "text/plain; charset=utf-8", "not ready\n")
        default:
            return (.notFound, "text/plain; charset=utf-8", "not found\n")
        }
    }
}
