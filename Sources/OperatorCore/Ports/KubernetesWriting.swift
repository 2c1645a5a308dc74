public import KubeModel

/// Creates, replaces, patches and deletes objects (controller-runtime's `client.Writer`). Status is written
/// through `StatusWriting` instead.
public protocol KubernetesWriting: Sendable {
    /// Creates an object (its `metadata.name`, or `generateName` for a server-chosen name) and returns it as
    /// stored; `namespace` nil uses the object's namespace, then the adapter's default.
    func create<T: KubernetesObject>(_ object: T, namespace: String?, options: WriteOptions) async throws -> T

    /// Replaces an object; a stale `metadata.resourceVersion` fails with a conflict.
    func update<T: KubernetesObject>(_ object: T, options: WriteOptions) async throws -> T

    /// Patches an object, or one of its subresources, and returns the result.
    func patch<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, subresource: String?,
        options: WriteOptions
    ) async throws -> T

    /// Deletes an object; returns it while deletion is pending (finalizers, grace period), nil once gone.
    func delete<T: KubernetesObject>(
        _ type: T.Type, name: String, namespace: String?, options: DeleteOptions
    ) async throws -> T?
}
