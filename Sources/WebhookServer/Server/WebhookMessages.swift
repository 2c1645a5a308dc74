/// One request to a webhook route, read in full: the API server POSTs an `AdmissionReview` as JSON.
public struct WebhookRequest: Sendable {
    /// The path, without the query string.
    public var path: String
    /// The query string without `?`; nil when there is none (the API server sends `?timeout=10s`).
    public var query: String?
    /// The header fields, in order.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]
    /// The client's address (`ip:port`), for logs.
    public var remoteAddress: String?

    /// A request from its parts.
    public init(
        path: String, query: String? = nil, headers: [(name: String, value: String)] = [], body: [UInt8],
        remoteAddress: String? = nil
    ) {
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The first value of the named header (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// A webhook route's answer.
public struct WebhookResponse: Sendable, Equatable {
    /// The HTTP status code; an `AdmissionReview` answer is 200 whether it allows or denies.
    public var status: Int
    /// The `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// A response from its parts.
    public init(status: Int = 200, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON body with status 200.
    public static func json(_ body: [UInt8]) -> WebhookResponse {
        WebhookResponse(body: body)
    }

    /// A plain-text error, e.g. `.text(400, "malformed AdmissionReview")`.
    public static func text(_ status: Int, _ message: String) -> WebhookResponse {
        WebhookResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8))
    }
}

/// Answers one webhook request. It runs on Swift's concurrency pool, not on an I/O thread, so it may await;
/// it should answer well within the webhook's `timeoutSeconds` (10 s by default), after which the API server
/// applies the failure policy.
public typealias WebhookHandler = @Sendable (WebhookRequest) async -> WebhookResponse
