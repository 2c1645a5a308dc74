@testable import ControllerRuntime
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubeClient
import KubeSim
import Logging
import ServiceLifecycle

/// A logger that drops everything (the runtime's logs would drown the test output).
let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// A manager running in a service group, as `main` would run it; stop it gracefully (SIGTERM) or by
/// cancelling the task (no graceful steps).
struct RunningManager {
    let manager: ControllerManager
    let group: ServiceGroup
    let task: Task<Result<Void, any Error>, Never>

    init(_ manager: ControllerManager) {
        self.manager = manager
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [manager], logger: quietLogger))
        self.group = group
        self.task = Task {
            do {
                try await group.run()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
    }

    /// Triggers graceful shutdown (what SIGTERM does) and waits for the manager to finish.
    @discardableResult
    func shutDownGracefully() async -> Result<Void, any Error> {
        await group.triggerGracefulShutdown()
        return await task.value
    }

    /// Cancels without graceful shutdown (a crash or kill, as far as the lease is concerned).
    @discardableResult
    func cancel() async -> Result<Void, any Error> {
        task.cancel()
        return await task.value
    }
}

/// A manager for tests: no HTTP endpoints unless asked, quiet logs.
func makeManager(
    _ client: KubeClient,
    leaderElection: LeaderElectionConfiguration? = nil,
    endpoints: BindAddress? = nil
) -> ControllerManager {
    ControllerManager(
        api: client,
        configuration: ManagerConfiguration(
            leaderElection: leaderElection, healthProbeAddress: endpoints, metricsAddress: endpoints,
            events: EventRecorderConfiguration(reportingController: "ms2m.io/test", reportingInstance: "test-0")),
        logger: quietLogger)
}

/// GETs `url` and returns the status code and body.
func httpGet(_ url: String) async throws -> (status: Int, body: String) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}
