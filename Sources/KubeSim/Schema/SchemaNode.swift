import Unstructured

/// One compiled node of a structural schema. Immutable after compilation.
final class SchemaNode: Sendable {
    /// What `additionalProperties` allows.
    enum AdditionalProperties: Sendable {
        case unspecified
        case any
        case none
        case schema(SchemaNode)
    }

    let type: String?
    let nullable: Bool
    let required: [String]
    let enumValues: [JSONValue]?
    let minimum: Double?
    let exclusiveMinimum: Bool
    let maximum: Double?
    let exclusiveMaximum: Bool
    let multipleOf: Double?
    let minLength: Int?
    let maxLength: Int?
    let pattern: PatternRegex?
    let format: String?
    let minItems: Int?
    let maxItems: Int?
    let minProperties: Int?
    let maxProperties: Int?
    let properties: [String: SchemaNode]
    let propertyOrder: [String]
    let additionalProperties: AdditionalProperties
    let items: SchemaNode?
    let intOrString: Bool
    let preserveUnknownFields: Bool
    let embeddedResource: Bool
    let listType: String?
    let listMapKeys: [String]
    let defaultValue: JSONValue?
    let rules: [CompiledRule]
    let allOf: [SchemaNode]
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let not: SchemaNode?

    /// The schema of member `key` of an object value, when declared.
    func child(_ key: String) -> SchemaNode? {
        if let node = properties[key] { return node }
        if case .schema(let node) = additionalProperties { return node }
        return nil
    }

    /// Whether unknown members of an object value are kept by pruning.
    var keepsUnknownFields: Bool {
        if preserveUnknownFields { return true }
        if case .any = additionalProperties { return true }
        return false
    }

    /// The type name CEL error messages use for the node.
    var typeDescription: String {
        if intOrString { return "int-or-string" }
        return type ?? "any"
    }

    static let keywords: Set<String> = [
        "type", "nullable", "required", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "multipleOf", "minLength", "maxLength", "pattern", "format", "minItems", "maxItems", "uniqueItems",
        "minProperties", "maxProperties", "properties", "additionalProperties", "items", "default",
        "description", "title", "example", "externalDocs", "allOf", "anyOf", "oneOf", "not",
        "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource",
        "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-validations",
    ]

    static let forbiddenKeywords: [String: String] = [
        "$ref": "$ref is not supported in CustomResourceDefinition schemas",
        "$schema": "$schema is not supported",
        "id": "id is not supported",
        "definitions": "definitions is not supported",
        "dependencies": "dependencies is not supported",
        "patternProperties": "patternProperties is not supported",
        "additionalItems": "additionalItems is not supported",
    ]

