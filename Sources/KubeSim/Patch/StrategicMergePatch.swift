import Unstructured

/// Strategic merge patch (`application/strategic-merge-patch+json`), as k8s.io/apimachinery's strategicpatch
/// applies it on the server: lists declared `patchStrategy: merge` merge by their merge key (or as ordered sets
/// of primitives), other lists replace, objects merge, `null` deletes, and the `$patch`,
/// `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` and `$retainKeys` directives apply.
public enum StrategicMergePatch {
    static let directive = "$patch"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"
    static let setElementOrderPrefix = "$setElementOrder/"
    static let retainKeys = "$retainKeys"

    /// Applies `patch` (a JSON object) to `target` using the kind's `schema`.
    public static func apply(
        _ patch: JSONValue, to target: JSONValue, schema: StrategicMergeSchema
    ) throws(PatchError) -> JSONValue {
        guard case .object(let patchObject) = patch else {
            throw PatchError("a strategic merge patch must be a JSON object, got \(patch.typeName)")
        }
        let original = target.objectValue ?? JSONObject()
        if patchObject[directive] == "delete" {
            return .object(JSONObject())
        }
        return .object(try mergeMap(original, patchObject, schema: schema))
    }

    // MARK: - Maps

    static func mergeMap(
        _ original: JSONObject, _ patch: JSONObject, schema: StrategicMergeSchema?
    ) throws(PatchError) -> JSONObject {
        var patch = patch
        var original = original
        if let value = patch[directive] {
            switch value {
            case "replace":
                patch.removeValue(forKey: directive)
                // Replace: the patch is the new value; still resolve its own directives and drop nulls.
                return try mergeMap(JSONObject(), patch, schema: schema)
            case "delete":
                return JSONObject()
            case "merge":
                patch.removeValue(forKey: directive)
            default:
                throw PatchError(
                    "unknown patch type: \(value.jsonString()) in map: \(JSONValue.object(patch).jsonString())")
            }
        }
        if let retain = patch.removeValue(forKey: retainKeys) {
            guard case .array(let names) = retain, names.allSatisfy({ $0.stringValue != nil }) else {
                throw PatchError("\(retainKeys) must be a list of strings, got \(retain.jsonString())")
            }
            let keep = Set(names.compactMap(\.stringValue))
            original = original.filter { keep.contains($0.key) }
        }
        try applySetElementOrder(&original, &patch, schema: schema)

        for (key, patchValue) in patch {
            if key.hasPrefix(setElementOrderPrefix) { continue }
            if key.hasPrefix(deleteFromPrimitiveListPrefix) {
                let field = String(key.dropFirst(deleteFromPrimitiveListPrefix.count))
                guard case .array(let toDelete) = patchValue else {
                    throw PatchError("\(key) must be a list, got \(patchValue.jsonString())")
                }
                if case .array(let current) = original[field] {
                    original[field] = .array(current.filter { !toDelete.contains($0) })
                }
                continue
            }
            if patchValue.isNull {
                original.removeValue(forKey: key)
                continue
            }
            let field = schema?.field(key)
            switch (original[key], patchValue) {
            case (.object(let originalChild), .object(let patchChild)):
                if field?.strategy == .replace {
                    original[key] = .object(try mergeMap(JSONObject(), patchChild, schema: field?.schema))
                } else {
                    original[key] = .object(try mergeMap(originalChild, patchChild, schema: field?.schema))
                }
            case (.array(let originalList), .array(let patchList)):
                original[key] = .array(try mergeList(originalList, patchList, field: field, name: key))
            default:
                // New key, scalar, or a type change: take the patch value without its directives and nulls.
                original[key] = try fresh(patchValue, field: field, name: key)
            }
        }
        return original
    }

    /// A patch value with nothing to merge into: directives resolved against an empty original.
    static func fresh(
        _ value: JSONValue, field: StrategicMergeSchema.Field?, name: String
    ) throws(PatchError) -> JSONValue {
        switch value {
        case .object(let object):
            if object[directive] == "delete" { return .object(JSONObject()) }
            return .object(try mergeMap(JSONObject(), object, schema: field?.schema))
        case .array(let list):
            return .array(try mergeList([], list, field: field, name: name))
        default:
            return value
        }
    }

