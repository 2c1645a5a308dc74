import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client over SwiftNIO for plain `http://` GETs within a pod (the status ledger polling
/// the consumer on `127.0.0.1`): one connection per request, `Connection: close`, no redirects, no TLS.
public enum PlainHTTPClient {
    /// `GET url`: the status code and body. Throws ``PlainHTTPClientError`` for an unusable URL, a refused
    /// connection, a timeout or a connection closed before the response ended.
    public static func get(_ url: String, timeout: Duration = .seconds(5)) async throws -> (status: Int, body: [UInt8]) {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host,
            !host.isEmpty
        else { throw PlainHTTPClientError.invalidURL(url) }
        let port = components.port ?? 80
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }

        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let response = loop.makePromise(of: ResponseParts.self)
        let milliseconds = max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(milliseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(response: response))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            response.fail(PlainHTTPClientError.connectionFailed(url, "\(error)"))
            throw PlainHTTPClientError.connectionFailed(url, "\(error)")
        }
        let deadline = loop.scheduleTask(in: .milliseconds(milliseconds)) {
            response.fail(PlainHTTPClientError.timedOut(url))
            channel.close(promise: nil)
        }
        defer {
            deadline.cancel()
            channel.close(promise: nil)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: components.port.map { "\(host):\($0)" } ?? host)
        headers.add(name: "Connection", value: "close")
        headers.add(name: "User-Agent", value: "ms2m-sample/1")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let parts = try await response.futureResult.get()
        return (parts.status, parts.body)
    }

    /// A response as collected from the pipeline.
    fileprivate struct ResponseParts: Sendable {
        var status: Int
        var body: [UInt8]
    }
}

/// Why a ``PlainHTTPClient`` request failed.
public enum PlainHTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not an `http://host[:port]/path` URL.
    case invalidURL(String)
    /// The connection could not be made (refused, unreachable, connect timeout).
    case connectionFailed(String, String)
    /// No complete response within the timeout.
    case timedOut(String)
    /// The connection ended before the response did.
    case incompleteResponse(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): "not a plain http URL: \(url)"
        case .connectionFailed(let url, let reason): "cannot connect for GET \(url): \(reason)"
        case .timedOut(let url): "GET \(url) timed out"
        case .incompleteResponse(let url): "GET \(url): the connection closed before the response ended"
        }
    }
}

/// Collects one response's status and body into a promise.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let response: EventLoopPromise<PlainHTTPClient.ResponseParts>
    private var status: Int?
    private var body: [UInt8] = []

    init(response: EventLoopPromise<PlainHTTPClient.ResponseParts>) {
        self.response = response
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            if let status { response.succeed(.init(status: status, body: body)) }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        response.fail(PlainHTTPClientError.incompleteResponse("\(context.remoteAddress.map { "\($0)" } ?? "?")"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        response.fail(error)
        context.close(promise: nil)
    }
}
