import Unstructured

extension KubeSimCore {
    /// `/api/v1/nodes/{node}/proxy/{path}`: forwarded to the registered handler (the simulated kubelet).
    func nodeProxy(node: String, path: String, request: APIRequest) -> APIResult {
        let exists = store.state.withLock { $0.get(BuiltinResources.nodes.id, node) != nil }
        guard exists else { return .response(.error(.notFound(BuiltinResources.nodes, name: node))) }
        guard let handler = nodeProxyHandler.withLock({ $0 }) else {
            return .response(
                .error(
                    APIError(
                        code: 503, reason: "ServiceUnavailable", message: "no kubelet for node \"\(node)\"",
                        details: ["name": .string(node), "kind": "nodes"])))
        }
        let proxied = NodeProxyRequest(
            node: node, method: request.method, path: path, query: request.query.raw,
            headers: request.headers.map { ($0.name, $0.value) }, body: request.body)
        return .deferred {
            let r = await handler(proxied)
            var response = APIResponse(status: r.status, body: r.body)
            response.contentType =
                r.headers.first { $0.name.lowercased() == "content-type" }?.value ?? "application/octet-stream"
            response.headers = r.headers.filter {
                let n = $0.name.lowercased()
                return n != "content-type" && n != "content-length" && n != "transfer-encoding" && n != "connection"
            }.map { ($0.name, $0.value) }
            return .response(response)
        }
    }

    /// PUT namespaces/{name}/finalize: sets spec.finalizers; a terminating namespace with none left is removed.
    func finalizeNamespace(name: String, request: APIRequest) throws -> APIResponse {
        let body = try request.jsonBody()
        let info = BuiltinResources.namespaces
        let finalizers = body[path: ["spec", "finalizers"]] ?? .array([])
        let result = try store.locked { s -> StoredObject in
            guard let old = s.get(info.id, name) else { throw APIError.notFound(info, name: name) }
            var new = old.value
            new[path: ["spec", "finalizers"]] = finalizers
            if new == old.value { return old }
            if new.isDeleting && (finalizers.arrayValue ?? []).isEmpty && new.metaFinalizers.isEmpty {
                return s.remove(info, old, finalValue: new)
            }
            return s.put(info, new, prev: old)
        }
        return .bytes(200, result.bytes)
    }
}
