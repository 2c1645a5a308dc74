import Unstructured

/// One compiled `x-kubernetes-validations` entry.
struct CompiledRule: Sendable {
    let source: String
    let expression: CELExpr
    let message: String?
    let messageExpression: CELExpr?
    let reason: FieldErrorType
    /// `fieldPath` split into member names, e.g. `.spec.ports['http']` → ["spec", "ports", "http"].
    let fieldPath: [String]
    /// A transition rule: it reads `oldSelf`, so it runs only on updates where an old value exists.
    let usesOldSelf: Bool
    let optionalOldSelf: Bool

    static let variables: Set<String> = ["self", "oldSelf"]

    static func compileAll(
        _ raw: JSONValue?, path: String, context: SchemaContext
    ) throws(SchemaError) -> [CompiledRule] {
        guard let raw else { return [] }
        let listPath = "\(path).x-kubernetes-validations"
        guard case .array(let entries) = raw else {
            throw SchemaError("\(listPath): Invalid value: must be a list of rules")
        }
        var rules: [CompiledRule] = []
        for (i, entry) in entries.enumerated() {
            rules.append(try CompiledRule(entry, path: "\(listPath)[\(i)]", context: context))
        }
        return rules
    }

    init(_ entry: JSONValue, path: String, context: SchemaContext) throws(SchemaError) {
        guard case .object(let object) = entry, let rule = object["rule"]?.stringValue else {
            throw SchemaError("\(path).rule: Required value: a validation rule must have a string \"rule\"")
        }
        let reader = KeywordReader(schema: object, path: path)
        source = rule
        do {
            expression = try CELParser.parse(rule, variables: Self.variables)
        } catch {
            throw SchemaError(
                "\(path).rule: Invalid value: \(FieldError.quote(rule)): compilation failed: \(error) "
                    + "(KubeSim supports a subset of CEL; see Schema/CEL)")
        }
        message = try reader.string("message")
        if let text = try reader.string("messageExpression") {
            do {
                messageExpression = try CELParser.parse(text, variables: Self.variables)
            } catch {
                throw SchemaError(
                    "\(path).messageExpression: Invalid value: \(FieldError.quote(text)): compilation failed: \(error)")
            }
        } else {
            messageExpression = nil
        }
        switch try reader.string("reason") {
        case nil, "FieldValueInvalid"?: reason = .invalid
        case "FieldValueForbidden"?: reason = .forbidden
        case "FieldValueRequired"?: reason = .required
        case "FieldValueDuplicate"?: reason = .duplicate
        case let other?:
            throw SchemaError(
                "\(path).reason: Unsupported value: \(FieldError.quote(other)): supported values: "
                    + "\"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\"")
        }
        if let text = try reader.string("fieldPath") {
            guard let parsed = Self.parseFieldPath(text) else {
                throw SchemaError("\(path).fieldPath: Invalid value: \(FieldError.quote(text)): not a valid field path")
            }
            fieldPath = parsed
        } else {
            fieldPath = []
        }
        optionalOldSelf = try reader.bool("optionalOldSelf") ?? false
        usesOldSelf = expression.freeIdentifiers().contains("oldSelf")
        if usesOldSelf && !context.correlatable {
            throw SchemaError(
                "\(path).rule: Invalid value: \(FieldError.quote(rule)): oldSelf cannot be used on the "
                    + "uncorrelatable portion of the schema")
        }
    }

    /// Parses `.a.b['c.d']` into ["a", "b", "c.d"].
    static func parseFieldPath(_ text: String) -> [String]? {
        var names: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return nil }
                names.append(String(name))
                rest = rest.dropFirst(name.count)
            } else if rest.hasPrefix("['") {
                rest = rest.dropFirst(2)
                guard let end = rest.firstRange(of: "']") else { return nil }
                names.append(String(rest[..<end.lowerBound]))
                rest = rest[end.upperBound...]
            } else {
                return nil
            }
        }
        return names.isEmpty ? nil : names
    }

    /// Checks that `fieldPath` names declared fields (the API server rejects it otherwise).
    func checkFieldPath(on node: SchemaNode, schemaPath: String) throws(SchemaError) {
        var current = node
        for name in fieldPath {
            guard let next = current.child(name) else {
                throw SchemaError(
                    "\(schemaPath).x-kubernetes-validations.fieldPath: Invalid value: "
                        + "\(FieldError.quote(name)): does not refer to a valid field")
            }
            current = next
        }
    }

    /// The error path for a failure of this rule on `node` at `path`.
    func errorPath(node: SchemaNode, path: String) -> String {
        var result = path
        var current: SchemaNode? = node
        for name in fieldPath {
            if current?.properties[name] != nil {
                result = FieldPath.child(result, name)
            } else {
                result = FieldPath.key(result, name)
            }
            current = current?.child(name)
        }
        return result
    }
}

