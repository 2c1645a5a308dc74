import Unstructured

/// A runtime value of the CEL subset: JSON's values, with integers and doubles kept apart by the schema.
enum CELValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([CELValue])
    case map([String: CELValue])

    /// The CEL type name, for error messages.
    var typeName: String {
        switch self {
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        case .list: return "list"
        case .map: return "map"
        }
    }

    /// A JSON value as CEL sees it: a field declared `type: number` is a double even when written `2`,
    /// and `type: integer` is an int even when written `2.0`.
    init(_ json: JSONValue, node: SchemaNode?) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = node?.type == "number" ? .double(Double(i)) : .int(i)
        case .double(let d):
            if node?.type == "integer" || node?.intOrString == true, let i = json.intValue {
                self = .int(i)
            } else {
                self = .double(d)
            }
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map { CELValue($0, node: node?.items) })
        case .object(let object):
            var map: [String: CELValue] = [:]
            for (key, value) in object {
                map[key] = CELValue(value, node: node?.child(key))
            }
            self = .map(map)
        }
    }
}

extension CELValue: Equatable {
    /// CEL equality: numbers compare by value across int and double, other kinds must match.
    static func == (lhs: CELValue, rhs: CELValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.map(let a), .map(let b)): return a == b
        default: return false
        }
    }
}
