public import Unstructured

extension KubeClient {
    /// Binds a pod that names no node to `node` (`POST pods/{name}/binding`, a core/v1 `Binding`), as a
    /// scheduler does. With `uid`, a pod re-created under the same name is not bound by mistake (409).
    public func bind(pod name: String, namespace: String, uid: String? = nil, to node: String) async throws {
        var metadata: JSONObject = ["name": .string(name), "namespace": .string(namespace)]
        if let uid { metadata["uid"] = .string(uid) }
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding", "metadata": .object(metadata),
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)],
        ]
        let pods = ResourceDescriptor(group: "", version: "v1", resource: "pods", namespaced: true)
        let request = APIRequest(
            method: .post, path: pods.path(namespace: namespace, name: name, subresource: "binding"),
            body: binding.jsonBytes(), contentType: "application/json")
        _ = try await execute(request)
    }
}
