import Unstructured

/// A compiled `openAPIV3Schema` of one CRD version: defaulting, pruning and validation (OpenAPI keywords,
/// Kubernetes extensions and `x-kubernetes-validations` CEL rules) as the API server applies them to
/// custom resources.
public struct StructuralSchema: Sendable {
    let root: SchemaNode

    /// Compiles the schema once per CRD version. Throws for schemas the API server rejects (not structural,
    /// forbidden keywords, invalid defaults) and for what KubeSim cannot enforce (unparsable `pattern`, CEL
    /// outside the supported subset), naming the schema path and the reason.
    public init(openAPIV3Schema: JSONValue) throws(SchemaError) {
        root = try SchemaNode(openAPIV3Schema, path: "openAPIV3Schema", context: .root)
    }

    /// Applies `default` values recursively (root `metadata` is left alone).
    public func applyDefaults(to object: JSONValue) -> JSONValue {
        root.applyDefaults(object, isRoot: true)
    }

    /// Drops unknown fields; root `apiVersion`, `kind` and `metadata` are always kept.
    public func prune(_ object: JSONValue) -> JSONValue {
        root.prune(object, isRoot: true)
    }

    /// Validates `object` (already defaulted and pruned). `old` is the stored object on update, for transition
    /// rules (`oldSelf`). Root metadata is not validated here. CEL rules are skipped, with one error saying so,
    /// when the object has type or enum errors, as the API server does.
    public func validate(_ object: JSONValue, old: JSONValue?) -> [FieldError] {
        var errors: [FieldError] = []
        root.validateValue(object, path: "", errors: &errors, isRoot: true)
        if errors.contains(where: { $0.type == .typeInvalid || $0.type == .notSupported }) {
            errors.append(FieldError(field: "", type: .invalid, badValue: .null,
                detail: "some validation rules were not checked because the object was invalid; "
                    + "correct the existing errors to complete validation"))
            return errors
        }
        root.validateRules(object, old: old, path: "", errors: &errors, isRoot: true)
        return errors
    }
}