extension SchemaNode {
    /// Runs the `x-kubernetes-validations` rules of this node and its descendants.
    func validateRules(
        _ value: JSONValue, old: JSONValue?, path: String, errors: inout [FieldError], isRoot: Bool
    ) {
        if value.isNull { return }
        if !rules.isEmpty {
            evaluateRules(value, old: old, path: path, errors: &errors)
        }
        switch value {
        case .object(let object):
            for (key, member) in object {
                if isRoot && rootManagedFields.contains(key) { continue }
                let oldMember = old?[key]
                if let property = properties[key] {
                    property.validateRules(
                        member, old: oldMember, path: FieldPath.child(path, key), errors: &errors, isRoot: false)
                } else if case .schema(let schema) = additionalProperties {
                    schema.validateRules(
                        member, old: oldMember, path: FieldPath.key(path, key), errors: &errors, isRoot: false)
                }
            }
        case .array(let items):
            guard let itemSchema = self.items else { return }
            let oldItems = listType == "map" ? old?.arrayValue ?? [] : []
            for (i, item) in items.enumerated() {
                let oldItem = oldItems.first { candidate in
                    listMapKeys.allSatisfy { candidate[$0] == item[$0] }
                }
                itemSchema.validateRules(
                    item, old: oldItem, path: FieldPath.index(path, i), errors: &errors, isRoot: false)
            }
        default:
            break
        }
    }

    private func evaluateRules(_ value: JSONValue, old: JSONValue?, path: String, errors: inout [FieldError]) {
        var bindings: [String: CELValue] = ["self": CELValue(value, node: self)]
        if let old, !old.isNull { bindings["oldSelf"] = CELValue(old, node: self) }
        let evaluator = CELEvaluator(bindings: bindings)
        let typeValue = JSONValue.string(typeDescription)
        for rule in rules {
            if rule.usesOldSelf && bindings["oldSelf"] == nil { continue }
            let result: CELValue
            do {
                result = try evaluator.evaluate(rule.expression)
            } catch {
                errors.append(FieldError(field: path, type: .invalid, badValue: typeValue,
                    detail: "\(error) evaluating rule: \(rule.message ?? rule.source)"))
                continue
            }
            guard case .bool(let passed) = result else {
                errors.append(FieldError(field: path, type: .invalid, badValue: typeValue,
                    detail: "rule did not evaluate to a bool (got \(result.typeName)): \(rule.source)"))
                continue
            }
            if passed { continue }
            var detail = rule.message.map { trim($0) } ?? "failed rule: \(trim(rule.source))"
            if let messageExpression = rule.messageExpression,
                case .string(let text)? = try? evaluator.evaluate(messageExpression), !trim(text).isEmpty
            {
                detail = trim(text)
            }
            let field = rule.errorPath(node: self, path: path)
            // Object and array values are omitted from the message, scalars are shown.
            let scalar: JSONValue? = (type == "object" || type == "array") ? Optional.none : Optional.some(value)
            switch rule.reason {
            case .forbidden: errors.append(FieldError(field: field, type: .forbidden, detail: detail))
            case .required: errors.append(FieldError(field: field, type: .required, detail: detail))
            case .duplicate: errors.append(FieldError(field: field, type: .duplicate, badValue: scalar))
            default: errors.append(FieldError(field: field, type: .invalid, badValue: scalar, detail: detail))
            }
        }
    }

    private func trim(_ s: String) -> String {
        String(s.unicodeScalars.drop { $0.properties.isWhitespace }.reversed()
            .drop { $0.properties.isWhitespace }.reversed().map(Character.init))
    }
}
