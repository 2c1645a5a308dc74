import HTTPTransport

/// An `HTTPTransport` over libcurl.
///
/// Transfers run on a `CurlEventLoop` thread (the shared one unless another is given), never on Swift's
/// cooperative pool. Cancelling the calling task, or dropping a streaming body, aborts the transfer promptly.
public struct CurlTransport: HTTPTransport {
    /// Settings that apply to every request of this transport.
    public struct Configuration: Sendable, Equatable {
        /// TLS verification and client identity; nil uses the system trust store and no client certificate.
        public var tls: TLSOptions?
        /// The limit on establishing a connection (TCP and TLS).
        public var connectTimeout: Duration
        /// The User-Agent header.
        public var userAgent: String?
        /// An HTTP(S) or SOCKS proxy URL (kubeconfig `proxy-url`).
        public var proxyURL: String?
        /// Whether to ask for gzip-compressed responses (decompressed transparently).
        public var acceptCompressedResponses: Bool

        public init(
            tls: TLSOptions? = nil,
            connectTimeout: Duration = .seconds(10),
            userAgent: String? = nil,
            proxyURL: String? = nil,
            acceptCompressedResponses: Bool = true
        ) {
            self.tls = tls
            self.connectTimeout = connectTimeout
            self.userAgent = userAgent
            self.proxyURL = proxyURL
            self.acceptCompressedResponses = acceptCompressedResponses
        }
    }

    public let configuration: Configuration
    private let loop: CurlEventLoop

    /// A transport with these settings, on `loop` (the shared loop by default).
    public init(configuration: Configuration = .init(), loop: CurlEventLoop = .shared) {
        self.configuration = configuration
        self.loop = loop
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = CurlTransfer(request: request, settings: configuration)
        let loop = self.loop
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                transfer.deliver(.buffered(continuation))
                loop.submit(transfer)
            }
        } onCancel: {
            transfer.requestCancel()
            loop.wake()
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let transfer = CurlTransfer(request: request, settings: configuration)
        let loop = self.loop
        let (stream, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        bodyContinuation.onTermination = { termination in
            if case .finished = termination { return }
            transfer.requestCancel()
            loop.wake()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<HTTPStreamingResponse, any Error>) in
                transfer.deliver(.streaming(head: continuation, stream: stream, body: bodyContinuation))
                loop.submit(transfer)
            }
        } onCancel: {
            transfer.requestCancel()
            loop.wake()
        }
    }
}
