import NIOHTTP1
import Unstructured

/// A request as the API layer sees it: already read in full.
struct APIRequest: Sendable {
    var method: String
    var path: String
    var query: QueryParameters
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The subject of the verified client certificate, if any ("CN=…,O=…").
    var clientSubject: String?
    /// The body as JSON, parsed once by the router for writes (nil: not parsed, or not JSON).
    var parsedBody: JSONValue?

    /// The request with its body parsed as JSON, for the handlers and checks that all read it.
    func parsingBody() -> APIRequest {
        guard parsedBody == nil, !body.isEmpty else { return self }
        var request = self
        request.parsedBody = try? JSONValue.parse(body)
        return request
    }

    /// The body as JSON: the router's parse when there is one, else parsed now (throwing the parser's error).
    func bodyValue() throws(JSONParseError) -> JSONValue {
        if let parsedBody { return parsedBody }
        return try JSONValue.parse(body)
    }

    var contentType: String {
        let raw = headers.first(name: "content-type") ?? "application/json"
        return raw.split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? raw
    }

    /// The body parsed as a JSON object; 400 when malformed.
    func jsonBody() throws -> JSONValue {
        if body.isEmpty { throw APIError.badRequest("the body of the request is empty") }
        let value: JSONValue
        do {
            value = try bodyValue()
        } catch {
            throw APIError.badRequest("the request body could not be decoded: \(error.description)")
        }
        return value
    }
}

/// A complete response.
struct APIResponse: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8]
    var contentType = "application/json"

    static func json(_ status: Int, _ value: JSONValue) -> APIResponse {
        APIResponse(status: status, body: value.jsonBytes())
    }

    static func bytes(_ status: Int, _ body: [UInt8]) -> APIResponse {
        APIResponse(status: status, body: body)
    }

    static func text(_ status: Int, _ text: String) -> APIResponse {
        APIResponse(status: status, body: Array(text.utf8), contentType: "text/plain; charset=utf-8")
    }

    static func error(_ e: APIError) -> APIResponse {
        var r = APIResponse(status: e.code, body: e.status.jsonBytes())
        if let retry = e.retryAfterSeconds { r.headers.append(("Retry-After", String(retry))) }
        return r
    }
}

/// What a watch request asks for, once validated.
struct WatchPlan: Sendable {
    var info: ResourceInfo
    var filter: ObjectFilter
    /// Replay the events after this revision; nil = synthetic ADDED events for the current state first.
    var startRV: Int64?
    /// Send the `k8s.io/initial-events-end` bookmark after the initial events (sendInitialEvents=true).
    var initialEventsEndBookmark: Bool
    var allowBookmarks: Bool
    var timeoutSeconds: Int64?
}

/// The API layer's answer to a request.
enum APIResult: Sendable {
    case response(APIResponse)
    case watch(WatchPlan)
    /// Work that must not run on the event loop (delays, node proxy handlers).
    case deferred(@Sendable () async -> APIResult)
}
