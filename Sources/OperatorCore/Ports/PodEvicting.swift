public import KubeModel

/// Evicts pods through the `pods/eviction` subresource (policy/v1 `Eviction`), which honours
/// PodDisruptionBudgets — unlike a delete.
public protocol PodEvicting: Sendable {
    /// Evicts pod `podName`; `options.preconditions.uid` keeps a same-named successor safe. A budget that
    /// forbids the eviction answers 429 (`KubernetesErrors.isTooManyRequests`), which must reach the caller
    /// unretried: it retries on a later pass. A missing pod answers 404.
    func evict(podName: String, namespace: String?, options: DeleteOptions?) async throws
}
