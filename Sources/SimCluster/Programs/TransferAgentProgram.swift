import Foundation
import Logging
import OperatorCore
import RegistryClient
import Synchronization
public import TransferAgent

/// The node agent `ms2m-agent` as a program of the simulated container runtime: a pod of its DaemonSet on a
/// simulated node runs the real `TransferAgent` (real HTTP on loopback, real authentication and authorisation
/// through the API server's TokenReview and SubjectAccessReview), serving the node's checkpoint directory — the
/// local directory behind the pod's hostPath mount, named by `--checkpoint-directory`. Its pod IP is not
/// routable here, so the program records which loopback port stands for it in ``SimAgentEndpoints``, which the
/// operator's agent client resolves through.
public enum TransferAgentProgram {
    /// The image matcher: repository `ms2m-agent` or ending in it.
    public static let matcher = SimImageMatcher.repositorySuffix("ms2m-agent")

    /// The program: agents authorised by `authorizer`, registered in `endpoints` under the pod's `POD_IP`.
    public static func program(
        authorizer: any AgentAuthorizer, endpoints: SimAgentEndpoints, logger: Logger = Logger(label: "ms2m.sim.agent")
    ) -> SimulatedProgram {
        { launch in
            let arguments = launch.arguments
            func value(_ flag: String) -> String? {
                guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
                return arguments[index + 1]
            }
            guard let directory = value("--checkpoint-directory") else {
                throw ContainerStartError.create("ms2m-agent needs --checkpoint-directory")
            }
            let agent = try TransferAgent(
                configuration: TransferAgent.Configuration(
                    host: "127.0.0.1", port: 0, checkpointDirectory: directory, nodeName: launch.nodeName,
                    limits: TransferLimits(allowedLayoutRoot: value("--allow-oci-layout-root")),
                    transfers: .init(nodeName: launch.nodeName), shutdownGracePeriod: .seconds(5)),
                authorizer: authorizer, pusher: RegistryArchivePusher(retry: RegistryClient.RetryPolicy(maxAttempts: 3)), logger: logger)
            let port = try await agent.start()
            let podIP = launch.environment["POD_IP"] ?? ""
            endpoints.register(podIP: podIP, port: port)
            return TransferAgentProcess(agent: agent, podIP: podIP, endpoints: endpoints)
        }
    }
}

/// Which loopback port serves the agent of each simulated pod IP.
public final class SimAgentEndpoints: Sendable {
    private let ports = Mutex<[String: Int]>([:])

    public init() {}

    /// The agent of `podIP` listens on 127.0.0.1:`port`.
    func register(podIP: String, port: Int) { ports.withLock { $0[podIP] = port } }

    func unregister(podIP: String) { ports.withLock { _ = $0.removeValue(forKey: podIP) } }

    /// The URL an agent endpoint is reached at: its loopback port, or — for a pod IP with no agent running —
    /// the pod IP itself, which does not answer (as a dead agent would not).
    public func url(for agent: TransferAgentEndpoint) -> String {
        if let port = ports.withLock({ $0[agent.podIP] }) { return "http://127.0.0.1:\(port)" }
        return "http://\(agent.podIP):\(agent.port)"
    }
}

/// A running agent in a simulated container.
final class TransferAgentProcess: SimulatedProcess {
    let agent: TransferAgent
    let podIP: String
    let endpoints: SimAgentEndpoints
    private let stopped = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let done = Mutex(false)

    init(agent: TransferAgent, podIP: String, endpoints: SimAgentEndpoints) {
        self.agent = agent
        self.podIP = podIP
        self.endpoints = endpoints
    }

    func run() async -> Int32 {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let finished = done.withLock { $0 }
                if finished { continuation.resume() } else { stopped.withLock { $0 = continuation } }
            }
        } onCancel: {
            Task { await self.terminate() }
        }
        return 0
    }

    func terminate() async {
        guard done.withLock({ old in defer { old = true }; return !old }) else { return }
        endpoints.unregister(podIP: podIP)
        await agent.shutdown()
        stopped.withLock { continuation in
            continuation?.resume()
            continuation = nil
        }
    }

    func checkpoint() async throws -> [UInt8] { throw ContainerStartError.create("ms2m-agent is not checkpointed") }

    func isReady() async -> Bool { true }
}
