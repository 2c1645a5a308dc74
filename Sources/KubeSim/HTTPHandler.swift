import NIOCore
import NIOHTTP1
import NIOSSL
import Unstructured

/// Reads whole HTTP/1.1 requests, hands them to the API layer and writes the answers; watch answers stay open
/// as chunked streams fed by a `Watcher`.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: KubeSimCore
    private let tls: Bool
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    private var watcher: Watcher?
    private var clientSubject: String?
    private var subjectRead = false

    init(core: KubeSimCore, tls: Bool) {
        self.core = core
        self.tls = tls
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = nil
            tooLarge = false
        case .body(var chunk):
            if tooLarge { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > core.configuration.maxRequestBodySize {
                tooLarge = true
                body = nil
                return
            }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let bytes = body.map { Array($0.readableBytesView) } ?? []
            body = nil
            if tooLarge {
                let e = APIError(
                    code: 413, reason: "RequestEntityTooLarge",
                    message: "Request entity too large: limit is \(core.configuration.maxRequestBodySize)")
                write(context: context, response: .error(e), keepAlive: head.isKeepAlive)
                return
            }
            serve(context: context, head: head, body: bytes)
        }
    }

    private func peerSubject(context: ChannelHandlerContext) -> String? {
        if subjectRead { return clientSubject }
        subjectRead = true
        guard tls, let cert = try? context.pipeline.syncOperations.nioSSL_peerCertificate() else { return nil }
        let names = cert.subjectName
        if names.isEmpty { return nil }
        clientSubject = names.map { n -> String in
            let label: String
            switch n.type {
            case .commonName: label = "CN"
            case .organization: label = "O"
            case .organizationalUnit: label = "OU"
            case .country: label = "C"
            case .state: label = "ST"
            case .city: label = "L"
            case .emailAddress: label = "emailAddress"
            default: label = "UID"
            }
            return "\(label)=\(n.value)"
        }.joined(separator: ",")
        return clientSubject
    }

    private func serve(context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8]) {
        let uri = head.uri
        let path: Substring
        let query: Substring
        if let q = uri.firstIndex(of: "?") {
            path = uri[..<q]
            query = uri[uri.index(after: q)...]
        } else {
            path = Substring(uri)
            query = ""
        }
        let request = APIRequest(
            method: head.method.rawValue, path: Sim.percentDecode(path, plusIsSpace: false),
            query: QueryParameters(query), headers: head.headers, body: body,
            clientSubject: peerSubject(context: context))
        let result = core.handle(request)
        handle(result, context: context, keepAlive: head.isKeepAlive)
    }

    private func handle(_ result: APIResult, context: ChannelHandlerContext, keepAlive: Bool) {
        switch result {
        case .response(let r):
            write(context: context, response: r, keepAlive: keepAlive)
        case .watch(let plan):
            startWatch(context: context, plan: plan)
        case .deferred(let work):
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: APIResult.self)
            promise.completeWithTask { await work() }
            promise.futureResult.whenSuccess { result in
                let (handler, context) = loopBound.value
                handler.handle(result, context: context, keepAlive: keepAlive)
            }
        }
    }

    private func write(context: ChannelHandlerContext, response: APIResponse, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Cache-Control", value: "no-cache, private")
        for (n, v) in response.headers { headers.add(name: n, value: v) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))),
                promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func startWatch(context: ChannelHandlerContext, plan: WatchPlan) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let w = Watcher(
            channel: context.channel, info: plan.info, filter: plan.filter,
            bufferLimit: core.configuration.watchBufferLimit)
        watcher = w
        core.startWatch(w, plan: plan)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let w = watcher {
            watcher = nil
            core.stopWatch(w)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
