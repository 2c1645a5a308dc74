import Unstructured

/// `metadata.managedFields` bookkeeping (simplified: one entry per manager and operation, whose FieldsV1 lists
/// the fields the manager sent; no conflict detection between managers).
enum ManagedFields {
    static func record(
        _ obj: inout JSONValue, manager: String, operation: String, apiVersion: String, applied: JSONValue,
        subresource: String? = nil
    ) {
        var entries = obj[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        entries.removeAll { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation }
        var sent = applied
        sent["apiVersion"] = nil
        sent["kind"] = nil
        if var meta = sent["metadata"]?.objectValue {
            for k in [
                "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName",
            ] {
                meta.removeValue(forKey: k)
            }
            sent["metadata"] = meta.isEmpty ? nil : .object(meta)
        }
        var entry: JSONObject = [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(Sim.timestamp()), "fieldsType": "FieldsV1", "fieldsV1": fieldSet(sent),
        ]
        if let subresource { entry["subresource"] = .string(subresource) }
        entries.append(.object(entry))
        obj[path: ["metadata", "managedFields"]] = .array(entries)
    }

    /// FieldsV1 of a value: `{"f:spec":{"f:replicas":{}}}`; list items of objects with a `name` are `k:{"name":…}`.
    static func fieldSet(_ value: JSONValue) -> JSONValue {
        guard case .object(let o) = value else { return [:] }
        var out: JSONObject = [:]
        for (k, v) in o {
            switch v {
            case .object(let child) where !child.isEmpty:
                out["f:\(k)"] = .object(withDot(fieldSet(v).objectValue ?? [:]))
            case .array(let items) where items.contains(where: { $0["name"]?.stringValue != nil }):
                var list: JSONObject = [".": [:]]
                for item in items {
                    if let name = item["name"]?.stringValue {
                        let sub = withDot(fieldSet(item).objectValue ?? [:])
                        list["k:" + JSONValue.object(["name": .string(name)]).jsonString()] = .object(sub)
                    }
                }
                out["f:\(k)"] = .object(list)
            default:
                out["f:\(k)"] = [:]
            }
        }
        return .object(out)
    }

    private static func withDot(_ sub: JSONObject) -> JSONObject {
        var o: JSONObject = [".": .object([:])]
        for (k, v) in sub { o[k] = v }
        return o
    }
}
