import Unstructured

/// A failed API call: rendered as a `metav1.Status` body with the HTTP code, as the API server answers.
struct APIError: Error, Sendable {
    var code: Int
    var reason: String
    var message: String
    /// `details` (name, group, kind, causes, retryAfterSeconds); nil renders as `{}` where the server sends it.
    var details: JSONObject?
    /// `metadata.continue` of the Status (the Expired answer to a stale continue token carries one).
    var listContinue: String?
    /// Seconds for a `Retry-After` header.
    var retryAfterSeconds: Int?

    init(
        code: Int, reason: String, message: String, details: JSONObject? = nil,
        listContinue: String? = nil, retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.listContinue = listContinue
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The Status object.
    var status: JSONValue {
        var meta: JSONObject = [:]
        if let listContinue { meta["continue"] = .string(listContinue) }
        var o: JSONObject = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object(meta), "status": "Failure",
            "message": .string(message),
        ]
        // metav1.Status omits an empty reason (a webhook's denial may carry none).
        if !reason.isEmpty { o["reason"] = .string(reason) }
        if let details { o["details"] = .object(details) }
        o["code"] = .int(Int64(code))
        return .object(o)
    }

    // MARK: Constructors with the API server's texts

    /// `details` naming an object of a resource: `{name, group, kind: <plural>}`.
    static func resourceDetails(_ info: ResourceInfo, name: String) -> JSONObject {
        var d: JSONObject = ["name": .string(name)]
        if !info.group.isEmpty { d["group"] = .string(info.group) }
        d["kind"] = .string(info.plural)
        return d
    }

    static func notFound(_ info: ResourceInfo, name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(info.qualifiedResource) \"\(name)\" not found",
            details: resourceDetails(info, name: name))
    }

    static func namespaceNotFound(_ namespace: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
            details: ["name": .string(namespace), "kind": "namespaces"])
    }

    static func alreadyExists(_ info: ResourceInfo, name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(info.qualifiedResource) \"\(name)\" already exists",
            details: resourceDetails(info, name: name))
    }

    /// 409 Conflict: `Operation cannot be fulfilled on pods "x": <detail>`.
    static func conflict(_ info: ResourceInfo, name: String, _ detail: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(info.qualifiedResource) \"\(name)\": \(detail)",
            details: resourceDetails(info, name: name))
    }

    /// `storage.NewTooLargeResourceVersionError`: 504 Timeout, cause ResourceVersionTooLarge, retry after 1 s.
    static func tooLargeResourceVersion(_ requested: Int64, current: Int64) -> APIError {
        var e = APIError(
            code: 504, reason: "Timeout",
            message: "Timeout: Too large resource version: \(requested), current: \(current)",
            details: [
                "causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]],
                "retryAfterSeconds": 1,
            ])
        e.retryAfterSeconds = 1
        return e
    }

    static let modifiedMessage =
        "the object has been modified; please apply your changes to the latest version and try again"

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed() -> APIError {
        APIError(
            code: 405, reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource", details: [:])
    }

    static func resourceNotFound() -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "the server could not find the requested resource",
            details: [:])
    }

    static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: "
                + accepted.joined(separator: ", "),
            details: [:])
    }

    static func forbidden(_ info: ResourceInfo, name: String, _ detail: String) -> APIError {
        let subject = name.isEmpty ? info.qualifiedResource : "\(info.qualifiedResource) \"\(name)\""
        return APIError(
            code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(detail)",
            details: resourceDetails(info, name: name))
    }

    static func expired(_ message: String, listContinue: String? = nil) -> APIError {
        APIError(code: 410, reason: "Expired", message: message, listContinue: listContinue)
    }

    static func internalError(_ message: String) -> APIError {
        APIError(
            code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
            details: ["causes": [["message": .string(message)]]])
    }

    static func unauthorized() -> APIError {
        APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    static func tooManyRequests(_ message: String, retryAfter: Int?) -> APIError {
        var details: JSONObject = [:]
        if let retryAfter { details["retryAfterSeconds"] = .int(Int64(retryAfter)) }
        return APIError(
            code: 429, reason: "TooManyRequests", message: message, details: details, retryAfterSeconds: retryAfter)
    }

    /// 422 Invalid, `<Kind>[.<group>] "name" is invalid: <field errors>` with one cause per field error.
    static func invalid(kind: String, group: String, name: String, errors: [FieldProblem]) -> APIError {
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        let summary: String
        if errors.count == 1 {
            summary = errors[0].description
        } else {
            summary = "[" + errors.map(\.description).joined(separator: ", ") + "]"
        }
        var details: JSONObject = ["name": .string(name)]
        if !group.isEmpty { details["group"] = .string(group) }
        details["kind"] = .string(kind)
        details["causes"] = .array(
            errors.map { e in
                ["reason": .string(e.reason), "message": .string(e.body), "field": .string(e.field)]
            })
        return APIError(
            code: 422, reason: "Invalid", message: "\(qualifiedKind) \"\(name)\" is invalid: \(summary)",
            details: details)
    }

    static func invalid(_ info: ResourceInfo, name: String, errors: [FieldProblem]) -> APIError {
        invalid(kind: info.kind, group: info.group, name: name, errors: errors)
    }

    /// The message a status code maps to when a fault is injected (reason per k8s.io/apimachinery errors).
    static func forCode(_ code: Int, retryAfter: Int?) -> APIError {
        switch code {
        case 429:
            return tooManyRequests("Too many requests, please try again later.", retryAfter: retryAfter)
        case 400: return badRequest("injected fault")
        case 401: return unauthorized()
        case 403: return APIError(code: 403, reason: "Forbidden", message: "forbidden: injected fault")
        case 404: return resourceNotFound()
        case 409: return APIError(code: 409, reason: "Conflict", message: "injected conflict")
        case 410: return expired("injected fault: resource expired")
        case 500: return internalError("injected fault")
        case 503:
            var e = APIError(
                code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request"
            )
            if let retryAfter {
                e.details = ["retryAfterSeconds": .int(Int64(retryAfter))]
                e.retryAfterSeconds = retryAfter
            }
            return e
        case 504:
            return APIError(code: 504, reason: "Timeout", message: "the server was unable to return a response in time")
        default:
            return APIError(code: code, reason: "Unknown", message: "injected fault \(code)")
        }
    }
}

