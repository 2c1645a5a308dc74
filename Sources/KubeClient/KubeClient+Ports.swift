public import KubeModel
public import OperatorCore
import Unstructured

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

extension KubeClient: KubeletCheckpointing {
    public func checkpoint(
        node: String, namespace: String, pod: String, container: String, timeout: Duration
    ) async throws -> [String] {
        let seconds = max(1, Int((Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18).rounded(.up)))
        let response = try await nodeProxy(
            node: node, method: .post, path: "checkpoint/\(namespace)/\(pod)/\(container)",
            query: [("timeout", String(seconds))], timeout: timeout + .seconds(5))
        let value = try JSONValue.parse(response.body)
        guard let items = value["items"]?.arrayValue else {
            throw KubeClientError.decoding("the kubelet's checkpoint reply has no items: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        return items.compactMap(\.stringValue)
    }
}
