import Unstructured

/// The root fields the server manages itself; the CRD schema neither validates nor prunes them.
let rootManagedFields: Set<String> = ["apiVersion", "kind", "metadata"]

extension SchemaNode {
    /// OpenAPI value validation of `value` at `path` (the kube-openapi pass), appending to `errors`.
    func validateValue(_ value: JSONValue, path: String, errors: inout [FieldError], isRoot: Bool) {
        let name = path.isEmpty ? "body" : path
        if value.isNull {
            if nullable || (type == nil && !intOrString) { return }
            errors.append(typeError(value, path: path, name: name))
            return
        }
        guard matchesType(value) else {
            errors.append(typeError(value, path: path, name: name))
            return
        }
        switch value {
        case .string(let s): validateString(s, value: value, path: path, name: name, errors: &errors)
        case .int, .double: validateNumber(value, path: path, name: name, errors: &errors)
        default: break
        }
        if let format, !SchemaFormat.accepts(value, format: format) {
            errors.append(FieldError(field: path, type: .typeInvalid, badValue: value,
                detail: "\(name) in body must be of type \(format): \(FieldError.quote(Self.plain(value)))"))
        }
        if let enumValues, !enumValues.contains(value) {
            let supported = enumValues.map { FieldError.quote(Self.plain($0)) }.joined(separator: ", ")
            errors.append(FieldError(field: path, type: .notSupported, badValue: value,
                detail: supported.isEmpty ? "" : "supported values: \(supported)"))
        }
        switch value {
        case .array(let items): validateArray(items, value: value, path: path, name: name, errors: &errors)
        case .object(let object):
            validateObject(object, value: value, path: path, name: name, errors: &errors, isRoot: isRoot)
        default: break
        }
        validateJunctors(value, path: path, name: name, errors: &errors)
    }

    /// A value's text as Go's `fmt.Sprint` gives it: strings bare, others as JSON.
    static func plain(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        if case .double(let d) = value { return FieldError.formatNumber(d) }
        return value.jsonString()
    }