/// One field error in an Invalid Status (`field.Error` of apimachinery).
struct FieldProblem: Sendable {
    /// The cause reason ("FieldValueRequired", "FieldValueInvalid", "FieldValueForbidden", …).
    var reason: String
    /// The field path, e.g. `metadata.name`.
    var field: String
    /// The error body without the field: `Required value`, `Invalid value: "x": detail`, `Forbidden: detail`.
    var body: String

    var description: String { field.isEmpty ? body : "\(field): \(body)" }

    static func required(_ field: String, _ detail: String = "") -> FieldProblem {
        FieldProblem(
            reason: "FieldValueRequired", field: field,
            body: detail.isEmpty ? "Required value" : "Required value: \(detail)")
    }

    static func invalid(_ field: String, value: JSONValue, _ detail: String) -> FieldProblem {
        FieldProblem(
            reason: "FieldValueInvalid", field: field, body: "Invalid value: \(goValue(value)): \(detail)")
    }

    static func forbidden(_ field: String, _ detail: String) -> FieldProblem {
        FieldProblem(reason: "FieldValueForbidden", field: field, body: "Forbidden: \(detail)")
    }

    /// `Unsupported value: "x": supported values: "a", "b"` (field.NotSupported).
    static func notSupported(_ field: String, value: String, supported: [String]) -> FieldProblem {
        FieldProblem(
            reason: "FieldValueNotSupported", field: field,
            body: "Unsupported value: \"\(value)\": supported values: "
                + supported.map { "\"\($0)\"" }.joined(separator: ", "))
    }

    /// `Duplicate value: "x"` (field.Duplicate).
    static func duplicate(_ field: String, value: String) -> FieldProblem {
        FieldProblem(reason: "FieldValueDuplicate", field: field, body: "Duplicate value: \"\(value)\"")
    }

    /// `Too many: 65: must have at most 64 items` (field.TooMany).
    static func tooMany(_ field: String, count: Int, max: Int) -> FieldProblem {
        FieldProblem(
            reason: "FieldValueTooMany", field: field, body: "Too many: \(count): must have at most \(max) items")
    }

    /// A value as Go's `%#v`-ish rendering used by field.Invalid: strings quoted, numbers bare.
    static func goValue(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        case .null: return "null"
        default: return "\"\(value.jsonString())\""
        }
    }
}

/// The success Status a DELETE answers with when the resource does not return the deleted object.
func successStatus(_ info: ResourceInfo, name: String, uid: String) -> JSONValue {
    var details = APIError.resourceDetails(info, name: name)
    if !uid.isEmpty { details["uid"] = .string(uid) }
    return ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "details": .object(details)]
}