    // MARK: - Lists

    static func mergeList(
        _ original: [JSONValue], _ patch: [JSONValue], field: StrategicMergeSchema.Field?, name: String
    ) throws(PatchError) -> [JSONValue] {
        guard let field, field.strategy == .merge else {
            // Replace strategy: the patch list wins, with any directives in its elements resolved.
            return try patch.map { element throws(PatchError) in try fresh(element, field: nil, name: name) }
        }
        if original.isEmpty && patch.isEmpty { return original }
        let objects = (original + patch).allSatisfy { $0.objectValue != nil }
        if !objects {
            guard (original + patch).allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil }) else {
                throw PatchError("list \"\(name)\" mixes objects and other values; cannot merge")
            }
            return mergePrimitives(original, patch)
        }
        guard let mergeKey = field.mergeKey else {
            throw PatchError("cannot merge lists without merge key for \(name)")
        }
        return try mergeObjects(original, patch, mergeKey: mergeKey, schema: field.schema, name: name)
    }

    /// Union of two primitive lists: patch items in patch order, server-only items in their order.
    static func mergePrimitives(_ original: [JSONValue], _ patch: [JSONValue]) -> [JSONValue] {
        var merged: [JSONValue] = []
        for value in original + patch where !merged.contains(value) {
            merged.append(value)
        }
        let patchItems = merged.filter { patch.contains($0) }
        let serverOnly = merged.filter { !patch.contains($0) }
        return ListOrder.mergeSorted(
            serverOnly: serverOnly, patchItems: ListOrder.sorted(patchItems, by: patch, key: nil),
            serverOrder: original, key: nil)
    }

    static func mergeObjects(
        _ original: [JSONValue], _ patch: [JSONValue], mergeKey: String, schema: StrategicMergeSchema?, name: String
    ) throws(PatchError) -> [JSONValue] {
        var current = original
        var plain: [JSONValue] = []
        var replace = false
        for element in patch {
            let object = element.objectValue ?? JSONObject()
            guard let kind = object[directive] else {
                plain.append(element)
                continue
            }
            switch kind {
            case "delete":
                guard let keyValue = object[mergeKey] else {
                    throw PatchError("map: \(element.jsonString()) does not contain declared merge key: \(mergeKey)")
                }
                current.removeAll { $0[mergeKey] == keyValue }
            case "replace":
                replace = true
            case "merge":
                throw PatchError("merging lists cannot yet be specified in the patch")
            default:
                throw PatchError("unknown patch type: \(kind.jsonString()) in map: \(element.jsonString())")
            }
        }
        if replace {
            return try plain.map { element throws(PatchError) in
                .object(try mergeMap(JSONObject(), element.objectValue ?? JSONObject(), schema: schema))
            }
        }
        for element in plain {
            let object = element.objectValue ?? JSONObject()
            guard let keyValue = object[mergeKey] else {
                throw PatchError("map: \(element.jsonString()) does not contain declared merge key: \(mergeKey)")
            }
            if let index = current.firstIndex(where: { $0[mergeKey] == keyValue }) {
                let existing = current[index].objectValue ?? JSONObject()
                current[index] = .object(try mergeMap(existing, object, schema: schema))
            } else {
                current.append(.object(try mergeMap(JSONObject(), object, schema: schema)))
            }
        }
        let patchKeys = plain.compactMap { $0[mergeKey] }
        let patchItems = current.filter { item in patchKeys.contains { $0 == item[mergeKey] } }
        let serverOnly = current.filter { item in !patchKeys.contains { $0 == item[mergeKey] } }
        return ListOrder.mergeSorted(
            serverOnly: serverOnly, patchItems: ListOrder.sorted(patchItems, by: plain, key: mergeKey),
            serverOrder: original, key: mergeKey)
    }

    // MARK: - $setElementOrder

    /// Merges every list that has a `$setElementOrder/<field>` directive and orders the result by it
    /// (precedence: the directive, then the patch list, then the live list); the patch list is consumed.
    static func applySetElementOrder(
        _ original: inout JSONObject, _ patch: inout JSONObject, schema: StrategicMergeSchema?
    ) throws(PatchError) {
        for (key, orderValue) in patch where key.hasPrefix(setElementOrderPrefix) {
            let name = String(key.dropFirst(setElementOrderPrefix.count))
            guard case .array(let order) = orderValue else {
                throw PatchError("\(key) must be a list, got \(orderValue.jsonString())")
            }
            let field = schema?.field(name)
            let mergeKey = field?.mergeKey
            let originalList = original[name]?.arrayValue
            let patchList = patch[name]?.arrayValue
            if original[name] != nil && originalList == nil || patch[name] != nil && patchList == nil {
                throw PatchError("\(key) applies to \"\(name)\", which is not a list")
            }
            try ListOrder.validate(patch: patchList ?? [], order: order, key: mergeKey, name: name)
            let merged: [JSONValue]
            switch (originalList, patchList) {
            case (let o?, nil): merged = o
            case (nil, let p?): merged = try mergeList([], p, field: field, name: name)
            case (let o?, let p?): merged = try mergeList(o, p, field: field, name: name)
            case (nil, nil): continue
            }
            let inOrder: (JSONValue) -> Bool = { item in
                order.contains { ListOrder.same($0, item, key: mergeKey) }
            }
            let ordered = ListOrder.mergeSorted(
                serverOnly: merged.filter { !inOrder($0) },
                patchItems: ListOrder.sorted(merged.filter(inOrder), by: order, key: mergeKey),
                serverOrder: originalList ?? [], key: mergeKey)
            original[name] = .array(ordered)
            patch.removeValue(forKey: name)
        }
    }
}

