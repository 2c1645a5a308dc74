import Unstructured

/// JSON patch (RFC 6902, `application/json-patch+json`): a list of `add`, `remove`, `replace`, `move`,
/// `copy` and `test` operations applied in order; any failure rejects the whole patch.
public enum JSONPatch {
    /// Applies `operations` (a JSON array of operation objects) to `target`.
    public static func apply(_ operations: JSONValue, to target: JSONValue) throws(PatchError) -> JSONValue {
        guard case .array(let list) = operations else {
            throw PatchError("json patch must be a JSON array of operations, got \(operations.typeName)")
        }
        var document = target
        for (number, operation) in list.enumerated() {
            do {
                document = try applyOne(operation, to: document)
            } catch {
                throw PatchError("json patch operation \(number): \(error.message)")
            }
        }
        return document
    }

    private static func applyOne(_ operation: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        guard case .object(let op) = operation else {
            throw PatchError("an operation must be a JSON object, got \(operation.typeName)")
        }
        guard let name = op["op"]?.stringValue else { throw PatchError("missing or non-string \"op\"") }
        let path = try pointer(op, "path", operation: name)
        switch name {
        case "add":
            return try add(try value(op, operation: name), at: path, in: document, operation: name)
        case "remove":
            return try remove(at: path, in: document, operation: name).document
        case "replace":
            let newValue = try value(op, operation: name)
            guard path.resolve(in: document) != nil else { throw missing(name, path) }
            if path.tokens.isEmpty { return newValue }
            let removed = try remove(at: path, in: document, operation: name).document
            return try add(newValue, at: path, in: removed, operation: name)
        case "move":
            let from = try pointer(op, "from", operation: name)
            if from.isProperPrefix(of: path) {
                throw PatchError("move operation does not apply: \"from\" \(from) is a prefix of \"path\" \(path)")
            }
            if from == path {
                guard from.resolve(in: document) != nil else { throw missing(name, from) }
                return document
            }
            let (removed, moved) = try remove(at: from, in: document, operation: name)
            return try add(moved, at: path, in: removed, operation: name)
        case "copy":
            let from = try pointer(op, "from", operation: name)
            guard let copied = from.resolve(in: document) else { throw missing(name, from) }
            return try add(copied, at: path, in: document, operation: name)
        case "test":
            let expected = try value(op, operation: name)
            guard let actual = path.resolve(in: document) else { throw missing(name, path) }
            guard actual == expected else {
                throw PatchError(
                    "test operation failed: value at \"\(path)\" is \(actual.jsonString()), "
                        + "expected \(expected.jsonString())"
                )
            }
            return document
        default:
            throw PatchError("unknown operation \"\(name)\"; expected add, remove, replace, move, copy or test")
        }
    }

    private static func pointer(
        _ op: JSONObject, _ key: String, operation: String
    ) throws(PatchError) -> JSONPointer {
        guard let raw = op[key] else { throw PatchError("\(operation) operation is missing \"\(key)\"") }
        guard let text = raw.stringValue else {
            throw PatchError("\(operation) operation: \"\(key)\" must be a string")
        }
        return try JSONPointer(text)
    }

    private static func value(_ op: JSONObject, operation: String) throws(PatchError) -> JSONValue {
        guard let value = op["value"] else { throw PatchError("\(operation) operation is missing \"value\"") }
        return value
    }

    private static func missing(_ operation: String, _ path: JSONPointer) -> PatchError {
        PatchError("\(operation) operation does not apply: doc is missing path: \"\(path)\"")
    }

    /// Adds (or, for an existing object member, replaces) `value` at `path`.
    private static func add(
        _ value: JSONValue, at path: JSONPointer, in document: JSONValue, operation: String
    ) throws(PatchError) -> JSONValue {
        let edit: (inout JSONValue, String) throws(PatchError) -> JSONValue = { parent, last throws(PatchError) in
            switch parent {
            case .object(var object):
                object[last] = value
                parent = .object(object)
            case .array(var array):
                if last == "-" {
                    array.append(value)
                } else if let i = JSONPointer.index(last), i <= array.count {
                    array.insert(value, at: i)
                } else {
                    throw PatchError(
                        "\(operation) operation does not apply: index \"\(last)\" out of bounds for an array of "
                            + "\(array.count) at \"\(path)\""
                    )
                }
                parent = .array(array)
            default:
                throw missing(operation, path)
            }
            return .null
        }
        let whole: (JSONValue) throws(PatchError) -> JSONValue = { _ throws(PatchError) in value }
        return try modify(
            document, tokens: path.tokens[...], path: path, operation: operation, edit: edit, whole: whole
        ).document
    }

    /// Removes the value at `path`; returns the new document and the removed value.
    private static func remove(
        at path: JSONPointer, in document: JSONValue, operation: String
    ) throws(PatchError) -> (document: JSONValue, removed: JSONValue) {
        let edit: (inout JSONValue, String) throws(PatchError) -> JSONValue = { parent, last throws(PatchError) in
            switch parent {
            case .object(var object):
                guard let old = object.removeValue(forKey: last) else { throw missing(operation, path) }
                parent = .object(object)
                return old
            case .array(var array):
                guard let i = JSONPointer.index(last), i < array.count else {
                    throw PatchError(
                        "\(operation) operation does not apply: index \"\(last)\" out of bounds for an array of "
                            + "\(array.count) at \"\(path)\""
                    )
                }
                let old = array.remove(at: i)
                parent = .array(array)
                return old
            default:
                throw missing(operation, path)
            }
        }
        let whole: (JSONValue) throws(PatchError) -> JSONValue = { old throws(PatchError) in
            guard operation != "remove" else {
                throw PatchError("remove operation does not apply: cannot remove the whole document")
            }
            return old
        }
        return try modify(
            document, tokens: path.tokens[...], path: path, operation: operation, edit: edit, whole: whole)
    }

    /// Walks to the parent of the last token and lets `edit` change it in place.
    private static func modify(
        _ document: JSONValue,
        tokens: ArraySlice<String>,
        path: JSONPointer,
        operation: String,
        edit: (inout JSONValue, String) throws(PatchError) -> JSONValue,
        whole: (JSONValue) throws(PatchError) -> JSONValue
    ) throws(PatchError) -> (document: JSONValue, removed: JSONValue) {
        guard let first = tokens.first else {
            // The empty pointer: the whole document.
            return (try whole(document), document)
        }
        if tokens.count == 1 {
            var parent = document
            let result = try edit(&parent, first)
            return (parent, result)
        }
        let rest = tokens.dropFirst()
        switch document {
        case .object(var object):
            guard let child = object[first] else { throw missing(operation, path) }
            let (newChild, result) = try modify(
                child, tokens: rest, path: path, operation: operation, edit: edit, whole: whole)
            object[first] = newChild
            return (.object(object), result)
        case .array(var array):
            guard let i = JSONPointer.index(first), i < array.count else { throw missing(operation, path) }
            let (newChild, result) = try modify(
                array[i], tokens: rest, path: path, operation: operation, edit: edit, whole: whole)
            array[i] = newChild
            return (.array(array), result)
        default:
            throw missing(operation, path)
        }
    }
}
