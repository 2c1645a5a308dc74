public import KubeModel
public import OperatorCore

extension KubeClient {
    /// The namespace a call on `T` uses: the given one, else the client's default; nil for cluster-scoped kinds.
    func namespace<T: KubernetesObject>(for _: T.Type, _ namespace: String?) -> String? {
        T.isNamespaced ? (namespace ?? defaultNamespace) : nil
    }

    /// Reads one object.
    public func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        let path = T.resource.path(namespace: self.namespace(for: T.self, namespace), name: name)
        let response = try await execute(APIRequest(method: .get, path: path))
        return try decodeObject(T.self, response.body)
    }

    /// Lists one page of objects; `namespace` nil lists across all namespaces.
    public func list<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions()
    ) async throws -> ObjectList<T> {
        let path = T.resource.path(namespace: T.isNamespaced ? namespace : nil)
        let response = try await execute(APIRequest(method: .get, path: path, query: options.query))
        return try JSONCoding.decodeResponse(ObjectList<T>.self, from: response.body)
    }

    /// Lists every object, following continue tokens page by page (`pageSize` per request). If a continue
    /// token expires mid-way, it falls back to one unpaginated list, as client-go's pager does.
    public func listAll<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions(), pageSize: Int = 500
    ) async throws -> ObjectList<T> {
        var pageOptions = options
        pageOptions.limit = pageSize
        var result = try await list(T.self, namespace: namespace, options: pageOptions)
        while let token = result.metadata.continueToken, !token.isEmpty {
            pageOptions.continueToken = token
            let page: ObjectList<T>
            do {
                page = try await list(T.self, namespace: namespace, options: pageOptions)
            } catch let error as KubeAPIError where error.isResourceExpired {
                logger.debug("Continue token expired; listing without pagination", metadata: ["resource": "\(T.resource)"])
                var full = options
                full.limit = nil
                full.continueToken = nil
                return try await list(T.self, namespace: namespace, options: full)
            }
            result.items += page.items
            result.metadata.continueToken = page.metadata.continueToken
            result.metadata.remainingItemCount = page.metadata.remainingItemCount
        }
        return result
    }

    /// Creates an object (its `metadata.name`, or `generateName` for a server-chosen name).
    public func create<T: KubernetesObject>(
        _ object: T, namespace: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws -> T {
        var object = object
        object.fillTypeMeta()
        let path = T.resource.path(namespace: self.namespace(for: T.self, namespace ?? object.metadata.namespace))
        let body = try encodeObject(object)
        let response = try await execute(APIRequest(
            method: .post, path: path, query: options.query, body: body, contentType: "application/json"))
        return try decodeObject(T.self, response.body)
    }

    /// Replaces an object. With `metadata.resourceVersion` set, a concurrent change fails with a conflict
    /// (`KubeAPIError.isConflict`) instead of being overwritten. Fields `T` does not model are dropped by a
    /// replace: prefer `patch` for objects other controllers also write.
    public func update<T: KubernetesObject>(_ object: T, options: WriteOptions = WriteOptions()) async throws -> T {
        try await replace(object, subresource: nil, options: options)
    }

    /// Replaces an object's status through the `status` subresource.
    public func updateStatus<T: HasStatus>(_ object: T, options: WriteOptions = WriteOptions()) async throws -> T {
        try await replace(object, subresource: "status", options: options)
    }

    private func replace<T: KubernetesObject>(_ object: T, subresource: String?, options: WriteOptions) async throws -> T {
        var object = object
        object.fillTypeMeta()
        guard let name = object.metadata.name, !name.isEmpty else {
            throw KubeClientError.configuration("cannot update a \(T.kind) without metadata.name")
        }
        let path = T.resource.path(
            namespace: self.namespace(for: T.self, object.metadata.namespace), name: name, subresource: subresource)
        let response = try await execute(APIRequest(
            method: .put, path: path, query: options.query, body: try encodeObject(object),
            contentType: "application/json"))
        return try decodeObject(T.self, response.body)
    }

    /// Patches an object (or a subresource such as `status`) and returns the result.
    public func patch<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String? = nil, patch: Patch, subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> T {
        let path = T.resource.path(
            namespace: self.namespace(for: T.self, namespace), name: name, subresource: subresource)
        let response = try await execute(APIRequest(
            method: .patch, path: path, query: options.query + patch.query, body: patch.body,
            contentType: patch.contentType))
        return try decodeObject(T.self, response.body)
    }

    /// Deletes an object. Returns the object when the server returns it (deletion pending on finalizers or
    /// graceful termination), nil when it answered with a success Status.
    @discardableResult
    public func delete<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()
    ) async throws -> T? {
        let path = T.resource.path(namespace: self.namespace(for: T.self, namespace), name: name)
        var options = options
        options.kind = options.kind ?? "DeleteOptions"
        options.apiVersion = options.apiVersion ?? "v1"
        let response = try await execute(APIRequest(
            method: .delete, path: path, body: try JSONCoding.encode(options), contentType: "application/json"))
        if let status = try? JSONCoding.decode(Status.self, from: response.body), status.kind == "Status" {
            return nil
        }
        return try decodeObject(T.self, response.body)
    }

    /// Deletes every object matching `listOptions`' selectors.
    public func deleteCollection<T: KubernetesObject>(
        _ type: T.Type, namespace: String? = nil, listOptions: ListOptions = ListOptions(),
        options: DeleteOptions = DeleteOptions()
    ) async throws {
        let path = T.resource.path(namespace: self.namespace(for: T.self, namespace))
        var options = options
        options.kind = options.kind ?? "DeleteOptions"
        options.apiVersion = options.apiVersion ?? "v1"
        _ = try await execute(APIRequest(
            method: .delete, path: path, query: listOptions.query, body: try JSONCoding.encode(options),
            contentType: "application/json"))
    }

    // MARK: Subresources

    /// Reads the `scale` subresource.
    public func scale<T: Scalable>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> Scale {
        let path = T.resource.path(namespace: self.namespace(for: T.self, namespace), name: name, subresource: "scale")
        let response = try await execute(APIRequest(method: .get, path: path))
        return try JSONCoding.decodeResponse(Scale.self, from: response.body)
    }

    /// Sets the replica count through the `scale` subresource (a merge patch, so no read is needed).
    @discardableResult
    public func setReplicas<T: Scalable>(
        _ type: T.Type, name: String, namespace: String? = nil, replicas: Int
    ) async throws -> Scale {
        let path = T.resource.path(namespace: self.namespace(for: T.self, namespace), name: name, subresource: "scale")
        let patch = Patch.merge(["spec": ["replicas": .int(Int64(replicas))]])
        let response = try await execute(APIRequest(
            method: .patch, path: path, body: patch.body, contentType: patch.contentType))
        return try JSONCoding.decodeResponse(Scale.self, from: response.body)
    }

    /// Evicts a pod through the eviction subresource, which honours PodDisruptionBudgets: a budget that
    /// forbids it answers 429 (`KubeAPIError.isTooManyRequests`); callers retry later.
    public func evict(podName: String, namespace: String? = nil, options: DeleteOptions? = nil) async throws {
        let namespace = namespace ?? defaultNamespace
        let eviction = Eviction(podName: podName, namespace: namespace, deleteOptions: options)
        let path = Pod.resource.path(namespace: namespace, name: podName, subresource: "eviction")
        var request = APIRequest(
            method: .post, path: path, body: try JSONCoding.encode(eviction), contentType: "application/json")
        // A budget's refusal is a 429 that waiting a second will not fix; surface it to the caller.
        request.retryTooManyRequests = false
        _ = try await execute(request)
    }

    // MARK: Coding

    func decodeObject<T: KubernetesObject>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        var object = try JSONCoding.decodeResponse(T.self, from: body)
        object.fillTypeMeta()
        return object
    }

    func encodeObject<T: KubernetesObject>(_ object: T) throws -> [UInt8] {
        do {
            return try JSONCoding.encode(object)
        } catch {
            throw KubeClientError.decoding("encoding \(T.kind) failed: \(error)")
        }
    }
}
