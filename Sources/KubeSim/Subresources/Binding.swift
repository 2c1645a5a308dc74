import Unstructured

extension KubeSimCore {
    /// POST pods/{name}/binding: assigns the pod to a node (sets spec.nodeName); 409 when already bound.
    func bindPod(namespace: String, name: String, request: APIRequest) throws -> APIResponse {
        try performBinding(
            namespace: namespace, name: name, binding: try request.jsonBody(), options: WriteOptions(request))
    }

    /// The binding proper, after admission.
    func performBinding(namespace: String, name: String, binding body: JSONValue, options: WriteOptions) throws
        -> APIResponse
    {
        let info = BuiltinResources.pods
        guard let node = body[path: ["target", "name"]]?.stringValue, !node.isEmpty else {
            throw APIError.invalid(kind: "Binding", group: "", name: name, errors: [.required("target.name")])
        }
        if let kind = body[path: ["target", "kind"]]?.stringValue, !kind.isEmpty, kind != "Node" {
            throw APIError.invalid(
                kind: "Binding", group: "", name: name,
                errors: [.invalid("target.kind", value: .string(kind), "must be empty or 'Node'")])
        }
        try store.locked { s in
            guard let old = s.get(info.id, "\(namespace)/\(name)") else { throw APIError.notFound(info, name: name) }
            if let uid = body[path: ["metadata", "uid"]]?.stringValue, !uid.isEmpty, uid != old.uid {
                throw APIError.conflict(
                    info, name: name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(old.uid)"
                )
            }
            if old.value.isDeleting {
                throw APIError(
                    code: 409, reason: "Conflict",
                    message: "Operation cannot be fulfilled on pods/binding \"\(name)\": pod \(name) is being "
                        + "deleted, cannot be assigned to a host",
                    details: ["name": .string(name), "kind": "pods/binding"])
            }
            if let current = old.value[path: ["spec", "nodeName"]]?.stringValue, !current.isEmpty {
                throw APIError(
                    code: 409, reason: "Conflict",
                    message: "Operation cannot be fulfilled on pods/binding \"\(name)\": pod \(name) is already "
                        + "assigned to node \"\(current)\"",
                    details: ["name": .string(name), "kind": "pods/binding"])
            }
            var new = old.value
            new[path: ["spec", "nodeName"]] = .string(node)
            if let annotations = body[path: ["metadata", "annotations"]]?.objectValue {
                for (k, v) in annotations { new[path: ["metadata", "annotations", k]] = v }
            }
            var conditions = new[path: ["status", "conditions"]]?.arrayValue ?? []
            conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
            conditions.append([
                "type": "PodScheduled", "status": "True", "lastProbeTime": .null,
                "lastTransitionTime": .string(Sim.timestamp()),
            ])
            new[path: ["status", "conditions"]] = .array(conditions)
            if options.dryRun { return }
            _ = try self.applyUpdate(
                &s, info, old: old, candidate: new, options: options, mode: .fixture, requireResourceVersion: false)
        }
        return .json(201, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
    }
}
