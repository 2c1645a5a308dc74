import Unstructured

/// The patch formats PATCH accepts.
enum PatchType: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}

extension KubeSimCore {
    func acceptedPatchTypes(_ info: ResourceInfo) -> [String] {
        info.isCustom
            ? [PatchType.json.rawValue, PatchType.merge.rawValue, PatchType.apply.rawValue]
            : [
                PatchType.json.rawValue, PatchType.merge.rawValue, PatchType.strategic.rawValue,
                PatchType.apply.rawValue,
            ]
    }

    /// The patch type of a request; 415 for unknown types and for strategic merge patches of custom resources.
    func patchType(_ info: ResourceInfo, _ request: APIRequest) throws -> PatchType {
        let ct = request.contentType
        guard let type = PatchType(rawValue: ct), type != .strategic || !info.isCustom else {
            throw APIError.unsupportedMediaType(ct, accepted: acceptedPatchTypes(info))
        }
        return type
    }

    /// Applies a JSON, merge or strategic merge patch to a value (422 when the patch cannot apply).
    func applyPatch(_ type: PatchType, _ patch: JSONValue, to target: JSONValue, info: ResourceInfo) throws -> JSONValue
    {
        do {
            switch type {
            case .json:
                return try JSONPatch.apply(patch, to: target)
            case .merge:
                guard patch.objectValue != nil else {
                    throw APIError.badRequest("a merge patch must be a JSON object")
                }
                return MergePatch.apply(patch, to: target)
            case .strategic, .apply:
                guard let schema = StrategicMergeSchema.forKind(group: info.group, kind: info.kind) else {
                    return MergePatch.apply(patch, to: target)
                }
                return try StrategicMergePatch.apply(patch, to: target, schema: schema)
            }
        } catch let e as PatchError {
            throw APIError(
                code: 422, reason: "Invalid", message: e.message,
                details: ["name": .string(target.metaName), "kind": .string(info.kind)])
        }
    }

    func parsePatchBody(_ request: APIRequest) throws -> JSONValue {
        do {
            return try request.bodyValue()
        } catch {
            throw APIError.badRequest("error decoding patch: \(error.description)")
        }
    }

    func patchRequest(_ info: ResourceInfo, namespace: String, name: String, request: APIRequest, status: Bool) throws
        -> APIResponse
    {
        let type = try patchType(info, request)
        var options = WriteOptions(request)
        if type == .apply {
            let (code, obj) = try applyRequest(info, namespace: namespace, name: name, request: request, status: status)
            return .bytes(code, objectBytes(obj, info))
        }
        let patch = try parsePatchBody(request)
        if type == .json, patch.arrayValue == nil {
            throw APIError.badRequest("json patch must be an array of operations")
        }
        options.fromFixture = false
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        let updated = try store.locked { s in
            guard let old = s.get(info.id, key) else { throw APIError.notFound(info, name: name) }
            let patched = try self.patchedObject(type, patch, old: old, info: info, namespace: namespace, name: name)
            return try self.applyUpdate(
                &s, info, old: old, candidate: patched, options: options, mode: status ? .status : .main,
                requireResourceVersion: false)
        }
        return .bytes(200, objectBytes(updated, info))
    }

    /// A JSON, merge or strategic merge patch applied to the stored object, with name, namespace and type kept.
    func patchedObject(
        _ type: PatchType, _ patch: JSONValue, old: StoredObject, info: ResourceInfo, namespace: String, name: String
    ) throws -> JSONValue {
        var patched = try applyPatch(type, patch, to: old.value, info: info)
        guard patched.objectValue != nil else {
            throw APIError.badRequest("the patched object is not a JSON object")
        }
        // A patch cannot rename the object or move it (the apiserver's patcher checks both, 400).
        let patchedName = patched[path: ["metadata", "name"]]?.stringValue ?? ""
        if patchedName != name {
            throw APIError.badRequest("the name of the object (\(patchedName)) does not match the name on the URL (\(name))")
        }
        if info.namespaced {
            let patchedNamespace = patched[path: ["metadata", "namespace"]]?.stringValue ?? ""
            if patchedNamespace != namespace {
                throw APIError.badRequest(
                    "the namespace of the object (\(patchedNamespace)) does not match the namespace on the URL (\(namespace))")
            }
        }
        patched["apiVersion"] = old.value["apiVersion"]
        patched["kind"] = old.value["kind"]
        return patched
    }