    /// Compiles the schema at `path` (`openAPIV3Schema`, `openAPIV3Schema.properties[spec]`).
    /// `context` carries whether this node is inside value validations (`allOf`…) and whether `oldSelf` can be
    /// correlated here.
    init(_ json: JSONValue, path: String, context: SchemaContext) throws(SchemaError) {
        guard case .object(let s) = json else {
            throw SchemaError("\(path): Invalid value: must be a schema object, got \(json.typeName)")
        }
        let reader = KeywordReader(schema: s, path: path)
        for key in s.keys {
            if let reason = Self.forbiddenKeywords[key] {
                throw SchemaError("\(path).\(key): Forbidden: \(reason)")
            }
            if !Self.keywords.contains(key) {
                throw SchemaError("\(path).\(key): Forbidden: unknown or unsupported schema keyword")
            }
        }
        type = try reader.string("type")
        if let type, !["object", "array", "string", "integer", "number", "boolean"].contains(type) {
            throw SchemaError(
                "\(path).type: Unsupported value: \(FieldError.quote(type)): supported values: "
                    + "\"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"")
        }
        nullable = try reader.bool("nullable") ?? false
        required = try reader.strings("required") ?? []
        enumValues = try reader.array("enum")
        minimum = try reader.number("minimum")
        maximum = try reader.number("maximum")
        exclusiveMinimum = try reader.bool("exclusiveMinimum") ?? false
        exclusiveMaximum = try reader.bool("exclusiveMaximum") ?? false
        multipleOf = try reader.number("multipleOf")
        if let multipleOf, multipleOf <= 0 {
            throw SchemaError("\(path).multipleOf: Invalid value: \(multipleOf): must be greater than zero")
        }
        minLength = try reader.count("minLength")
        maxLength = try reader.count("maxLength")
        minItems = try reader.count("minItems")
        maxItems = try reader.count("maxItems")
        minProperties = try reader.count("minProperties")
        maxProperties = try reader.count("maxProperties")
        format = try reader.string("format")
        if let source = try reader.string("pattern") {
            do {
                pattern = try PatternRegex(source)
            } catch {
                throw SchemaError(
                    "\(path).pattern: Invalid value: \(FieldError.quote(source)): cannot compile: \(error)")
            }
        } else {
            pattern = nil
        }
        if try reader.bool("uniqueItems") == true {
            throw SchemaError(
                "\(path).uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity "
                    + "becomes quadratic")
        }
        intOrString = try reader.bool("x-kubernetes-int-or-string") ?? false
        preserveUnknownFields = try reader.bool("x-kubernetes-preserve-unknown-fields") ?? false
        embeddedResource = try reader.bool("x-kubernetes-embedded-resource") ?? false
        listType = try reader.string("x-kubernetes-list-type")
        listMapKeys = try reader.strings("x-kubernetes-list-map-keys") ?? []

        let subcontext = context.nested()
        var properties: [String: SchemaNode] = [:]
        var order: [String] = []
        if let raw = s["properties"] {
            guard case .object(let props) = raw else {
                throw SchemaError("\(path).properties: Invalid value: must be an object")
            }
            for (name, sub) in props {
                properties[name] = try SchemaNode(sub, path: "\(path).properties[\(name)]", context: subcontext)
                order.append(name)
            }
        }
        self.properties = properties
        self.propertyOrder = order
        switch s["additionalProperties"] {
        case nil: additionalProperties = .unspecified
        case .bool(true)?: additionalProperties = .any
        case .bool(false)?: additionalProperties = .none
        case let sub?:
            additionalProperties = .schema(
                try SchemaNode(sub, path: "\(path).additionalProperties", context: subcontext))
        }
        if let raw = s["items"] {
            if case .array = raw {
                throw SchemaError("\(path).items: Forbidden: items must be a schema object, not an array of schemas")
            }
            let correlatable = context.correlatable && listType == "map"
            items = try SchemaNode(raw, path: "\(path).items", context: subcontext.correlating(correlatable))
        } else {
            items = nil
        }
        let junctorContext = context.valueValidation()
        allOf = try Self.list(s["allOf"], path: "\(path).allOf", context: junctorContext)
        anyOf = try Self.list(s["anyOf"], path: "\(path).anyOf", context: junctorContext)
        oneOf = try Self.list(s["oneOf"], path: "\(path).oneOf", context: junctorContext)
        not = try s["not"].map { value throws(SchemaError) in
            try SchemaNode(value, path: "\(path).not", context: junctorContext)
        }
        defaultValue = s["default"]
        rules = try CompiledRule.compileAll(s["x-kubernetes-validations"], path: path, context: context)
        try checkStructural(path: path, context: context)
    }

    private static func list(
        _ raw: JSONValue?, path: String, context: SchemaContext
    ) throws(SchemaError) -> [SchemaNode] {
        guard let raw else { return [] }
        guard case .array(let schemas) = raw else { throw SchemaError("\(path): Invalid value: must be a list") }
        var nodes: [SchemaNode] = []
        for (i, sub) in schemas.enumerated() {
            nodes.append(try SchemaNode(sub, path: "\(path)[\(i)]", context: context))
        }
        return nodes
    }
}

/// Where a schema node sits, for the rules that depend on it.
struct SchemaContext: Sendable {
    var isRoot: Bool
    /// Inside `allOf`/`anyOf`/`oneOf`/`not`: only value validations are allowed.
    var inValueValidation: Bool
    /// Whether an old value can be matched to this node on update (not below a non-map list).
    var correlatable: Bool

    static let root = SchemaContext(isRoot: true, inValueValidation: false, correlatable: true)

    func nested() -> SchemaContext {
        SchemaContext(isRoot: false, inValueValidation: inValueValidation, correlatable: correlatable)
    }

    func correlating(_ value: Bool) -> SchemaContext {
        var copy = self
        copy.correlatable = value
        return copy
    }

    func valueValidation() -> SchemaContext {
        SchemaContext(isRoot: false, inValueValidation: true, correlatable: correlatable)
    }
}

/// Typed access to schema keywords with path-qualified errors.
struct KeywordReader {
    let schema: JSONObject
    let path: String

    private func wrong(_ key: String, _ expected: String) -> SchemaError {
        SchemaError("\(path).\(key): Invalid value: must be \(expected), got \(schema[key]?.typeName ?? "nothing")")
    }

    func string(_ key: String) throws(SchemaError) -> String? {
        guard let value = schema[key] else { return nil }
        guard let s = value.stringValue else { throw wrong(key, "a string") }
        return s
    }

    func bool(_ key: String) throws(SchemaError) -> Bool? {
        guard let value = schema[key] else { return nil }
        guard let b = value.boolValue else { throw wrong(key, "a boolean") }
        return b
    }

    func number(_ key: String) throws(SchemaError) -> Double? {
        guard let value = schema[key] else { return nil }
        guard let d = value.doubleValue else { throw wrong(key, "a number") }
        return d
    }

    func count(_ key: String) throws(SchemaError) -> Int? {
        guard let value = schema[key] else { return nil }
        guard let i = value.intValue, i >= 0 else { throw wrong(key, "a non-negative integer") }
        return Int(i)
    }

    func array(_ key: String) throws(SchemaError) -> [JSONValue]? {
        guard let value = schema[key] else { return nil }
        guard let a = value.arrayValue else { throw wrong(key, "a list") }
        return a
    }

    func strings(_ key: String) throws(SchemaError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var out: [String] = []
        for item in items {
            guard let s = item.stringValue else { throw wrong(key, "a list of strings") }
            out.append(s)
        }
        return out
    }
}
