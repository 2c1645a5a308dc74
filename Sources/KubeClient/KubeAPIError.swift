public import HTTPTransport
public import KubeModel

/// An error answered by the API server, decoded from its `metav1.Status` body.
///
/// When the body is not a Status (a proxy's HTML page, an empty body), one is synthesised from the HTTP status
/// code the way client-go does, so callers can always branch on `reason` and `code`.
public struct KubeAPIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The Status the server returned (or the synthesised one).
    public var status: Status
    /// The HTTP status code.
    public var code: Int
    /// The `Retry-After` the server asked for, from the header or `details.retryAfterSeconds`.
    public var retryAfter: Duration?

    public init(status: Status, code: Int, retryAfter: Duration? = nil) {
        self.status = status
        self.code = code
        self.retryAfter = retryAfter
    }

    /// The machine-readable reason (`NotFound`, `Conflict`, …).
    public var reason: StatusReason? { status.reason }
    /// The human-readable message.
    public var message: String { status.message ?? "the server returned HTTP \(code)" }

    public var description: String {
        "\(message) (\(reason?.rawValue ?? "Unknown"), HTTP \(code))"
    }

    public var isNotFound: Bool { reason == .notFound || (reason == nil && code == 404) }
    public var isAlreadyExists: Bool { reason == .alreadyExists }
    /// An optimistic-concurrency conflict (stale resourceVersion, failed precondition).
    public var isConflict: Bool { reason == .conflict || (reason == nil && code == 409) }
    public var isInvalid: Bool { reason == .invalid || code == 422 }
    /// The requested resourceVersion or continue token is too old: re-list.
    public var isResourceExpired: Bool { reason == .expired || reason == .gone || code == 410 }
    public var isTooManyRequests: Bool { reason == .tooManyRequests || code == 429 }
    public var isUnauthorized: Bool { reason == .unauthorized || code == 401 }
    public var isForbidden: Bool { reason == .forbidden || code == 403 }
    public var isServerError: Bool { code >= 500 }

    /// Decodes the error from a response, or synthesises one from the status code.
    static func from(response: HTTPResponse) -> KubeAPIError {
        from(code: response.status, headers: response.headers, body: response.body)
    }

    static func from(code: Int, headers: HTTPHeaders, body: [UInt8]) -> KubeAPIError {
        var status = (try? JSONCoding.decode(Status.self, from: body)).flatMap { $0.kind == "Status" ? $0 : nil }
        if status == nil {
            let text = String(decoding: body.prefix(512), as: UTF8.self)
            status = Status(
                status: "Failure",
                message: Self.defaultMessage(code: code, body: text),
                reason: Self.defaultReason(code: code),
                code: code
            )
        }
        var retryAfter: Duration?
        if let header = headers["Retry-After"], let seconds = Int(header.trimmingCharacters(in: .whitespaces)) {
            retryAfter = .seconds(seconds)
        } else if let seconds = status?.details?.retryAfterSeconds {
            retryAfter = .seconds(seconds)
        }
        return KubeAPIError(status: status!, code: code, retryAfter: retryAfter)
    }

    private static func defaultReason(code: Int) -> StatusReason? {
        switch code {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 405: return .methodNotAllowed
        case 409: return .conflict
        case 410: return .gone
        case 422: return .invalid
        case 429: return .tooManyRequests
        case 500: return .internalError
        case 503: return .serviceUnavailable
        case 504: return .timeout
        default: return nil
        }
    }

    private static func defaultMessage(code: Int, body: String) -> String {
        let summary: String
        switch code {
        case 401: summary = "Unauthorized"
        case 403: summary = "the server does not allow access to the requested resource"
        case 404: summary = "the server could not find the requested resource"
        case 409: summary = "the server reported a conflict"
        case 429: summary = "the server has received too many requests and has asked us to try again later"
        case 500..<600: summary = "an error on the server has prevented the request from succeeding"
        default: summary = "the server responded with the status code \(code)"
        }
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? summary : "\(summary) (\(trimmed))"
    }
}

/// A failure on the client side: configuration, credentials, transport, or a response that could not be read.
public enum KubeClientError: Error, CustomStringConvertible, Sendable {
    /// The kubeconfig or in-cluster configuration is missing or invalid.
    case configuration(String)
    /// Credentials could not be obtained (token file unreadable, exec plugin failed).
    case credentials(String)
    /// The request never got an HTTP answer.
    case transport(HTTPTransportError)
    /// The response could not be decoded as the expected type.
    case decoding(String)

    public var description: String {
        switch self {
        case .configuration(let message): return "invalid client configuration: \(message)"
        case .credentials(let message): return "getting credentials failed: \(message)"
        case .transport(let error): return "request failed: \(error)"
        case .decoding(let message): return "decoding the response failed: \(message)"
        }
    }
}

import Foundation
