import Unstructured

/// Compares an encoded value with an OpenAPI v3 schema field by field, as the CRD drift guard.
///
/// Subtrees under `x-kubernetes-preserve-unknown-fields` without `properties` (embedded Kubernetes objects)
/// are accepted as a whole; at the root only `spec` and `status` are walked.
enum SchemaCoverage {
    /// Paths of fields in `value` that the schema does not declare, or declares with another JSON type.
    static func undeclaredFields(in value: JSONValue, schema: JSONValue, path: String = "") -> [String] {
        var problems: [String] = []
        if let declared = schema["type"]?.stringValue, !matches(value, type: declared) {
            problems.append("\(display(path)): encoded as \(value.typeName), schema says \(declared)")
            return problems
        }
        switch value {
        case .object(let object):
            if path.isEmpty {
                for key in ["spec", "status"] {
                    guard let child = object[key] else { continue }
                    guard let childSchema = schema[path: ["properties", key]] else {
                        problems.append("\(key): not in the schema")
                        continue
                    }
                    problems += undeclaredFields(in: child, schema: childSchema, path: key)
                }
                return problems
            }
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            let preserves = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
            for (key, child) in object {
                let childPath = "\(path).\(key)"
                if let childSchema = properties?[key] {
                    problems += undeclaredFields(in: child, schema: childSchema, path: childPath)
                } else if let additional, additional.objectValue != nil {
                    problems += undeclaredFields(in: child, schema: additional, path: childPath)
                } else if !(preserves || additional?.boolValue == true) {
                    problems.append("\(childPath): not in the schema")
                }
            }
        case .array(let items):
            guard let itemSchema = schema["items"] else {
                problems.append("\(path): array without an items schema")
                break
            }
            for (index, item) in items.enumerated() {
                problems += undeclaredFields(in: item, schema: itemSchema, path: "\(path)[\(index)]")
            }
        default:
            break
        }
        return problems
    }

    /// Paths of properties the schema declares (under `spec` and `status`) that `value` does not have. Pass a
    /// fully populated value: every declared field then has to come from the Swift type.
    static func unpopulatedProperties(of schema: JSONValue, in value: JSONValue?, path: String = "") -> [String] {
        var problems: [String] = []
        if let properties = schema["properties"]?.objectValue {
            for (key, childSchema) in properties {
                if path.isEmpty && !["spec", "status"].contains(key) { continue }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let child = value?[key] else {
                    problems.append(childPath)
                    continue
                }
                problems += unpopulatedProperties(of: childSchema, in: child, path: childPath)
            }
        }
        if let itemSchema = schema["items"], itemSchema["properties"] != nil {
            guard let first = value?.arrayValue?.first else {
                problems.append("\(path)[0]")
                return problems
            }
            problems += unpopulatedProperties(of: itemSchema, in: first, path: "\(path)[0]")
        }
        if let additional = schema["additionalProperties"], additional["properties"] != nil {
            guard let first = value?.objectValue?.values.first else {
                problems.append("\(path)[*]")
                return problems
            }
            problems += unpopulatedProperties(of: additional, in: first, path: "\(path)[*]")
        }
        return problems
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double),
            ("object", .object), ("array", .array):
            return true
        default:
            return false
        }
    }

    private static func display(_ path: String) -> String { path.isEmpty ? "<root>" : path }
}

/// Finds optional stored properties left `nil` in a value, so a "fully populated" fixture cannot silently fall
/// behind a type that gains a field.
enum UnsetFields {
    /// Paths of `nil` optionals in `value`, not descending into properties named in `opaque`.
    static func paths(in value: Any, opaque: Set<String>, path: String = "") -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first else { return [path] }
            return paths(in: wrapped.value, opaque: opaque, path: path)
        case .collection:
            return mirror.children.enumerated().flatMap { index, child in
                paths(in: child.value, opaque: opaque, path: "\(path)[\(index)]")
            }
        case .dictionary:
            return mirror.children.flatMap { entry in
                let pair = Array(Mirror(reflecting: entry.value).children)
                return paths(in: pair[1].value, opaque: opaque, path: "\(path)[\(pair[0].value)]")
            }
        case .struct:
            return mirror.children.flatMap { child -> [String] in
                guard let label = child.label, !opaque.contains(label) else { return [] }
                return paths(in: child.value, opaque: opaque, path: path.isEmpty ? label : "\(path).\(label)")
            }
        default:
            return []
        }
    }
}
