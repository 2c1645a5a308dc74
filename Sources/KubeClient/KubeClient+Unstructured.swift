public import HTTPTransport
public import KubeModel
public import OperatorCore
public import Unstructured

/// Verbs on objects as `JSONValue` trees, addressed by `ResourceDescriptor`: for custom resources and
/// for callers that must keep every field of an object, modelled or not.
extension KubeClient {
    /// Reads one object.
    public func get(_ resource: ResourceDescriptor, name: String, namespace: String? = nil) async throws -> JSONValue {
        let path = resource.path(namespace: scope(resource, namespace), name: name)
        return try parse(try await execute(APIRequest(method: .get, path: path)).body)
    }

    /// Lists one page; the result is the list object (`items`, `metadata.continue`, `metadata.resourceVersion`).
    public func list(
        _ resource: ResourceDescriptor, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> JSONValue {
        let path = resource.path(namespace: resource.isNamespaced ? namespace : nil)
        return try parse(try await execute(APIRequest(method: .get, path: path, query: options.query)).body)
    }

    /// Creates an object.
    public func create(
        _ resource: ResourceDescriptor, _ object: JSONValue, namespace: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        let path = resource.path(namespace: scope(resource, namespace ?? object[path: ["metadata", "namespace"]]?.stringValue))
        let request = APIRequest(
            method: .post, path: path, query: options.query, body: object.jsonBytes(), contentType: "application/json")
        return try parse(try await execute(request).body)
    }

    /// Replaces an object (or its `status` with `subresource: "status"`); a stale `metadata.resourceVersion`
    /// fails with a conflict.
    public func update(
        _ resource: ResourceDescriptor, _ object: JSONValue, subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        guard let name = object[path: ["metadata", "name"]]?.stringValue, !name.isEmpty else {
            throw KubeClientError.configuration("cannot update an object without metadata.name")
        }
        let namespace = scope(resource, object[path: ["metadata", "namespace"]]?.stringValue)
        let path = resource.path(namespace: namespace, name: name, subresource: subresource)
        let request = APIRequest(
            method: .put, path: path, query: options.query, body: object.jsonBytes(), contentType: "application/json")
        return try parse(try await execute(request).body)
    }

    /// Patches an object or one of its subresources.
    public func patch(
        _ resource: ResourceDescriptor, name: String, namespace: String? = nil, patch: Patch,
        subresource: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        let path = resource.path(namespace: scope(resource, namespace), name: name, subresource: subresource)
        let request = APIRequest(
            method: .patch, path: path, query: options.query + patch.query, body: patch.body,
            contentType: patch.contentType)
        return try parse(try await execute(request).body)
    }

    /// Deletes an object; returns what the server answered (the object, or a Status).
    @discardableResult
    public func delete(
        _ resource: ResourceDescriptor, name: String, namespace: String? = nil,
        options: DeleteOptions = DeleteOptions()
    ) async throws -> JSONValue {
        let path = resource.path(namespace: scope(resource, namespace), name: name)
        var options = options
        options.kind = options.kind ?? "DeleteOptions"
        options.apiVersion = options.apiVersion ?? "v1"
        let request = APIRequest(
            method: .delete, path: path, body: try JSONCoding.encode(options), contentType: "application/json")
        return try parse(try await execute(request).body)
    }

    // MARK: Discovery and raw paths

    /// GETs any API path (`/version`, `/apis`, `/apis/apps/v1`) and parses the JSON answer.
    public func getRaw(path: String, query: [(String, String)] = []) async throws -> JSONValue {
        try parse(try await execute(APIRequest(method: .get, path: path, query: query)).body)
    }

    /// The server's version (`/version`): `gitVersion`, `major`, `minor`, …
    public func serverVersion() async throws -> JSONValue {
        try await getRaw(path: "/version")
    }

    /// Calls the kubelet of `node` through the API server's node proxy
    /// (`/api/v1/nodes/{node}/proxy/{path}`), e.g. the checkpoint API:
    /// `nodeProxy(node: "n1", method: .post, path: "checkpoint/ns/pod/container")`.
    /// A non-2xx answer throws `KubeAPIError` with the kubelet's message.
    public func nodeProxy(
        node: String, method: HTTPMethod = .get, path: String, query: [(String, String)] = [],
        body: [UInt8]? = nil, contentType: String? = nil, timeout: Duration = .seconds(300)
    ) async throws -> HTTPResponse {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        let fullPath = Node.resource.path(namespace: nil, name: node, subresource: "proxy") + "/" + PathEscaping.path(trimmed)
        var request = APIRequest(method: method, path: fullPath, query: query, body: body, contentType: contentType)
        request.accept = "*/*"
        request.timeoutOverride = timeout
        return try await execute(request)
    }

    private func scope(_ resource: ResourceDescriptor, _ namespace: String?) -> String? {
        resource.isNamespaced ? (namespace ?? defaultNamespace) : nil
    }

    private func parse(_ body: [UInt8]) throws -> JSONValue {
        do {
            return try JSONValue.parse(body)
        } catch {
            throw KubeClientError.decoding("\(error)")
        }
    }
}
