import Unstructured

/// The type of a field validation error, named as in the Kubernetes `Status` causes (`reason` field).
public enum FieldErrorType: String, Sendable {
    case required = "FieldValueRequired"
    case invalid = "FieldValueInvalid"
    case notSupported = "FieldValueNotSupported"
    case typeInvalid = "FieldValueTypeInvalid"
    case tooLong = "FieldValueTooLong"
    case tooMany = "FieldValueTooMany"
    case forbidden = "FieldValueForbidden"
    case duplicate = "FieldValueDuplicate"

    /// The phrase k8s.io/apimachinery's `field.ErrorType.String()` prints.
    var phrase: String {
        switch self {
        case .required: return "Required value"
        case .invalid, .typeInvalid: return "Invalid value"
        case .notSupported: return "Unsupported value"
        case .tooLong: return "Too long"
        case .tooMany: return "Too many"
        case .forbidden: return "Forbidden"
        case .duplicate: return "Duplicate value"
        }
    }
}

/// One validation failure at a field, formatted like k8s.io/apimachinery's `field.Error`.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    /// The field path in Kubernetes notation: `spec.items[2].name`, map keys as `spec.labels[foo]`.
    public var field: String
    public var type: FieldErrorType
    /// The offending value; nil when the message omits it.
    public var badValue: JSONValue?
    public var detail: String

    public init(field: String, type: FieldErrorType, badValue: JSONValue? = nil, detail: String = "") {
        self.field = field
        self.type = type
        self.badValue = badValue
        self.detail = detail
    }

    /// `spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0`.
    public var description: String {
        var body = type.phrase
        switch type {
        case .required, .forbidden, .tooLong:
            break
        default:
            if let badValue { body += ": " + Self.render(badValue) }
        }
        if !detail.isEmpty { body += ": " + detail }
        return "\(field.isEmpty ? "<nil>" : field): \(body)"
    }

    /// Values as Go's `%v`/`%q` print them in field errors: strings quoted, numbers and booleans bare,
    /// compound values as JSON.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return quote(s)
        case .null: return "\"null\""
        case .double(let d): return formatNumber(d)
        default: return value.jsonString()
        }
    }

    /// A Go-style double-quoted string.
    static func quote(_ s: String) -> String {
        JSONValue.string(s).jsonString()
    }

    /// A number as Go's `%v` prints a float64: no trailing `.0` for integral values.
    static func formatNumber(_ d: Double) -> String {
        if d.rounded() == d && abs(d) < 1e18 { return String(Int64(d)) }
        return String(d)
    }
}

/// The `message` of the 422 Invalid `Status` the API server returns for a rejected object.
public enum InvalidObjectMessage {
    /// `StatefulMigration.migration.ms2m.io "m1" is invalid: spec.sourcePod: Required value`; several errors
    /// are bracketed and comma-separated; a core kind has no group suffix (`Pod "x" is invalid: …`).
    public static func format(kind: String, group: String, name: String, errors: [FieldError]) -> String {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        var message = "\(qualified) \"\(name)\" is invalid"
        switch errors.count {
        case 0: break
        case 1: message += ": \(errors[0])"
        default: message += ": [" + errors.map(\.description).joined(separator: ", ") + "]"
        }
        return message
    }
}