/// The element-ordering rules of strategicpatch (`normalizeElementOrder` / `mergeSortedSlice`).
enum ListOrder {
    /// Whether two list elements are "the same": equal merge-key values, or equal primitives.
    static func same(_ a: JSONValue, _ b: JSONValue, key: String?) -> Bool {
        guard let key else { return a == b }
        guard let ka = a[key], let kb = b[key] else { return false }
        return ka == kb
    }

    static func position(of item: JSONValue, in list: [JSONValue], key: String?) -> Int? {
        list.firstIndex { same($0, item, key: key) }
    }

    /// `items` stably sorted by their position in `order`.
    static func sorted(_ items: [JSONValue], by order: [JSONValue], key: String?) -> [JSONValue] {
        items.enumerated().sorted { lhs, rhs in
            let l = position(of: lhs.element, in: order, key: key) ?? Int.max
            let r = position(of: rhs.element, in: order, key: key) ?? Int.max
            return l == r ? lhs.offset < rhs.offset : l < r
        }.map(\.element)
    }

    /// Interleaves server-only items into the patch items, keeping both relative orders; a server-only
    /// item goes first only when both are in the live list and it was before the patch item there.
    static func mergeSorted(
        serverOnly: [JSONValue], patchItems: [JSONValue], serverOrder: [JSONValue], key: String?
    ) -> [JSONValue] {
        var result: [JSONValue] = []
        var i = 0
        var j = 0
        while i < serverOnly.count || j < patchItems.count {
            if i >= serverOnly.count {
                result.append(patchItems[j])
                j += 1
            } else if j >= patchItems.count {
                result.append(serverOnly[i])
                i += 1
            } else if let l = position(of: serverOnly[i], in: serverOrder, key: key),
                let r = position(of: patchItems[j], in: serverOrder, key: key), l < r
            {
                result.append(serverOnly[i])
                i += 1
            } else {
                result.append(patchItems[j])
                j += 1
            }
        }
        return result
    }

    /// The patch list's elements (other than directives) must appear in the `$setElementOrder` list in the
    /// same relative order.
    static func validate(patch: [JSONValue], order: [JSONValue], key: String?, name: String) throws(PatchError) {
        let elements = patch.filter { $0[StrategicMergePatch.directive] == nil }
        var p = 0
        var o = 0
        while p < elements.count && o < order.count {
            if same(elements[p], order[o], key: key) { p += 1 }
            o += 1
        }
        if p < elements.count {
            throw PatchError(
                "the order in patch list \(JSONValue.array(patch).jsonString()) doesn't match "
                    + "$setElementOrder/\(name) list \(JSONValue.array(order).jsonString())"
            )
        }
    }
}
