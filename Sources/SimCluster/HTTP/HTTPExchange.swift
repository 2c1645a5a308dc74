import Foundation

/// A request a simulated node daemon (the kubelet) received over HTTP.
public struct SimHTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path without the query, percent-decoding left to the route.
    public var path: String
    /// The raw query string ("" when none).
    public var query: String
    /// Header fields in order.
    public var headers: [(name: String, value: String)]
    /// The request body.
    public var body: [UInt8]

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of query parameter `name`, percent-decoded.
    public func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init)?.removingPercentEncoding == name {
                return parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding : ""
            }
        }
        return nil
    }
}

/// The answer of a simulated node daemon.
public struct SimHTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields (Content-Length is added by the server).
    public var headers: [(name: String, value: String)]
    /// The response body.
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text answer, as the kubelet writes its errors (`text/plain; charset=utf-8`, text plus newline).
    public static func text(_ status: Int, _ text: String) -> SimHTTPResponse {
        SimHTTPResponse(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array((text + "\n").utf8))
    }

    /// A JSON answer.
    public static func json(_ status: Int, _ bytes: [UInt8]) -> SimHTTPResponse {
        SimHTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: bytes)
    }
}
