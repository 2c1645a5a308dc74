import Logging
import ServiceLifecycle

/// Runs the manager's controllers as a `Service`: behind leader election when configured, so only the leader
/// reconciles. On graceful shutdown the controllers stop taking work and finish the reconciles in flight,
/// then the lease is released; while still campaigning, the campaign just stops.
struct ControllerGroupService: Service {
    let controllers: [Controller]
    let factory: InformerFactory
    let elector: LeaderElector?
    let metrics: RuntimeMetrics
    let logger: Logger
    let leading: @Sendable (Bool) -> Void

    func run() async throws {
        let stop = AsyncLatch()
        try await withGracefulShutdownHandler {
            if let elector {
                try await elector.run(until: stop) {
                    await self.runControllers(until: stop)
                }
            } else {
                await runControllers(until: stop)
            }
        } onGracefulShutdown: {
            stop.open()
        }
    }

    private func runControllers(until stop: AsyncLatch) async {
        leading(true)
        defer { leading(false) }
        await withDiscardingTaskGroup { group in
            for controller in controllers {
                group.addTask { await controller.run(factory: factory, metrics: metrics, logger: logger) }
            }
            // Returns on graceful shutdown, or on cancellation when leadership is lost.
            group.addTask {
                await stop.wait()
                for controller in controllers { controller.stop() }
            }
        }
    }
}
