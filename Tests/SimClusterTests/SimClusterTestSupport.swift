import Foundation
import KubeClient
import KubeModel
import KubeSim
import Logging
import OperatorCore
@testable import SimCluster
import Synchronization
import TestSupport
import Testing

/// The tiny workload of the simulated-cluster tests: counts up every 10 ms from its restored state; its state
/// is the count as decimal text. `EXIT_AFTER_MS` makes it exit 0 after that long; `CRASH_AFTER_MS` makes it write `TERMINATION_MESSAGE` (if set) to its
/// termination message file and exit 1 after that long.
final class CounterProcess: SimulatedProcess {
    let launch: ContainerLaunch
    private let state: Mutex<(count: Int, terminated: Bool)>
    private let log: CounterLog

    init(launch: ContainerLaunch, log: CounterLog) {
        self.launch = launch
        self.log = log
        let start = launch.restoredState.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
        state = Mutex((start, false))
    }

    var count: Int { state.withLock { $0.count } }

    func run() async -> Int32 {
        let crashAfter = launch.environment["CRASH_AFTER_MS"].flatMap(Int.init)
        let clock = ContinuousClock()
        let started = clock.now
        while true {
            if state.withLock({ $0.terminated }) { return 0 }
            if let exitAfter = launch.environment["EXIT_AFTER_MS"].flatMap(Int.init), clock.now - started >= .milliseconds(exitAfter) {
                return 0
            }
            if let crashAfter, clock.now - started >= .milliseconds(crashAfter) {
                if let message = launch.environment["TERMINATION_MESSAGE"] {
                    try? message.write(toFile: launch.terminationMessageFile, atomically: true, encoding: .utf8)
                }
                return 1
            }
            do { try await Task.sleep(for: .milliseconds(10)) } catch { return 137 }
            state.withLock { $0.count += 1 }
        }
    }

    func terminate() async {
        state.withLock { $0.terminated = true }
        log.recordTermination(launch.podName)
    }

    func checkpoint() async throws -> [UInt8] { Array(String(count).utf8) }

    func isReady() async -> Bool { count > 0 }
}

/// What the counter programs of one test did: their launches and which pods got SIGTERM.
final class CounterLog: Sendable {
    private let state = Mutex((launches: [ContainerLaunch](), terminated: [String]()))

    func recordLaunch(_ launch: ContainerLaunch) { state.withLock { $0.launches.append(launch) } }
    func recordTermination(_ pod: String) { state.withLock { $0.terminated.append(pod) } }
    var launches: [ContainerLaunch] { state.withLock { $0.launches } }
    var terminated: [String] { state.withLock { $0.terminated } }

    /// The program binding for `counter` images that records into this log.
    var program: SimProgramBinding {
        SimProgramBinding(.repository("counter")) { [self] launch in
            self.recordLaunch(launch)
            return CounterProcess(launch: launch, log: self)
        }
    }
}

/// A running emulator, a simulated cluster on it, and a client.
struct SimClusterHarness {
    let server: KubeSimServer
    let cluster: SimulatedCluster
    let client: KubeClient
    let log: CounterLog

    static let namespace = "default"
    static let counterImage = "registry.local:5000/ms2m/counter:v1"

    /// Runs `body` against a fresh emulator and cluster with `nodes`, and tears both down afterwards.
    static func run(
        nodes: [SimNodeConfiguration] = [SimNodeConfiguration(name: "node-a")],
        configure: (inout SimClusterConfiguration) -> Void = { _ in },
        _ body: (SimClusterHarness) async throws -> Void
    ) async throws {
        let root = NSTemporaryDirectory() + "ms2m-simcluster-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let log = CounterLog()
        var configuration = SimClusterConfiguration(
            nodes: nodes, rootDirectory: root, programs: [log.program], podStartDelay: .milliseconds(20),
            leaseHeartbeatInterval: .milliseconds(200), readinessCheckInterval: .milliseconds(50),
            initialRestartBackoff: .milliseconds(50), maximumRestartBackoff: .milliseconds(400))
        configure(&configuration)
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        try await withKubeSim { server in
            let cluster = SimulatedCluster(configuration: configuration, logger: quiet)
            try await cluster.start(server: server)
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))
            do {
                try await body(SimClusterHarness(server: server, cluster: cluster, client: client, log: log))
            } catch {
                await cluster.shutdown()
                throw error
            }
            await cluster.shutdown()
        }
    }

    /// A pod running the counter image.
    static func counterPod(
        _ name: String, requests: [String: Quantity]? = nil, env: [EnvVar] = [], restartPolicy: String? = nil,
        configure: (inout PodSpec) -> Void = { _ in }
    ) -> Pod {
        var spec = PodSpec(
            containers: [
                Container(
                    name: "counter", image: counterImage, env: env,
                    resources: requests.map { ResourceRequirements(requests: $0) })
            ],
            restartPolicy: restartPolicy)
        configure(&spec)
        return Pod(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec)
    }

    @discardableResult
    func create(_ pod: Pod) async throws -> Pod {
        try await client.create(pod, namespace: Self.namespace, options: WriteOptions())
    }

    /// The pod, or nil once it is gone.
    func pod(_ name: String) async throws -> Pod? {
        do {
            return try await client.get(Pod.self, name: name, namespace: Self.namespace)
        } catch where KubernetesErrors.isNotFound(error) {
            return nil
        }
    }

    /// Polls `name` until `condition` holds for it, and returns it; fails after `timeout`.
    @discardableResult
    func waitForPod(
        _ name: String, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: (Pod) -> Bool
    ) async throws -> Pod {
        let deadline = ContinuousClock.now + timeout
        var last: Pod?
        while ContinuousClock.now < deadline {
            last = try await pod(name)
            if let last, condition(last) { return last }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("pod \(name) did not reach the expected state; last: \(String(describing: last?.status))", sourceLocation: sourceLocation)
        throw HarnessTimeout()
    }

    /// Polls until `condition` is true; fails after `timeout`.
    func waitUntil(
        _ what: String, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
        throw HarnessTimeout()
    }
}

struct HarnessTimeout: Error {}