    /// Server-side apply (simplified): creates the object when absent, else merges the applied configuration
    /// (strategic rules for built-ins, merge patch for custom resources) and records an Apply managedFields entry.
    /// Fields a manager stops applying are not removed, and conflicts between managers are not detected.
    func applyRequest(_ info: ResourceInfo, namespace: String, name: String, request: APIRequest, status: Bool)
        throws -> (Int, StoredObject)
    {
        let (manager, body, av) = try applyConfiguration(info, name: name, request: request)
        var options = WriteOptions(request)
        options.fieldManager = nil
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        for _ in 0..<3 {
            let exists = store.state.withLock { $0.get(info.id, key) != nil }
            if !exists {
                if status { throw APIError.notFound(info, name: name) }
                let obj = appliedNewObject(body, manager: manager, apiVersion: av, name: name)
                do {
                    let created = try createObject(
                        info, namespace: info.namespaced ? namespace : nil, body: obj, options: options)
                    return (201, created)
                } catch let e as APIError where e.reason == "AlreadyExists" {
                    continue
                }
            }
            do {
                let updated = try store.locked { s in
                    guard let old = s.get(info.id, key) else { throw APIError.notFound(info, name: name) }
                    let merged = try self.appliedObject(
                        body, old: old, info: info, namespace: namespace, name: name, manager: manager,
                        apiVersion: av, status: status)
                    return try self.applyUpdate(
                        &s, info, old: old, candidate: merged, options: options, mode: status ? .status : .main,
                        requireResourceVersion: false)
                }
                return (200, updated)
            } catch let e as APIError where e.code == 404 && !status {
                continue
            }
        }
        throw APIError.conflict(info, name: name, APIError.modifiedMessage)
    }

    /// The applied configuration of an apply patch, checked: (field manager, body, apiVersion of the body).
    func applyConfiguration(_ info: ResourceInfo, name: String, request: APIRequest) throws
        -> (manager: String, body: JSONValue, apiVersion: String)
    {
        guard let manager = request.query["fieldManager"], !manager.isEmpty else {
            throw APIError.invalid(
                kind: "PatchOptions", group: "meta.k8s.io", name: "",
                errors: [.required("fieldManager", "is required for apply patch")])
        }
        let body: JSONValue
        do {
            body = try request.bodyValue()
        } catch {
            throw APIError(
                code: 415, reason: "UnsupportedMediaType",
                message: "KubeSim accepts application/apply-patch+yaml bodies written as JSON only (JSON is YAML); "
                    + "this body is not JSON: \(error.description)",
                details: [:])
        }
        guard body.objectValue != nil else {
            throw APIError.badRequest("the applied configuration must be an object")
        }
        guard let av = body["apiVersion"]?.stringValue, !av.isEmpty, let kind = body["kind"]?.stringValue,
            !kind.isEmpty
        else {
            throw APIError.badRequest("invalid object type: apiVersion and kind are required for apply")
        }
        if kind != info.kind
            || (av != info.apiVersion && !registry.versions(of: info.id).contains { $0.apiVersion == av })
        {
            throw APIError.badRequest(
                "the API version or kind in the applied configuration (\(av), \(kind)) does not "
                    + "match the resource (\(info.apiVersion), \(info.kind))")
        }
        if !body.metaName.isEmpty && body.metaName != name {
            throw APIError.badRequest(
                "the name of the object (\(body.metaName)) does not match the name on the URL (\(name))")
        }
        return (manager, body, av)
    }

    /// The object an apply creates when none exists.
    func appliedNewObject(_ body: JSONValue, manager: String, apiVersion: String, name: String) -> JSONValue {
        var obj = body
        obj[path: ["metadata", "name"]] = .string(name)
        ManagedFields.record(&obj, manager: manager, operation: "Apply", apiVersion: apiVersion, applied: body)
        return obj
    }

    /// The applied configuration merged into the stored object, with an Apply managedFields entry.
    func appliedObject(
        _ body: JSONValue, old: StoredObject, info: ResourceInfo, namespace: String, name: String, manager: String,
        apiVersion: String, status: Bool
    ) throws -> JSONValue {
        var merged = try applyPatch(info.isCustom ? .merge : .apply, body, to: old.value, info: info)
        merged[path: ["metadata", "name"]] = .string(name)
        if info.namespaced { merged[path: ["metadata", "namespace"]] = .string(namespace) }
        merged["apiVersion"] = old.value["apiVersion"]
        merged["kind"] = old.value["kind"]
        ManagedFields.record(
            &merged, manager: manager, operation: "Apply", apiVersion: apiVersion, applied: body,
            subresource: status ? "status" : nil)
        return merged
    }
}