    func matchesType(_ value: JSONValue) -> Bool {
        if intOrString {
            switch value {
            case .string: return true
            default: return value.intValue != nil && value.doubleValue != nil
            }
        }
        switch (type, value) {
        case (nil, _): return true
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool): return true
        case ("number", .int), ("number", .double), ("integer", .int): return true
        case ("integer", .double): return value.intValue != nil
        default: return false
        }
    }

    private func typeError(_ value: JSONValue, path: String, name: String) -> FieldError {
        let expected = intOrString ? "integer,string" : (type ?? "any")
        return FieldError(field: path, type: .typeInvalid, badValue: .string(value.typeName),
            detail: "\(name) in body must be of type \(expected): \(FieldError.quote(value.typeName))")
    }

    private func validateString(
        _ s: String, value: JSONValue, path: String, name: String, errors: inout [FieldError]
    ) {
        let length = s.unicodeScalars.count
        if let maxLength, length > maxLength {
            errors.append(FieldError(field: path, type: .tooLong, badValue: value,
                detail: "may not be more than \(maxLength) \(maxLength == 1 ? "byte" : "bytes")"))
        }
        if let minLength, length < minLength {
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body should be at least \(minLength) chars long"))
        }
        if let pattern, !pattern.matches(s) {
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body should match '\(pattern.source)'"))
        }
    }

    private func validateNumber(_ value: JSONValue, path: String, name: String, errors: inout [FieldError]) {
        guard let number = value.doubleValue else { return }
        if let multipleOf {
            let quotient = number / multipleOf
            if quotient.rounded() != quotient {
                errors.append(FieldError(field: path, type: .invalid, badValue: value,
                    detail: "\(name) in body should be a multiple of \(FieldError.formatNumber(multipleOf))"))
            }
        }
        if let maximum, exclusiveMaximum ? number >= maximum : number > maximum {
            let relation = exclusiveMaximum ? "less than" : "less than or equal to"
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body should be \(relation) \(FieldError.formatNumber(maximum))"))
        }
        if let minimum, exclusiveMinimum ? number <= minimum : number < minimum {
            let relation = exclusiveMinimum ? "greater than" : "greater than or equal to"
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body should be \(relation) \(FieldError.formatNumber(minimum))"))
        }
    }

    private func validateArray(
        _ items: [JSONValue], value: JSONValue, path: String, name: String, errors: inout [FieldError]
    ) {
        if let maxItems, items.count > maxItems {
            errors.append(FieldError(field: path, type: .tooMany, badValue: .int(Int64(items.count)),
                detail: "must have at most \(maxItems) \(maxItems == 1 ? "item" : "items")"))
        }
        if let minItems, items.count < minItems {
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body should have at least \(minItems) items"))
        }
        if let itemSchema = self.items {
            for (i, item) in items.enumerated() {
                itemSchema.validateValue(item, path: FieldPath.index(path, i), errors: &errors, isRoot: false)
            }
        }
        validateListType(items, path: path, errors: &errors)
    }

    /// `x-kubernetes-list-type: set` (no equal items) and `map` (no two items with the same keys).
    private func validateListType(_ items: [JSONValue], path: String, errors: inout [FieldError]) {
        switch listType {
        case "set":
            var seen: Set<JSONValue> = []
            for (i, item) in items.enumerated() where !seen.insert(item).inserted {
                errors.append(FieldError(field: FieldPath.index(path, i), type: .duplicate, badValue: item))
            }
        case "map":
            var seen: Set<JSONValue> = []
            for (i, item) in items.enumerated() {
                if !item.isNull && item.objectValue == nil {
                    errors.append(FieldError(field: FieldPath.index(path, i), type: .invalid, badValue: item,
                        detail: "must be an object for an array of list-type map"))
                    return
                }
                var key = JSONObject()
                for field in listMapKeys {
                    if let v = item[field] { key[field] = v }
                }
                let keyValue = JSONValue.object(key)
                if !seen.insert(keyValue).inserted {
                    errors.append(FieldError(field: FieldPath.index(path, i), type: .duplicate, badValue: keyValue))
                }
            }
        default:
            break
        }
    }

    private func validateObject(
        _ object: JSONObject, value: JSONValue, path: String, name: String, errors: inout [FieldError],
        isRoot: Bool
    ) {
        for key in required where object[key] == nil && !(isRoot && rootManagedFields.contains(key)) {
            errors.append(FieldError(field: FieldPath.child(path, key), type: .required))
        }
        for (key, member) in object {
            if isRoot && rootManagedFields.contains(key) { continue }
            if let property = properties[key] {
                property.validateValue(member, path: FieldPath.child(path, key), errors: &errors, isRoot: false)
            } else if case .schema(let schema) = additionalProperties {
                schema.validateValue(member, path: FieldPath.key(path, key), errors: &errors, isRoot: false)
            }
        }
        if let maxProperties, object.count > maxProperties {
            errors.append(FieldError(field: path, type: .tooMany, badValue: .int(Int64(object.count)),
                detail: "must have at most \(maxProperties) \(maxProperties == 1 ? "item" : "items")"))
        }
        if let minProperties, object.count < minProperties {
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body should have at least \(minProperties) properties"))
        }
        if embeddedResource {
            for key in ["apiVersion", "kind"] where object[key] == nil {
                errors.append(
                    FieldError(field: FieldPath.child(path, key), type: .required, detail: "must not be empty"))
            }
        }
    }

    /// `allOf`, `anyOf`, `oneOf` and `not` as value validations of the same value.
    private func validateJunctors(_ value: JSONValue, path: String, name: String, errors: inout [FieldError]) {
        for schema in allOf {
            schema.validateValue(value, path: path, errors: &errors, isRoot: false)
        }
        func passes(_ schema: SchemaNode) -> Bool {
            var scratch: [FieldError] = []
            schema.validateValue(value, path: path, errors: &scratch, isRoot: false)
            return scratch.isEmpty
        }
        if !anyOf.isEmpty && !intOrString && !anyOf.contains(where: passes) {
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body must validate at least one schema (anyOf)"))
        }
        if !oneOf.isEmpty && oneOf.filter(passes).count != 1 {
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body must validate one and only one schema (oneOf)"))
        }
        if let not, passes(not) {
            errors.append(FieldError(field: path, type: .invalid, badValue: value,
                detail: "\(name) in body must not validate the schema (not)"))
        }
    }
}
