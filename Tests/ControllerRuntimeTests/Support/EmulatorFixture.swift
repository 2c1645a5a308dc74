import KubeClient
import KubeModel
import KubeSim
import Synchronization
import TestSupport
import Testing

/// Runs `body` against a fresh emulator and a client for it (no client-side rate limit, fast retries).
func withEmulator<T>(
    _ configure: (inout KubeSimConfiguration) -> Void = { _ in },
    _ body: (KubeSimServer, KubeClient) async throws -> T
) async throws -> T {
    try await withKubeSim(configure) { server in try await body(server, makeClient(server)) }
}

/// A client for `server` with no rate limit and quick retries.
func makeClient(_ server: KubeSimServer) -> KubeClient {
    KubeClient(configuration: ClientConfiguration(
        server: server.baseURL, rateLimit: nil,
        retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))))
}

func configMap(_ name: String, namespace: String = "default", data: [String: String] = [:]) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace), data: data)
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
@discardableResult
func eventually(
    timeout: Duration = .seconds(5), _ condition: @Sendable () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// A value shared between a test and the tasks it starts.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
    var current: Value { value.withLock { $0 } }
}
