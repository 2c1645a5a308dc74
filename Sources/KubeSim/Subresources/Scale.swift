import Unstructured

extension KubeSimCore {
    func scalePaths(_ info: ResourceInfo) -> ScalePaths? {
        if let custom = info.custom { return custom.scale }
        guard info.subresources.contains("scale") else { return nil }
        return ScalePaths(
            specReplicasPath: ["spec", "replicas"], statusReplicasPath: ["status", "replicas"],
            labelSelectorPath: nil)
    }

    /// The autoscaling/v1 Scale view of an object.
    func scaleObject(_ info: ResourceInfo, _ obj: StoredObject) -> JSONValue {
        let paths = scalePaths(info)!
        let v = obj.value
        var meta: JSONObject = ["name": .string(obj.name)]
        if !obj.namespace.isEmpty { meta["namespace"] = .string(obj.namespace) }
        meta["uid"] = .string(obj.uid)
        meta["resourceVersion"] = .string(String(obj.rv))
        meta["creationTimestamp"] = v[path: ["metadata", "creationTimestamp"]] ?? .null
        var status: JSONObject = ["replicas": .int(v[path: paths.statusReplicasPath]?.intValue ?? 0)]
        if let selPath = paths.labelSelectorPath {
            if let sel = v[path: selPath]?.stringValue { status["selector"] = .string(sel) }
        } else if let sel = LabelSelector.format(v[path: ["spec", "selector"]]) {
            status["selector"] = .string(sel)
        }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(meta),
            "spec": ["replicas": .int(v[path: paths.specReplicasPath]?.intValue ?? 0)], "status": .object(status),
        ]
    }

    func getScale(_ info: ResourceInfo, namespace: String, name: String) throws -> APIResponse {
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        guard let obj = store.state.withLock({ $0.get(info.id, key) }) else {
            throw APIError.notFound(info, name: name)
        }
        return .json(200, scaleObject(info, obj))
    }

    func updateScale(_ info: ResourceInfo, namespace: String, name: String, request: APIRequest) throws -> APIResponse {
        try writeScale(
            info, namespace: namespace, name: name, options: WriteOptions(request),
            try scaleChange(request, patch: false))
    }

    func patchScale(_ info: ResourceInfo, namespace: String, name: String, request: APIRequest) throws -> APIResponse {
        try writeScale(
            info, namespace: namespace, name: name, options: WriteOptions(request),
            try scaleChange(request, patch: true))
    }

    /// What a PUT (the body) or PATCH (the patch applied to the current Scale) of `scale` makes of the Scale.
    func scaleChange(_ request: APIRequest, patch: Bool) throws -> @Sendable (JSONValue) throws -> JSONValue {
        guard patch else {
            let body = try request.jsonBody()
            return { _ in body }
        }
        let ct = request.contentType
        guard let type = PatchType(rawValue: ct), type != .apply else {
            throw APIError.unsupportedMediaType(
                ct, accepted: [PatchType.json.rawValue, PatchType.merge.rawValue, PatchType.strategic.rawValue])
        }
        let patchBody = try parsePatchBody(request)
        let scaleInfo = ResourceInfo(
            group: "autoscaling", version: "v1", kind: "Scale", plural: "scale", namespaced: true)
        return { current in try self.applyPatch(type, patchBody, to: current, info: scaleInfo) }
    }

    private func writeScale(
        _ info: ResourceInfo, namespace: String, name: String, options: WriteOptions,
        _ makeScale: (JSONValue) throws -> JSONValue
    ) throws -> APIResponse {
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        let updated = try store.locked { s in
            guard let old = s.get(info.id, key) else { throw APIError.notFound(info, name: name) }
            let new = try self.scaledObject(
                info, old: old, scale: try makeScale(self.scaleObject(info, old)), name: name)
            return try self.applyUpdate(
                &s, info, old: old, candidate: new, options: options, mode: .main, requireResourceVersion: false)
        }
        return .json(200, scaleObject(info, updated))
    }

    /// The stored object with the replicas of a new Scale (422 without valid replicas, 409 on a stale
    /// resourceVersion).
    func scaledObject(_ info: ResourceInfo, old: StoredObject, scale: JSONValue, name: String) throws -> JSONValue {
        let paths = scalePaths(info)!
        guard let replicas = scale[path: ["spec", "replicas"]]?.intValue else {
            throw APIError.invalid(
                kind: "Scale", group: "autoscaling", name: name, errors: [.required("spec.replicas")])
        }
        if replicas < 0 {
            throw APIError.invalid(
                kind: "Scale", group: "autoscaling", name: name,
                errors: [.invalid("spec.replicas", value: .int(replicas), "must be greater than or equal to 0")])
        }
        let rv = scale[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if !rv.isEmpty && rv != String(old.rv) {
            throw APIError.conflict(info, name: name, APIError.modifiedMessage)
        }
        var new = old.value
        new[path: paths.specReplicasPath] = .int(replicas)
        new[path: ["metadata", "resourceVersion"]] = nil
        return new
    }
}
