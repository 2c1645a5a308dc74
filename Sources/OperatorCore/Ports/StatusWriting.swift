public import KubeModel

/// Writes the `status` subresource only (controller-runtime's `SubResourceWriter` for status), so a status
/// write can never change spec or metadata.
public protocol StatusWriting: Sendable {
    /// Replaces an object's status; a stale `metadata.resourceVersion` fails with a conflict.
    func updateStatus<T: HasStatus>(_ object: T, options: WriteOptions) async throws -> T

    /// Patches an object's status and returns the object.
    func patchStatus<T: HasStatus>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, options: WriteOptions
    ) async throws -> T
}
