import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server on loopback whose routes are one async function; each request is answered from a
/// task, so a slow answer (an injected delay, a checkpoint) never holds an event loop.
final class SimHTTPServer: Sendable {
    typealias Handler = @Sendable (SimHTTPRequest) async -> SimHTTPResponse

    private let channel = Mutex<(any Channel)?>(nil)

    init() {}

    /// Binds to `host` on an ephemeral port, answers every request with `handler`, and returns the port.
    func start(host: String = "127.0.0.1", handler: @escaping Handler) async throws -> Int {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(SimHTTPHandler(handler: handler))
                }
            }
        let bound = try await bootstrap.bind(host: host, port: 0).get()
        channel.withLock { $0 = bound }
        return bound.localAddress?.port ?? 0
    }

    /// Stops listening (open connections finish their current request).
    func stop() async {
        let bound = channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await bound?.close()
    }
}

/// Collects one request, runs the handler in a task, and writes its answer back on the channel's loop.
private final class SimHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: SimHTTPServer.Handler
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(handler: @escaping SimHTTPServer.Handler) { self.handler = handler }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let h = head else { return }
            head = nil
            let parts = h.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let request = SimHTTPRequest(
                method: h.method.rawValue, path: parts.first.map(String.init) ?? "/",
                query: parts.count > 1 ? String(parts[1]) : "",
                headers: h.headers.map { ($0.name, $0.value) }, body: body)
            body = []
            let keepAlive = h.isKeepAlive
            let isHead = h.method == .HEAD
            let handler = self.handler
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: SimHTTPResponse.self)
            promise.completeWithTask { await handler(request) }
            promise.futureResult.whenSuccess { response in
                let (this, context) = loopBound.value
                this.write(response, context: context, keepAlive: keepAlive, includeBody: !isHead)
            }
        }
    }

    private func write(_ response: SimHTTPResponse, context: ChannelHandlerContext, keepAlive: Bool, includeBody: Bool) {
        var headers = HTTPHeaders()
        for (name, value) in response.headers where name.lowercased() != "content-length" {
            headers.add(name: name, value: value)
        }
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if includeBody && !response.body.isEmpty {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
