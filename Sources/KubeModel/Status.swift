/// The result of an API call that returns no object: errors and some deletions (`metav1.Status`).
///
/// Error responses from the API server carry this body, e.g. `409 Conflict` with reason `AlreadyExists` or
/// `Conflict`. It conforms to `Error` so a client can throw it as is.
public struct Status: Codable, Hashable, Sendable, Error, CustomStringConvertible {
    /// Always `v1` when present.
    public var apiVersion: String?
    /// Always `Status` when present.
    public var kind: String?
    /// List-style metadata (rarely set).
    public var metadata: ListMeta?
    /// `Success` or `Failure`.
    public var status: String?
    /// A human-readable description.
    public var message: String?
    /// A machine-readable reason, e.g. `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`.
    public var reason: StatusReason?
    /// Extra data about the reason.
    public var details: StatusDetails?
    /// The HTTP status code.
    public var code: Int?

    /// Creates a status.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "Status",
        metadata: ListMeta? = nil,
        status: String? = nil,
        message: String? = nil,
        reason: StatusReason? = nil,
        details: StatusDetails? = nil,
        code: Int? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }

    /// Whether `status` is `Success`.
    public var isSuccess: Bool { status == "Success" }

    public var description: String {
        "\(code.map(String.init) ?? "?") \(reason?.rawValue ?? "") \(message ?? "")"
    }
}

/// A machine-readable reason of a `Status` (`metav1.StatusReason`).
public struct StatusReason: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// 401.
    public static let unauthorized: StatusReason = "Unauthorized"
    /// 403.
    public static let forbidden: StatusReason = "Forbidden"
    /// 404.
    public static let notFound: StatusReason = "NotFound"
    /// 409 on create.
    public static let alreadyExists: StatusReason = "AlreadyExists"
    /// 409 on update (stale resourceVersion).
    public static let conflict: StatusReason = "Conflict"
    /// 410 (watch or continue token too old).
    public static let gone: StatusReason = "Gone"
    /// 410 (resource version too old).
    public static let expired: StatusReason = "Expired"
    /// 422.
    public static let invalid: StatusReason = "Invalid"
    /// 504.
    public static let timeout: StatusReason = "Timeout"
    /// 429 (also PDB-blocked evictions).
    public static let tooManyRequests: StatusReason = "TooManyRequests"
    /// 400.
    public static let badRequest: StatusReason = "BadRequest"
    /// 405.
    public static let methodNotAllowed: StatusReason = "MethodNotAllowed"
    /// 500.
    public static let internalError: StatusReason = "InternalError"
    /// 503.
    public static let serviceUnavailable: StatusReason = "ServiceUnavailable"
}

/// Details of a `Status`: the object concerned and per-field causes.
public struct StatusDetails: Codable, Hashable, Sendable {
    /// The name of the object concerned.
    public var name: String?
    /// Its API group.
    public var group: String?
    /// Its kind (or resource).
    public var kind: String?
    /// Its uid.
    public var uid: String?
    /// Individual causes, e.g. invalid fields.
    public var causes: [StatusCause]?
    /// Suggested seconds to wait before retrying.
    public var retryAfterSeconds: Int?

    /// Creates status details.
    public init(
        name: String? = nil,
        group: String? = nil,
        kind: String? = nil,
        uid: String? = nil,
        causes: [StatusCause]? = nil,
        retryAfterSeconds: Int? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One cause of a `Status` failure.
public struct StatusCause: Codable, Hashable, Sendable {
    /// A machine-readable cause, e.g. `FieldValueInvalid`.
    public var reason: String?
    /// A human-readable description.
    public var message: String?
    /// The field concerned, e.g. `spec.replicas`.
    public var field: String?

    /// Creates a cause.
    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
