import KubeClient
import KubeModel
import KubeSim
import Logging
import OperatorCore
@testable import SimCluster
import TestSupport
import Unstructured

/// Fixtures shared by the workload controller tests: an emulator with immediate pod deletion (no kubelet
/// runs here), a client, a running controller, and status writes that stand in for the kubelet.
enum ControllersFixture {
    static let namespace = "default"
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A client for `server` with no rate limit and quick retries.
    static func client(_ server: KubeSimServer) -> KubeClient {
        KubeClient(configuration: ClientConfiguration(
            server: server.baseURL, rateLimit: nil,
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200))))
    }

    /// Runs `body` against a fresh emulator while `run` (a controller's `run()`) runs against it.
    static func withRunning(
        _ makeRun: @escaping @Sendable (KubeClient) -> @Sendable () async -> Void,
        _ body: (KubeClient) async throws -> Void
    ) async throws {
        try await withKubeSim({ $0.podDeletionIsImmediate = true }) { server in
            let client = client(server)
            let run = makeRun(client)
            let task = Task { await run() }
            do {
                try await body(client)
            } catch {
                task.cancel()
                await task.value
                throw error
            }
            task.cancel()
            await task.value
        }
    }

    /// Sets a pod's phase and Ready condition through the status subresource, as a kubelet would.
    static func setPodStatus(
        _ client: KubeClient, _ name: String, phase: PodPhase, ready: Bool = false
    ) async throws {
        let condition: JSONValue = ["type": "Ready", "status": .string(ready ? "True" : "False")]
        let patch: JSONValue = ["status": ["phase": .string(phase.rawValue), "conditions": [condition]]]
        _ = try await client.patchStatus(Pod.self, name: name, namespace: namespace, patch: .merge(patch), options: WriteOptions())
    }

    /// The pod called `name`, or nil when there is none.
    static func pod(_ client: KubeClient, _ name: String) async throws -> Pod? {
        do {
            return try await client.get(Pod.self, name: name, namespace: namespace)
        } catch where KubernetesErrors.isNotFound(error) {
            return nil
        }
    }

    /// The names of the pods in the namespace, sorted.
    static func podNames(_ client: KubeClient, labelSelector: String? = nil) async throws -> [String] {
        try await client.list(Pod.self, namespace: namespace, options: ListOptions(labelSelector: labelSelector))
            .items.compactMap(\.metadata.name).sorted()
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(
        timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    /// A container spec good enough for the emulator.
    static func podSpec(restartPolicy: String? = nil) -> PodSpec {
        var spec = PodSpec(containers: [Container(name: "app", image: "registry.local/app:1")])
        spec.restartPolicy = restartPolicy
        return spec
    }
}
