public import Logging
public import OperatorCore
public import ServiceLifecycle
import Synchronization

/// Runs an operator's controllers with everything they need (controller-runtime's `Manager`): shared
/// informers, leader election, an event recorder, metrics, and the `/healthz`, `/readyz` and `/metrics`
/// endpoints — as one `Service`.
///
/// Inside, these run as a `ServiceGroup` in this order: informers, HTTP endpoints, event recorder,
/// controllers. Graceful shutdown (SIGTERM through the enclosing group) goes in reverse: the controllers stop
/// taking work and finish what is in flight, the lease is released, buffered events are written, the
/// endpoints close, and the informers stop; then `run()` returns normally. Losing leadership makes `run()`
/// throw `LeaderElectionError.leadershipLost`, so the process exits and restarts, as with controller-runtime.
///
/// ```swift
/// let manager = ControllerManager(api: KubeClient(configuration: config), configuration: managerConfig)
/// manager.add(ControllerBuilder(named: "migration", for: Migration.self).owns(Pod.self).build(reconciler: r))
/// let group = ServiceGroup(services: [manager], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class ControllerManager: Service, Sendable {
    /// The configuration.
    public let configuration: ManagerConfiguration
    /// The API as controllers should use it: instrumented, so requests show up in `/metrics`.
    public let api: any KubernetesAPI
    /// The shared informers; request caches for reconcilers here.
    public let informers: InformerFactory
    /// The metrics served at `/metrics`.
    public let metrics: RuntimeMetrics
    /// The event recorder of the manager's controllers.
    public let events: EventRecorder
    /// The leader elector, when leader election is configured.
    public let leaderElector: LeaderElector?
    private let logger: Logger

    private struct State: Sendable {
        var controllers: [Controller] = []
        /// Extra conditions of `/readyz`, by name (a webhook server that listens, …).
        var readinessChecks: [(name: String, isReady: @Sendable () -> Bool)] = []
        var started = false
        var leading = false
        var servers: [EndpointServer] = []
    }
    private let state = Mutex(State())
    private let serversReady = AsyncLatch()

    /// A manager using `api` (the `KubeClient`, or any port implementation).
    public init(
        api: any KubernetesAPI, configuration: ManagerConfiguration = ManagerConfiguration(),
        metrics: RuntimeMetrics = RuntimeMetrics(), logger: Logger = Logger(label: "ms2m.manager")
    ) {
        self.configuration = configuration
        self.metrics = metrics
        let instrumented = InstrumentedKubernetesAPI(api, metrics: metrics)
        self.api = instrumented
        self.informers = InformerFactory(api: instrumented, logger: logger)
        self.events = EventRecorder(configuration: configuration.events, api: instrumented, logger: logger)
        self.leaderElector = configuration.leaderElection.map {
            LeaderElector(configuration: $0, api: instrumented, metrics: metrics, logger: logger)
        }
        self.logger = logger
    }

    /// Adds a controller; its informers are requested now so they sync as soon as the manager runs.
    /// Controllers must be added before `run()`.
    public func add(_ controller: Controller) {
        _ = controller.prepare(informers)
        state.withLock {
            precondition(!$0.started, "add controllers before running the manager")
            $0.controllers.append(controller)
        }
    }

    /// Adds a condition `/readyz` reports besides the informers: while `isReady` is false the endpoint answers
    /// 503 naming `name` (so a Service sends no traffic to a replica whose webhook server cannot serve yet).
    public func addReadinessCheck(_ name: String, _ isReady: @escaping @Sendable () -> Bool) {
        state.withLock { $0.readinessChecks.append((name, isReady)) }
    }

    /// Whether this manager's controllers are running (it leads, or needs no election).
    public var isLeading: Bool { state.withLock { $0.leading } }

    /// Whether every informer has synced (what `/readyz` reports).
    public var isReady: Bool { informers.hasSynced }

    /// The ports the HTTP endpoints listen on, once they listen: `(probes, metrics)`.
    public func listeningPorts() async -> (healthProbes: Int?, metrics: Int?) {
        await serversReady.wait()
        let servers = state.withLock { $0.servers }
        var probes: Int?
        var metricsPort: Int?
        for server in servers {
            let port = await server.waitUntilListening()
            if server.address == configuration.healthProbeAddress { probes = port }
            if server.address == configuration.metricsAddress { metricsPort = port }
        }
        return (probes, metricsPort)
    }

    public func run() async throws {
        let controllers = state.withLock { s -> [Controller] in
            s.started = true
            return s.controllers
        }
        let servers = makeServers()
        state.withLock { $0.servers = servers }
        serversReady.open()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: InformerService(factory: informers), serviceName: "informers")
        ]
        for server in servers { services.append(.init(service: server, serviceName: "http \(server.address)")) }
        services.append(.init(service: events, serviceName: "events"))
        services.append(.init(
            service: ControllerGroupService(
                controllers: controllers, factory: informers, elector: leaderElector, metrics: metrics,
                logger: logger, leading: { leading in self.state.withLock { $0.leading = leading } }),
            serviceName: "controllers"))
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        groupConfiguration.logger = logger
        let group = ServiceGroup(configuration: groupConfiguration)
        logger.info("Starting manager", metadata: ["controllers": "\(controllers.map(\.name).joined(separator: ","))"])
        try await group.run()
        logger.info("Stopped manager")
    }

    /// The probe and metrics servers (one when both use the same address).
    private func makeServers() -> [EndpointServer] {
        var probes: EndpointServer.Routes = [:]
        let informers = self.informers
        probes["/healthz"] = { EndpointResponse(body: "ok\n") }
        let checks = state.withLock { $0.readinessChecks }
        probes["/readyz"] = {
            let pending = informers.informers.filter { !$0.hasSynced }.map(\.resourceName)
            let failing = checks.filter { !$0.isReady() }.map(\.name)
            if pending.isEmpty && failing.isEmpty { return EndpointResponse(body: "ok\n") }
            var reasons: [String] = []
            if !pending.isEmpty { reasons.append("informers not synced: \(pending.sorted().joined(separator: ", "))") }
            if !failing.isEmpty { reasons.append("not ready: \(failing.joined(separator: ", "))") }
            return EndpointResponse(status: 503, body: reasons.joined(separator: "; ") + "\n")
        }
        let metrics = self.metrics
        let metricsRoutes: EndpointServer.Routes = [
            "/metrics": {
                EndpointResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.exposition())
            }
        ]
        let probeAddress = configuration.healthProbeAddress
        let metricsAddress = configuration.metricsAddress
        if let probeAddress, probeAddress == metricsAddress {
            return [EndpointServer(address: probeAddress, routes: probes.merging(metricsRoutes) { a, _ in a }, logger: logger)]
        }
        var servers: [EndpointServer] = []
        if let probeAddress { servers.append(EndpointServer(address: probeAddress, routes: probes, logger: logger)) }
        if let metricsAddress { servers.append(EndpointServer(address: metricsAddress, routes: metricsRoutes, logger: logger)) }
        return servers
    }
}
