import Unstructured

extension KubeSimCore {
    /// `/api/v1/nodes/{node}/proxy/{path}`: forwarded to the registered handler (the simulated kubelet).
    func nodeProxy(node: String, path: String, request: APIRequest) -> APIResult {
        do {
            let handler = try kubeletHandler(node: node)
            return .deferred {
                .response(await self.forwardToKubelet(handler, node: node, path: path, request: request))
            }
        } catch {
            return .response(.error(error))
        }
    }

    /// The simulated kubelet of an existing node (404 without the node, 503 without a handler).
    func kubeletHandler(node: String) throws(APIError) -> @Sendable (NodeProxyRequest) async -> NodeProxyResponse {
        let exists = store.state.withLock { $0.get(BuiltinResources.nodes.id, node) != nil }
        guard exists else { throw .notFound(BuiltinResources.nodes, name: node) }
        guard let handler = nodeProxyHandler.withLock({ $0 }) else {
            throw APIError(
                code: 503, reason: "ServiceUnavailable", message: "no kubelet for node \"\(node)\"",
                details: ["name": .string(node), "kind": "nodes"])
        }
        return handler
    }

    /// Forwards a proxied request to the kubelet and relays its answer.
    func forwardToKubelet(
        _ handler: @Sendable (NodeProxyRequest) async -> NodeProxyResponse, node: String, path: String,
        request: APIRequest
    ) async -> APIResponse {
        let proxied = NodeProxyRequest(
            node: node, method: request.method, path: path, query: request.query.raw,
            headers: request.headers.map { ($0.name, $0.value) }, body: request.body)
        let r = await handler(proxied)
        var response = APIResponse(status: r.status, body: r.body)
        response.contentType =
            r.headers.first { $0.name.lowercased() == "content-type" }?.value ?? "application/octet-stream"
        response.headers = r.headers.filter {
            let n = $0.name.lowercased()
            return n != "content-type" && n != "content-length" && n != "transfer-encoding" && n != "connection"
        }.map { ($0.name, $0.value) }
        return response
    }

    /// PUT namespaces/{name}/finalize: sets spec.finalizers; a terminating namespace with none left is removed.
    func finalizeNamespace(name: String, request: APIRequest) throws -> APIResponse {
        let body = try request.jsonBody()
        let info = BuiltinResources.namespaces
        let result = try store.locked { s -> StoredObject in
            guard let old = s.get(info.id, name) else { throw APIError.notFound(info, name: name) }
            return self.storeFinalized(&s, old: old, new: Self.finalized(old.value, body: body))
        }
        return .bytes(200, result.bytes)
    }

    /// The namespace with the `spec.finalizers` of a finalize body (the only field /finalize changes).
    static func finalized(_ namespace: JSONValue, body: JSONValue) -> JSONValue {
        var new = namespace
        new[path: ["spec", "finalizers"]] = body[path: ["spec", "finalizers"]] ?? .array([])
        return new
    }

    /// Stores a finalized namespace; a terminating namespace with no finalizers left is removed.
    func storeFinalized(_ s: inout StoreState, old: StoredObject, new: JSONValue) -> StoredObject {
        let info = BuiltinResources.namespaces
        if new == old.value { return old }
        if new.isDeleting && (new[path: ["spec", "finalizers"]]?.arrayValue ?? []).isEmpty
            && new.metaFinalizers.isEmpty
        {
            return s.remove(info, old, finalValue: new)
        }
        return s.put(info, new, prev: old)
    }
}
