public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One answer of a small HTTP endpoint: status code, content type and body.
public struct HTTPEndpointResponse: Sendable, Hashable {
    /// The HTTP status code.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body (not sent for `HEAD`).
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A `text/plain` answer.
    public static func text(_ status: Int, _ text: String) -> HTTPEndpointResponse {
        HTTPEndpointResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// An `application/json` answer.
    public static func json(_ body: [UInt8]) -> HTTPEndpointResponse {
        HTTPEndpointResponse(status: 200, contentType: "application/json", body: body)
    }
}

/// An HTTP/1.1 server for the sample workload's probe and status endpoints: every request is answered by a
/// route closure from its method and path (the query left on), on the event loop (the closure must not
/// block). ``CounterHTTPServer`` and the status ledger's server are this with their routes.
public final class HTTPEndpointServer: Sendable {
    /// Answers a request from its method (`GET`, `HEAD`, …) and path with query.
    public typealias Route = @Sendable (_ method: String, _ path: String) -> HTTPEndpointResponse

    /// The address to listen on (`0.0.0.0` in a pod, `127.0.0.1` in tests).
    public let host: String
    /// The port asked for; 0 lets the kernel choose (see ``port``).
    public let requestedPort: Int
    private let route: Route
    private let logger: Logger
    private let listener = Mutex<(any Channel)?>(nil)

    public init(host: String, port: Int, logger: Logger, route: @escaping Route) {
        self.host = host
        self.requestedPort = port
        self.logger = logger
        self.route = route
    }

    /// The port listened on, once started.
    public var port: Int? { listener.withLock { $0?.localAddress?.port } }

    /// Starts listening and returns the port.
    @discardableResult
    public func start() async throws -> Int {
        let route = self.route
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EndpointRequestHandler(route: route))
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
}

/// Answers one request at a time on a connection, from the route closure.
private final class EndpointRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let route: HTTPEndpointServer.Route
    private var request: HTTPRequestHead?

    init(route: @escaping HTTPEndpointServer.Route) {
        self.route = route
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
        let answer = route(head.method.rawValue, head.uri)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: answer.contentType)
        headers.add(name: "Content-Length", value: String(answer.body.count))
        headers.add(name: "Connection", value: head.isKeepAlive ? "keep-alive" : "close")
        context.write(
            wrapOutboundOut(
                .head(HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: answer.status), headers: headers))),
            promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: answer.body.count)
            buffer.writeBytes(answer.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
