import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A small HTTP(S) server on 127.0.0.1 with routes that exercise a transport:
/// - `/echo`: answers JSON with the method, headers and body it received;
/// - `/status/{code}`: answers that status, with `Retry-After: 1` on 429 and 503;
/// - `/stream?chunks=N&intervalMs=M`: a chunked body of N lines `chunk-i`, M ms apart (N=0: until closed);
/// - `/delay?ms=M`: answers after M ms;
/// - `/drop`: closes the connection without answering.
/// It records the DER bytes of each verified client certificate and each connection it accepts.
final class TestHTTPServer: Sendable {
    let channel: any Channel
    let port: Int
    let box: StateBox

    /// What the server has seen so far.
    var seen: State { box.state.withLock { $0 } }

    struct State {
        var clientCertificates: [[UInt8]] = []
        var connections = 0
        var openStreams = 0
    }

    private init(channel: any Channel, box: StateBox) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.box = box
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var httpsURL: String { "https://127.0.0.1:\(port)" }

    /// Starts a server; with `tls`, it speaks HTTPS (and requires client certificates when `clientCA` is set).
    static func start(tls: (certificate: String, key: String, clientCA: String?)? = nil) async throws -> TestHTTPServer {
        var sslContext: NIOSSLContext?
        if let tls {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem))
            )
            if let clientCA = tls.clientCA {
                configuration.certificateVerification = .noHostnameVerification
                configuration.trustRoots = .file(clientCA)
            }
            sslContext = try NIOSSLContext(configuration: configuration)
        }
        let box = StateBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [sslContext] channel in
                channel.eventLoop.makeCompletedFuture {
                    box.state.withLock { $0.connections += 1 }
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(TestRequestHandler(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TestHTTPServer(channel: channel, box: box)
    }

    func shutdown() async throws {
        try await channel.close()
    }
}

/// Shares the server's state with its handlers.
final class StateBox: Sendable {
    let state = Mutex(TestHTTPServer.State())
}

private final class TestRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let box: StateBox
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var streamTask: RepeatedTask?
    private var certificateRecorded = false
    private var sent = 0

    init(box: StateBox) {
        self.box = box
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
    }

    private func recordClientCertificate(context: ChannelHandlerContext) {
        guard !certificateRecorded else { return }
        certificateRecorded = true
        if let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let certificate = handler.peerCertificate,
            let der = try? certificate.toDERBytes()
        {
            box.state.withLock { $0.clientCertificates.append(der) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            recordClientCertificate(context: context)
            head = requestHead
            body = []
        case .body(var buffer):
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let head else { return }
            respond(context: context, head: head)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if streamTask != nil {
            streamTask?.cancel()
            streamTask = nil
            box.state.withLock { $0.openStreams -= 1 }
        }
        context.fireChannelInactive()
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let components = URLComponents(string: head.uri)
        let path = components?.path ?? head.uri
        let query = Dictionary(
            (components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        if path == "/echo" {
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let payload: [String: Any] = [
                "method": head.method.rawValue, "uri": head.uri, "headers": headers,
                "body": String(decoding: body, as: UTF8.self),
            ]
            let data = try! JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])
            write(context: context, status: .ok, body: Array(data), contentType: "application/json")
        } else if path.hasPrefix("/status/"), let code = Int(path.dropFirst("/status/".count)) {
            var extra = HTTPHeaders()
            if code == 429 || code == 503 { extra.add(name: "Retry-After", value: "1") }
            write(context: context, status: .init(statusCode: code), body: Array("status \(code)".utf8), extra: extra)
        } else if path == "/delay" {
            let ms = Int64(query["ms"] ?? "0") ?? 0
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(ms)) {
                let (handler, context) = bound.value
                handler.write(context: context, status: .ok, body: Array("done".utf8))
            }
        } else if path == "/drop" {
            context.close(promise: nil)
        } else if path == "/stream" {
            startStream(context: context, chunks: Int(query["chunks"] ?? "0") ?? 0, intervalMs: Int64(query["intervalMs"] ?? "10") ?? 10)
        } else {
            write(context: context, status: .notFound, body: Array("not found".utf8))
        }
    }

    private func startStream(context: ChannelHandlerContext, chunks: Int, intervalMs: Int64) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        box.state.withLock { $0.openStreams += 1 }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        sent = 0
        streamTask = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(intervalMs), delay: .milliseconds(intervalMs)) { task in
            let (handler, context) = bound.value
            if chunks > 0 && handler.sent >= chunks {
                task.cancel()
                handler.streamTask = nil
                handler.box.state.withLock { $0.openStreams -= 1 }
                context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            var buffer = context.channel.allocator.buffer(capacity: 32)
            buffer.writeString("chunk-\(handler.sent)\n")
            handler.sent += 1
            context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
    }

    private func write(
        context: ChannelHandlerContext, status: HTTPResponseStatus, body: [UInt8], contentType: String = "text/plain",
        extra: HTTPHeaders = HTTPHeaders()
    ) {
        var headers = extra
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
