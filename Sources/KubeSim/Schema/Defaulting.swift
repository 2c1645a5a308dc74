import Unstructured

extension SchemaNode {
    /// Applies `default`s as the API server's structural defaulting does: a missing property (or a `null` in a
    /// non-nullable one) with a default gets a copy of it, then every known member is defaulted recursively,
    /// including array items and `additionalProperties` values. Defaults apply only inside existing objects.
    func applyDefaults(_ value: JSONValue, isRoot: Bool) -> JSONValue {
        switch value {
        case .object(var object):
            for name in propertyOrder {
                guard let property = properties[name], let defaultValue = property.defaultValue else { continue }
                if isRoot && rootManagedFields.contains(name) { continue }
                if object[name] == nil || property.isNonNullableNull(object[name]) {
                    object[name] = defaultValue
                }
            }
            for (key, member) in object {
                if isRoot && rootManagedFields.contains(key) { continue }
                if let property = properties[key] {
                    object[key] = property.applyDefaults(member, isRoot: false)
                } else if case .schema(let schema) = additionalProperties {
                    let filled = schema.isNonNullableNull(member) ? schema.defaultValue ?? member : member
                    object[key] = schema.applyDefaults(filled, isRoot: false)
                }
            }
            return .object(object)
        case .array(let items):
            guard let itemSchema = self.items else { return value }
            return .array(items.map { item in
                let filled = itemSchema.isNonNullableNull(item) ? itemSchema.defaultValue ?? item : item
                return itemSchema.applyDefaults(filled, isRoot: false)
            })
        default:
            return value
        }
    }

    /// A `null` where the schema has a default and does not allow null: the API server defaults it.
    func isNonNullableNull(_ value: JSONValue?) -> Bool {
        guard let value, value.isNull else { return false }
        return !nullable && defaultValue != nil
    }

    /// Drops object members the schema does not declare, unless `x-kubernetes-preserve-unknown-fields` (or
    /// `additionalProperties: true`) keeps them. Root `apiVersion`, `kind` and `metadata` are always kept, as are
    /// those of an `x-kubernetes-embedded-resource`.
    func prune(_ value: JSONValue, isRoot: Bool) -> JSONValue {
        switch value {
        case .object(let object):
            var out = JSONObject()
            for (key, member) in object {
                if let property = properties[key], !(isRoot && rootManagedFields.contains(key)) {
                    out[key] = property.prune(member, isRoot: false)
                } else if (isRoot || embeddedResource) && rootManagedFields.contains(key) {
                    out[key] = member
                } else if case .schema(let schema) = additionalProperties {
                    out[key] = schema.prune(member, isRoot: false)
                } else if keepsUnknownFields {
                    out[key] = member
                }
            }
            return .object(out)
        case .array(let items):
            guard let itemSchema = self.items else { return value }
            return .array(items.map { itemSchema.prune($0, isRoot: false) })
        default:
            return value
        }
    }
}
