import Foundation

/// A refused or failed request, answered as `{"error": "<message>", "field": "<field>"}` with `status`.
///
/// The message starts with the field it is about (e.g. `pushes[1].archive: …`), so a log line that only keeps
/// `error` still says which part of the request was wrong.
public struct AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status: 400 malformed, 401 unauthenticated, 403 forbidden, 404 unknown, 409 conflicting,
    /// 413 too large, 415 not JSON, 422 unusable archive, 503 not accepting.
    public var status: Int
    /// The request field concerned (`pushes[0].archive`), nil when the request as a whole is.
    public var field: String?
    /// What is wrong, without the field.
    public var reason: String

    /// An error about `field` (or the whole request).
    public init(status: Int, field: String? = nil, _ reason: String) {
        self.status = status
        self.field = field
        self.reason = reason
    }

    /// `field: reason`, or the reason alone.
    public var message: String { field.map { "\($0): \(reason)" } ?? reason }

    public var description: String { "\(status) \(message)" }

    /// The JSON body sent back.
    public var body: [UInt8] {
        var object = ["error": message]
        if let field { object["field"] = field }
        return AgentJSON.encode(object)
    }

    static func invalid(_ field: String, _ reason: String) -> AgentError { AgentError(status: 400, field: field, reason) }
    static func unusableArchive(_ field: String, _ reason: String) -> AgentError { AgentError(status: 422, field: field, reason) }
}

/// The agent's JSON encoding: sorted keys, no escaped slashes (stable, readable bodies).
enum AgentJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? Array(#"{"error":"cannot encode the response"}"#.utf8)
    }
}
