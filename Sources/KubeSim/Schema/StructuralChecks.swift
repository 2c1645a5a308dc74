import Unstructured

extension SchemaNode {
    /// The apiextensions.k8s.io/v1 rules a schema must meet to be structural and accepted in a CRD, plus the
    /// checks of `default` values. Called at the end of compilation, when the node is complete.
    func checkStructural(path: String, context: SchemaContext) throws(SchemaError) {
        if context.inValueValidation {
            try checkValueValidationOnly(path: path)
        } else {
            if context.isRoot && type != "object" {
                throw SchemaError(
                    "\(path).type: Invalid value: \(FieldError.quote(type ?? "")): must be object at the root")
            }
            if type == nil && !intOrString && !preserveUnknownFields {
                throw SchemaError("\(path).type: Required value: must not be empty for specified fields")
            }
            if intOrString && type != nil {
                throw SchemaError(
                    "\(path).type: Invalid value: \(FieldError.quote(type ?? "")): must be empty if "
                        + "x-kubernetes-int-or-string is true")
            }
            if embeddedResource && type != "object" {
                throw SchemaError(
                    "\(path).type: Invalid value: must be object if x-kubernetes-embedded-resource is true")
            }
            if type == "array" && items == nil {
                throw SchemaError("\(path).items: Required value: must be specified for type array")
            }
        }
        if !properties.isEmpty {
            switch additionalProperties {
            case .none, .schema:
                throw SchemaError(
                    "\(path).additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive")
            case .unspecified, .any:
                break
            }
        }
        try checkListType(path: path)
        for rule in rules {
            try rule.checkFieldPath(on: self, schemaPath: path)
        }
        if let defaultValue {
            try checkDefault(defaultValue, path: path)
        }
    }

    private func checkValueValidationOnly(path: String) throws(SchemaError) {
        let forbidden: [(String, Bool)] = [
            ("default", defaultValue != nil), ("nullable", nullable),
            ("x-kubernetes-preserve-unknown-fields", preserveUnknownFields),
            ("x-kubernetes-embedded-resource", embeddedResource), ("x-kubernetes-list-type", listType != nil),
            ("x-kubernetes-validations", !rules.isEmpty),
        ]
        for (keyword, present) in forbidden where present {
            throw SchemaError("\(path).\(keyword): Forbidden: must not be used inside allOf, anyOf, oneOf or not")
        }
        if case .unspecified = additionalProperties {} else {
            throw SchemaError(
                "\(path).additionalProperties: Forbidden: must not be used inside allOf, anyOf, oneOf or not")
        }
    }

    private func checkListType(path: String) throws(SchemaError) {
        guard let listType else {
            if !listMapKeys.isEmpty {
                throw SchemaError(
                    "\(path).x-kubernetes-list-map-keys: Forbidden: must not be set if "
                        + "x-kubernetes-list-type is not map")
            }
            return
        }
        guard ["atomic", "set", "map"].contains(listType) else {
            throw SchemaError(
                "\(path).x-kubernetes-list-type: Unsupported value: \(FieldError.quote(listType)): supported values: "
                    + "\"atomic\", \"map\", \"set\"")
        }
        guard type == "array" else {
            throw SchemaError("\(path).x-kubernetes-list-type: Invalid value: must only be used for type array")
        }
        if listType != "map" {
            if !listMapKeys.isEmpty {
                throw SchemaError(
                    "\(path).x-kubernetes-list-map-keys: Forbidden: must not be set if "
                        + "x-kubernetes-list-type is not map")
            }
            return
        }
        guard !listMapKeys.isEmpty else {
            throw SchemaError(
                "\(path).x-kubernetes-list-map-keys: Required value: must not be empty if "
                    + "x-kubernetes-list-type is map")
        }
        guard let items, items.type == "object" else {
            throw SchemaError("\(path).items.type: Invalid value: must be object if x-kubernetes-list-type is map")
        }
        for key in listMapKeys {
            guard let keyNode = items.properties[key] else {
                throw SchemaError(
                    "\(path).x-kubernetes-list-map-keys: Invalid value: \(FieldError.quote(key)): "
                        + "entries must all be names of item properties")
            }
            let scalar = ["string", "integer", "number", "boolean"].contains(keyNode.type ?? "")
            guard scalar || keyNode.intOrString else {
                throw SchemaError(
                    "\(path).items.properties[\(key)].type: Invalid value: must be a scalar type if "
                        + "x-kubernetes-list-type is map")
            }
            if !items.required.contains(key) && keyNode.defaultValue == nil {
                throw SchemaError(
                    "\(path).items.required: Required value: all map keys must be required or have a default value")
            }
        }
    }

    private func checkDefault(_ value: JSONValue, path: String) throws(SchemaError) {
        if value.isNull && !nullable {
            throw SchemaError("\(path).default: Invalid value: null: must not be null for a non-nullable field")
        }
        let defaulted = applyDefaults(value, isRoot: false)
        if prune(defaulted, isRoot: false) != defaulted {
            throw SchemaError("\(path).default: Invalid value: \(value.jsonString()): must not have unknown fields")
        }
        var errors: [FieldError] = []
        validateValue(defaulted, path: "default", errors: &errors, isRoot: false)
        if let first = errors.first {
            throw SchemaError("\(path).default: Invalid value: \(value.jsonString()): \(first)")
        }
    }
}
