public import CurlTransport

/// How to reach and authenticate to one API server: the resolved form of a kubeconfig context or of the
/// in-cluster service-account configuration.
public struct ClientConfiguration: Sendable, Equatable {
    /// The API server's base URL, e.g. `https://10.0.0.1:6443`.
    public var server: String
    /// The namespace used when a call names none.
    public var namespace: String
    /// Server verification and client certificate.
    public var tls: TLSOptions?
    /// A proxy for every request (kubeconfig `proxy-url`).
    public var proxyURL: String?
    /// How requests are authenticated.
    public var credentials: Credentials
    /// The User-Agent header.
    public var userAgent: String
    /// The client-side request rate limit; nil for none.
    public var rateLimit: RateLimit?
    /// When and how failed requests are retried.
    public var retry: RetryPolicy
    /// The limit on one non-watch request.
    public var requestTimeout: Duration
    /// Whether to not ask for gzip-compressed responses.
    public var disableCompression: Bool

    public init(
        server: String,
        namespace: String = "default",
        tls: TLSOptions? = nil,
        proxyURL: String? = nil,
        credentials: Credentials = .none,
        userAgent: String = "ms2m/0.1",
        rateLimit: RateLimit? = RateLimit(),
        retry: RetryPolicy = RetryPolicy(),
        requestTimeout: Duration = .seconds(30),
        disableCompression: Bool = false
    ) {
        self.server = server
        self.namespace = namespace
        self.tls = tls
        self.proxyURL = proxyURL
        self.credentials = credentials
        self.userAgent = userAgent
        self.rateLimit = rateLimit
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.disableCompression = disableCompression
    }
}

/// How requests prove who is making them. Client certificates are part of `TLSOptions` instead.
public enum Credentials: Sendable, Equatable {
    /// Anonymous (or client certificate only).
    case none
    /// A fixed bearer token.
    case bearerToken(String)
    /// A bearer token read from a file and re-read when it may have rotated (projected service-account tokens).
    case bearerTokenFile(String)
    /// HTTP basic authentication.
    case basic(username: String, password: String)
    /// A client-go credential plugin (`exec` in kubeconfig), run when credentials are needed or have expired.
    case exec(ExecCredentialConfig)
}

/// A client-side token bucket: `qps` requests per second on average, bursts of up to `burst`.
public struct RateLimit: Sendable, Equatable {
    public var qps: Double
    public var burst: Int

    public init(qps: Double = 50, burst: Int = 100) {
        self.qps = qps
        self.burst = burst
    }
}

/// Capped exponential backoff with jitter for requests that may succeed when repeated.
///
/// Retried: any request answered 429 (the server did not process it); 5xx answers and connection errors
/// only for idempotent verbs (GET, PUT, DELETE), because a POST or PATCH may have been applied. A
/// `Retry-After` from the server sets the delay (up to `maximumDelay`).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; 1 disables retries.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration
    /// The fraction of each delay that is randomised (0.2 = ±20 %).
    public var jitter: Double

    public init(
        maxAttempts: Int = 5,
        initialDelay: Duration = .milliseconds(200),
        maximumDelay: Duration = .seconds(10),
        jitter: Double = 0.2
    ) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.jitter = jitter
    }

    /// The delay before retry number `retry` (1-based), or the server's `Retry-After` when it gave one.
    public func delay(beforeRetry retry: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maximumDelay) }
        var delay = initialDelay
        for _ in 1..<max(retry, 1) {
            delay = delay * 2
            if delay >= maximumDelay { return jittered(maximumDelay) }
        }
        return jittered(min(delay, maximumDelay))
    }

    private func jittered(_ delay: Duration) -> Duration {
        guard jitter > 0 else { return delay }
        let factor = 1 + Double.random(in: -jitter...jitter)
        return delay * factor
    }
}
