public import KubeModel

/// Reads objects from the Kubernetes API: one by name, or a page of a collection
/// (controller-runtime's `client.Reader`).
public protocol KubernetesReading: Sendable {
    /// Reads one object; `namespace` nil uses the adapter's default namespace for namespaced kinds.
    func get<T: KubernetesObject>(_ type: T.Type, name: String, namespace: String?) async throws -> T

    /// Lists one page of objects; `namespace` nil lists across all namespaces.
    func list<T: KubernetesObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ObjectList<T>
}

extension KubernetesReading {
    /// Lists every object, `pageSize` per request, following continue tokens. When a continue token expires
    /// part-way (410), it falls back to one unpaginated list, as client-go's pager does.
    public func listAll<T: KubernetesObject>(
        _ type: T.Type, namespace: String?, options: ListOptions, pageSize: Int
    ) async throws -> ObjectList<T> {
        var pageOptions = options
        pageOptions.limit = pageSize
        pageOptions.continueToken = nil
        var result = try await list(T.self, namespace: namespace, options: pageOptions)
        while let token = result.metadata.continueToken, !token.isEmpty {
            pageOptions.continueToken = token
            let page: ObjectList<T>
            do {
                page = try await list(T.self, namespace: namespace, options: pageOptions)
            } catch where KubernetesErrors.isResourceExpired(error) {
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
}
