import Logging
import NIOCore
import NIOHTTP1

/// Reads requests from one connection, checks them against the routes and limits, runs the route's handler in
/// a task and writes its answer back on the connection's event loop.
///
/// Requests are answered one at a time, in order (`HTTPServerPipelineHandler` holds back pipelined requests
/// until the previous response has ended).
final class WebhookChannelHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Waiting for a request head.
        case idle
        /// Collecting the body of an acceptable request.
        case receiving(HTTPRequestHead, WebhookHandler, ByteBuffer)
        /// Discarding the body of a request answered with an error once it ends.
        case rejecting(HTTPRequestHead, WebhookResponse)
        /// The route's handler is running.
        case answering(HTTPRequestHead, Task<Void, Never>)
        /// The connection is being closed; everything else is ignored.
        case closing
    }

    private let routes: [String: WebhookHandler]
    private let maxBodyBytes: Int
    private let connections: ConnectionTracker
    private let logger: Logger
    private var state = State.idle

    init(routes: [String: WebhookHandler], maxBodyBytes: Int, connections: ConnectionTracker, logger: Logger) {
        self.routes = routes
        self.maxBodyBytes = maxBodyBytes
        self.connections = connections
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .idle):
            start(head, context: context)
        case (.body(var chunk), .receiving(let head, let handler, var body)):
            guard body.readableBytes + chunk.readableBytes <= maxBodyBytes else {
                rejectOversized(head, context: context)
                return
            }
            state = .closing  // drop the reference while appending so `body` stays uniquely referenced
            body.writeBuffer(&chunk)
            state = .receiving(head, handler, body)
        case (.end, .receiving(let head, let handler, let body)):
            answer(head, body: body, handler: handler, context: context)
        case (.end, .rejecting(let head, let response)):
            state = .idle
            write(response, for: head, context: context)
        case (.body, .rejecting), (_, .closing):
            break
        case (.head, _), (.body, _), (.end, _):
            // The pipeline handler delivers one request at a time; anything else is a framing error.
            logger.debug("Unexpected HTTP message part; closing the connection")
            state = .closing
            context.close(promise: nil)
        }
    }

    /// Decides from the head whether the request can go to a route.
    private func start(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (path, _) = Self.splitURI(head.uri)
        guard let handler = routes[path] else {
            state = .rejecting(head, .text(404, "no webhook at \(path)"))
            return
        }
        guard head.method == .POST else {
            state = .rejecting(head, .text(405, "webhooks accept POST only"))
            return
        }
        guard Self.isJSON(head.headers.first(name: "content-type")) else {
            state = .rejecting(head, .text(415, "the body must be application/json"))
            return
        }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
            rejectOversized(head, context: context)
            return
        }
        state = .receiving(head, handler, context.channel.allocator.buffer(capacity: 0))
    }

    /// Answers 413 and closes: the rest of the body is never read.
    private func rejectOversized(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        logger.warning("Webhook request body over the limit; closing the connection", metadata: [
            "path": "\(head.uri)", "limit": "\(maxBodyBytes)",
        ])
        state = .closing
        write(
            .text(413, "the body exceeds \(maxBodyBytes) bytes"), for: head, context: context, forceClose: true)
    }

    /// Runs the route's handler off the event loop; its response is written back on the loop.
    private func answer(
        _ head: HTTPRequestHead, body: ByteBuffer, handler: @escaping WebhookHandler, context: ChannelHandlerContext
    ) {
        let (path, query) = Self.splitURI(head.uri)
        let request = WebhookRequest(
            path: path, query: query, headers: head.headers.map { ($0.name, $0.value) },
            body: Array(body.readableBytesView), remoteAddress: context.remoteAddress?.description)
        let loop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        let connections = self.connections
        connections.requestStarted()
        let task = Task {
            let response = await handler(request)
            loop.execute {
                bound.value.handler.finish(head, response: response, context: bound.value.context)
                connections.requestFinished()
            }
        }
        state = .answering(head, task)
    }

    /// Writes the handler's answer, unless the connection went away meanwhile.
    private func finish(_ head: HTTPRequestHead, response: WebhookResponse, context: ChannelHandlerContext) {
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
            // Idle keep-alive connections (and clients that never finish a handshake or a request) are closed;
            // one waiting for its handler is not idle.
            if case .answering = state { return }
            state = .closing
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("Webhook connection failed", metadata: ["error": "\(error)"])
        state = .closing
        context.close(promise: nil)
    }

    private func write(
        _ response: WebhookResponse, for head: HTTPRequestHead, context: ChannelHandlerContext,
        forceClose: Bool = false
    ) {
        let keepAlive = head.isKeepAlive && !forceClose && !connections.isDraining
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        if response.status == 405 { headers.add(name: "Allow", value: "POST") }
        let responseHead = HTTPResponseHead(
            version: head.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        context.write(
            wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            state = .closing
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    /// The path and the query string (without `?`) of a request target.
    static func splitURI(_ uri: String) -> (path: String, query: String?) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, nil) }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }

    /// Whether a `Content-Type` is `application/json`, parameters (`; charset=utf-8`) allowed.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? contentType
        return mediaType.filter { $0 != " " && $0 != "\t" }.lowercased() == "application/json"
    }
}
