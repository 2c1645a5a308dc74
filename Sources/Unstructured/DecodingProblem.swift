/// A decoding failure as a person reads it: the path in the document and what was wanted there, in the
/// document's words ("an integer", "an object") rather than Swift's (`Int32`, `OrderedDictionary<String,
/// JSONValue>`).
///
/// `spec.budgets.maxConcurrent: expected an integer, found a string`.
public enum DecodingProblem {
    /// The description of `error`: a `DecodingError` in the words above; any other error as it describes itself.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        return "\(location(path(of: error))): \(what(error))"
    }

    /// What is wrong, without where: `expected an integer, found a string`.
    public static func what(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "expected \(expected(type)), found \(found(in: context.debugDescription))"
        case .valueNotFound(let type, _):
            return "expected \(expected(type)), found null"
        case .keyNotFound:
            return "required, but missing"
        case .dataCorrupted(let context):
            return context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }

    /// The path of the value `error` is about (for a missing key, the key's path).
    public static func path(of error: DecodingError) -> [any CodingKey] {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): return context.codingPath
        case .keyNotFound(let key, let context): return context.codingPath + [key]
        @unknown default: return []
        }
    }

    /// `spec.containers[0].name`; `the document` for the root.
    public static func location(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue, key.stringValue == "\(index)" || key.stringValue.hasPrefix("Index ") {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "the document" : text
    }

    /// What a Swift type is called in a JSON or YAML document.
    static func expected(_ type: Any.Type) -> String {
        let name = String(describing: type)
        switch name {
        case "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64": return "an integer"
        case "Double", "Float", "Decimal": return "a number"
        case "String", "Substring": return "a string"
        case "Bool": return "true or false"
        default:
            // The decoder asks for a keyed container (an object) for every structure, an unkeyed one for lists.
            return name.hasPrefix("Array<") ? "a list" : "an object"
        }
    }

    /// The kind of value the decoder found, from its description ("… but found string instead").
    static func found(in description: String) -> String {
        let words = description.split(separator: " ")
        guard let found = words.firstIndex(of: "found"),
            let instead = words[found...].firstIndex(where: { $0.hasPrefix("instead") }), instead > found + 1
        else { return "something else" }
        let kind = words[(found + 1)..<instead].joined(separator: " ")
        switch kind {
        case "string", "a string": return "a string"
        case "integer", "number", "a number", "double": return "a number"
        case "bool", "boolean", "a boolean": return "true or false"
        case "array", "an array": return "a list"
        case "object", "dictionary", "an object": return "an object"
        case "null", "null value": return "null"
        default: return String(kind)
        }
    }
}
