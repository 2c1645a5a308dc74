import KubeClient
import KubeModel
import KubeSim
import TestSupport

/// Runs `body` against a fresh emulator and a client configured for it (no rate limit, fast retries).
func withEmulator<T>(
    _ configure: (inout KubeSimConfiguration) -> Void = { _ in },
    client adjust: (inout ClientConfiguration) -> Void = { _ in },
    _ body: (KubeSimServer, KubeClient) async throws -> T
) async throws -> T {
    try await withKubeSim(configure) { server in
        var clientConfiguration = ClientConfiguration(
            server: server.baseURL, rateLimit: nil,
            retry: RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(20), maximumDelay: .seconds(2)))
        adjust(&clientConfiguration)
        return try await body(server, KubeClient(configuration: clientConfiguration))
    }
}

func configMap(_ name: String, namespace: String = "default", data: [String: String] = [:], labels: [String: String]? = nil) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, labels: labels), data: data)
}

func pod(_ name: String, node: String? = nil, labels: [String: String]? = nil) -> Pod {
    var spec = PodSpec(containers: [Container(name: "app", image: "registry.local/app:1")])
    spec.nodeName = node
    return Pod(metadata: ObjectMeta(name: name, namespace: "default", labels: labels), spec: spec)
}
