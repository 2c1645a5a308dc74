import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// A response of an `EndpointServer` route.
public struct EndpointResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: String

    /// A response; plain text by default.
    public init(status: Int = 200, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// A small HTTP/1.1 server for probes and metrics: `GET` on a fixed set of paths, each answered by a
/// synchronous closure (which must be quick: it runs on a NIO event loop). Runs as a `Service` until graceful
/// shutdown or cancellation.
public final class EndpointServer: Service, Sendable {
    /// Routes by path (query strings are ignored).
    public typealias Routes = [String: @Sendable () -> EndpointResponse]

    /// Where the server listens.
    public let address: BindAddress
    private let routes: Routes
    private let logger: Logger
    private let bound = Mutex<Int?>(nil)
    private let boundLatch = AsyncLatch()

    /// A server for `routes` on `address`.
    public init(address: BindAddress, routes: Routes, logger: Logger = Logger(label: "ms2m.http")) {
        self.address = address
        self.routes = routes
        self.logger = logger
    }

    /// The port bound, once listening (the actual port when `address.port` is 0).
    public var boundPort: Int? { bound.withLock { $0 } }

    /// Waits until the server listens (or the task is cancelled) and returns the port.
    public func waitUntilListening() async -> Int? {
        await boundLatch.wait()
        return boundPort
    }

    public func run() async throws {
        let routes = self.routes
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RouteHandler(routes: routes))
                }
            }
        let channel = try await bootstrap.bind(host: address.host, port: address.port).get()
        let port = channel.localAddress?.port ?? address.port
        bound.withLock { $0 = port }
        boundLatch.open()
        logger.info("Serving HTTP endpoints", metadata: [
            "address": "\(address.host):\(port)", "paths": "\(routes.keys.sorted().joined(separator: ","))",
        ])
        let stop = AsyncLatch()
        await withGracefulShutdownHandler {
            await stop.wait()
        } onGracefulShutdown: {
            stop.open()
        }
        try? await channel.close()
    }
}

/// Answers each request from the routes; keeps the connection alive when the client asks to.
private final class RouteHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: EndpointServer.Routes
    private var request: HTTPRequestHead?

    init(routes: EndpointServer.Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let response: EndpointResponse
        if head.method != .GET && head.method != .HEAD {
            response = EndpointResponse(status: 405, body: "method not allowed\n")
        } else if let route = routes[path] {
            response = route()
        } else {
            response = EndpointResponse(status: 404, body: "not found\n")
        }
        let body = Array(response.body.utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        let keepAlive = head.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
