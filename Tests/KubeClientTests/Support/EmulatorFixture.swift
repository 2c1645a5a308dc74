import KubeClient
import KubeModel
import KubeSim

/// Runs `body` against a fresh emulator and a client configured for it (no rate limit, fast retries).
func withEmulator<T>(
    _ configure: (inout KubeSimConfiguration) -> Void = { _ in },
    client adjust: (inout ClientConfiguration) -> Void = { _ in },
    _ body: (KubeSimServer, KubeClient) async throws -> T
) async throws -> T {
    var configuration = KubeSimConfiguration()
    configure(&configuration)
    let server = KubeSimServer(configuration: configuration)
    try await server.start()
    var clientConfiguration = ClientConfiguration(
        server: server.baseURL, rateLimit: nil,
        retry: RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(20), maximumDelay: .seconds(2)))
    adjust(&clientConfiguration)
    let client = KubeClient(configuration: clientConfiguration)
    do {
        let result = try await body(server, client)
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
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
