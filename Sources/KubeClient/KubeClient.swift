import CurlTransport
public import HTTPTransport
public import Logging

/// A Kubernetes API client: typed and unstructured verbs, watches, subresources and node proxy calls over
/// an `HTTPTransport` (libcurl by default).
///
/// Every request passes the client-side rate limiter, carries fresh credentials, and is retried with capped
/// exponential backoff when the server or the network says that may help (see `RetryPolicy`). Errors from
/// the server arrive as `KubeAPIError`, decoded from its `Status` body; everything else as `KubeClientError`.
/// Cancelling the calling task cancels the request, watches included.
public final class KubeClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: ClientConfiguration
    private let injectedTransport: (any HTTPTransport)?
    private let baseTransportConfiguration: CurlTransport.Configuration
    private let authenticator: Authenticator
    private let limiter: TokenBucket?
    let logger: Logger

    /// A client for `configuration`. `transport` replaces libcurl (tests); client certificates issued by exec
    /// plugins need the default transport.
    public init(
        configuration: ClientConfiguration,
        transport: (any HTTPTransport)? = nil,
        logger: Logger = Logger(label: "ms2m.kubeclient")
    ) {
        self.configuration = configuration
        self.injectedTransport = transport
        self.baseTransportConfiguration = CurlTransport.Configuration(
            tls: configuration.tls,
            userAgent: configuration.userAgent,
            proxyURL: configuration.proxyURL,
            acceptCompressedResponses: !configuration.disableCompression
        )
        self.authenticator = Authenticator(credentials: configuration.credentials)
        self.limiter = configuration.rateLimit.map(TokenBucket.init)
        self.logger = logger
    }

    /// The default namespace of the configuration.
    public var defaultNamespace: String { configuration.namespace }

    // MARK: - Requests

    /// One API call before authentication and retries are added.
    struct APIRequest: Sendable {
        var method: HTTPMethod
        var path: String
        var query: [(String, String)] = []
        var body: [UInt8]? = nil
        var contentType: String? = nil
        var accept = "application/json"
        /// True for watches and proxy streams: no request timeout.
        var isLongRunning = false
        /// Replaces the client's request timeout for this request.
        var timeoutOverride: Duration? = nil
        /// Whether a 429 is retried (not for evictions, where it means a disruption budget said no).
        var retryTooManyRequests = true
    }

    private func transport(for material: AuthMaterial) -> any HTTPTransport {
        if let injectedTransport { return injectedTransport }
        guard let certificate = material.clientCertificatePEM, let key = material.clientKeyPEM else {
            return CurlTransport(configuration: baseTransportConfiguration)
        }
        var settings = baseTransportConfiguration
        var tls = settings.tls ?? TLSOptions()
        tls.clientCertificatePEM = certificate
        tls.clientKeyPEM = key
        tls.clientCertificateFile = nil
        tls.clientKeyFile = nil
        settings.tls = tls
        return CurlTransport(configuration: settings)
    }

    private func httpRequest(_ request: APIRequest, material: AuthMaterial) -> HTTPRequest {
        var url = configuration.server + request.path
        if !request.query.isEmpty { url += "?" + PathEscaping.queryString(request.query) }
        var headers = HTTPHeaders()
        headers.add("Accept", request.accept)
        if let contentType = request.contentType { headers.add("Content-Type", contentType) }
        if let authorization = material.authorization { headers.add("Authorization", authorization) }
        return HTTPRequest(
            method: request.method, url: url, headers: headers, body: request.body,
            timeout: request.timeoutOverride ?? (request.isLongRunning ? nil : configuration.requestTimeout))
    }

    /// Sends a request with rate limiting, credentials and retries; returns the 2xx response.
    func execute(_ request: APIRequest) async throws -> HTTPResponse {
        try await withRetries(request) { transport, httpRequest in
            let response = try await transport.send(httpRequest)
            return (response.head, response.body, response)
        }
    }

    /// Opens a streaming request (watch); returns once a 2xx head arrived, retrying the opening like `execute`.
    func open(_ request: APIRequest) async throws -> HTTPStreamingResponse {
        try await withRetries(request) { transport, httpRequest in
            let response = try await transport.stream(httpRequest)
            guard (200..<300).contains(response.head.status) else {
                var body: [UInt8] = []
                for try await chunk in response.body {
                    body += chunk
                    if body.count > 1 << 20 { break }
                }
                return (response.head, body, nil)
            }
            return (response.head, [], response)
        }
    }

    private func withRetries<Result: Sendable>(
        _ request: APIRequest,
        _ send: (any HTTPTransport, HTTPRequest) async throws -> (HTTPResponseHead, [UInt8], Result?)
    ) async throws -> Result {
        let policy = configuration.retry
        var refreshedCredentials = false
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            if let limiter { try await limiter.acquire() }
            let material = try await authenticator.material()
            let httpRequest = httpRequest(request, material: material)
            let head: HTTPResponseHead
            let body: [UInt8]
            let result: Result?
            do {
                (head, body, result) = try await send(transport(for: material), httpRequest)
            } catch let error as HTTPTransportError {
                if error.kind == .cancelled { throw CancellationError() }
                if error.isTransient && request.method.isIdempotent && attempt < policy.maxAttempts {
                    let delay = policy.delay(beforeRetry: attempt, retryAfter: nil)
                    logger.debug("Retrying request after a transport error", metadata: [
                        "method": "\(request.method)", "path": "\(request.path)", "attempt": "\(attempt)",
                        "error": "\(error)",
                    ])
                    try await Task.sleep(for: delay)
                    continue
                }
                throw KubeClientError.transport(error)
            }
            if (200..<300).contains(head.status), let result { return result }
            let apiError = KubeAPIError.from(code: head.status, headers: head.headers, body: body)
            if apiError.code == 401, !refreshedCredentials, authenticator.canRefresh {
                refreshedCredentials = true
                await authenticator.invalidate()
                attempt -= 1
                continue
            }
            let retriable = (apiError.code == 429 && request.retryTooManyRequests)
                || ([500, 502, 503, 504].contains(apiError.code) && request.method.isIdempotent)
            if retriable && attempt < policy.maxAttempts {
                let delay = policy.delay(beforeRetry: attempt, retryAfter: apiError.retryAfter)
                logger.debug("Retrying request after a server error", metadata: [
                    "method": "\(request.method)", "path": "\(request.path)", "attempt": "\(attempt)",
                    "code": "\(apiError.code)",
                ])
                try await Task.sleep(for: delay)
                continue
            }
            throw apiError
        }
    }
}
