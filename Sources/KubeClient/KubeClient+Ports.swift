public import KubeModel
public import OperatorCore

/// `KubeClient` is the production adapter of the operator's Kubernetes ports: its verbs already have the ports'
/// shape and take the ports' option values; only the status patch is spelled out here.
extension KubeClient: KubernetesAPI {
    public func patchStatus<T: HasStatus>(
        _ type: T.Type, name: String, namespace: String?, patch: Patch, options: WriteOptions
    ) async throws -> T {
        try await self.patch(
            T.self, name: name, namespace: namespace, patch: patch, subresource: "status", options: options)
    }
}

/// Errors answered by the server classify through `KubernetesErrors` (`isNotFound`, `isConflict`, …).
extension KubeAPIError: KubernetesStatusError {}
