public import KubeClient
public import KubeSim
public import Logging
import ControllerRuntime
import CurlTransport
import Foundation
import KubeModel
import OperatorCore
import Synchronization

/// A simulated Kubernetes cluster attached to a ``KubeSimServer``: one kubelet per configured node (Node
/// registration, Lease heartbeats, pod lifecycle with ``SimulatedProcess`` programs, the kubelet HTTP API
/// with the checkpoint endpoint, reached through the server's node proxy), a scheduler, and the StatefulSet,
/// ReplicaSet and Job controllers. Everything talks to the emulator over HTTP, like the real components.
///
/// ```swift
/// let cluster = SimulatedCluster(configuration: SimClusterConfiguration(nodes: [.init(name: "n1")], rootDirectory: dir))
/// try await cluster.start(server: server)
/// defer { await cluster.shutdown() }
/// ```
public final class SimulatedCluster: Sendable {
    /// The configuration the cluster was made with.
    public let configuration: SimClusterConfiguration
    /// Faults injected into the kubelets; change them at any time.
    public let faults: SimFaults
    private let logger: Logger

    private struct Running: Sendable {
        var server: KubeSimServer?
        var kubelets: [String: SimKubelet] = [:]
        var ports: [String: Int] = [:]
        var tasks: [Task<Void, Never>] = []
        /// Each node's kubelet and heartbeat tasks (also in ``tasks``).
        var nodeTasks: [String: [Task<Void, Never>]] = [:]
        var client: KubeClient?
        var podRouting: (@Sendable () -> Void)?
    }
    private let running = Mutex(Running())

    public init(
        configuration: SimClusterConfiguration, faults: SimFaults = SimFaults(),
        logger: Logger = Logger(label: "ms2m.sim.cluster")
    ) {
        self.configuration = configuration
        self.faults = faults
        self.logger = logger
    }

    /// Registers the nodes with `server`, starts their kubelets, the scheduler and the workload controllers,
    /// and serves the server's node proxy. `client` overrides how the components reach the server (its
    /// credentials and TLS); by default they use `server.baseURL` anonymously.
    public func start(server: KubeSimServer, client clientConfiguration: ClientConfiguration? = nil) async throws {
        var config = clientConfiguration ?? ClientConfiguration(server: server.baseURL)
        config.rateLimit = nil
        config.userAgent = "ms2m-sim/0.1"
        let client = KubeClient(configuration: config, logger: logger)
        // One manager hosts the workload controllers, and its informers serve the kubelets and the scheduler
        // too: one pod watch and one pod cache for the whole cluster.
        let manager = ControllerManager(
            api: client,
            configuration: ManagerConfiguration(
                leaderElection: nil, healthProbeAddress: nil, metricsAddress: nil,
                events: EventRecorderConfiguration(reportingController: "sim-cluster", reportingInstance: "sim-cluster")),
            logger: logger)
        let informers = manager.informers
        let pods = informers.informer(for: Pod.self, options: InformerOptions(indexes: [.podsByNode]))
        manager.add(SimStatefulSetController(api: client, logger: logger).makeController(informers: informers, api: manager.api))
        manager.add(SimJobController(api: client, logger: logger).makeController(informers: informers, api: manager.api))
        manager.add(SimReplicaSetController(api: client, logger: logger).makeController(informers: informers, api: manager.api))
        let logger = self.logger
        var tasks: [Task<Void, Never>] = [
            Task {
                do {
                    try await manager.run()
                } catch where Task.isCancelled {
                    // Cancellation is how the cluster stops it.
                } catch {
                    logger.error("Controller manager failed", metadata: ["error": "\(error)"])
                }
            }
        ]
        var kubelets: [String: SimKubelet] = [:]
        var ports: [String: Int] = [:]
        var nodeTasks: [String: [Task<Void, Never>]] = [:]
        let router = PodEventRouter()
        // Nodes register a few at a time: thousands of them one by one would take a request round trip each.
        let nodes = configuration.nodes
        let failure = await withTaskGroup(of: Result<StartedNode, any Error>.self) { group -> (any Error)? in
            var next = 0
            var failure: (any Error)?
            func startNext() {
                let index = next
                next += 1
                group.addTask {
                    do {
                        return .success(try await self.startNode(
                            nodes[index], index: index, client: client, informers: informers, router: router))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            while next < min(Self.registrationConcurrency, nodes.count) { startNext() }
            while let outcome = await group.next() {
                switch outcome {
                case .success(let started):
                    let kubelet = started.kubelet
                    let agent = started.agent
                    kubelets[kubelet.nodeName] = kubelet
                    ports[kubelet.nodeName] = started.port
                    let own = [Task { await kubelet.run() }, Task { await agent.run() }]
                    tasks += own
                    nodeTasks[kubelet.nodeName] = own
                case .failure(let error):
                    failure = failure ?? error
                }
                if failure == nil && next < nodes.count { startNext() }
            }
            if failure == nil {
                // Placement waits for what a real cluster's bootstrap waits for: nodes the lifecycle controller
                // has found Ready and untainted.
                do {
                    try await SchedulableNodes.wait(client: client, names: Set(nodes.map(\.name)), timeout: .seconds(30))
                } catch {
                    failure = error
                }
            }
            return failure
        }
        if let failure {
            for task in tasks { task.cancel() }
            for kubelet in kubelets.values { await kubelet.stopServer() }
            throw failure
        }
        let routing = pods.addEventHandler { event in router.route(event) }
        let forwarder = NodeProxyForwarder(client: client, transport: CurlTransport())
        server.setNodeProxyHandler { request in await forwarder.forward(request) }
        let scheduler = SimScheduler(client: client, informers: informers, logger: logger)
        tasks.append(Task { await scheduler.run() })
        await informers.waitForSync()
        running.withLock {
            $0.server = server
            $0.kubelets = kubelets
            $0.ports = ports
            $0.tasks = tasks
            $0.nodeTasks = nodeTasks
            $0.client = client
            $0.podRouting = { pods.removeEventHandler(routing) }
        }
    }

    /// How many nodes register with the API server at once.
    private static let registrationConcurrency = 16

    private struct StartedNode: Sendable {
        var kubelet: SimKubelet
        var agent: NodeAgent
        var port: Int
    }

    /// Makes the kubelet of `node`, starts its HTTP server (when configured) and registers its Node and Lease.
    private func startNode(
        _ node: SimNodeConfiguration, index: Int, client: KubeClient, informers: InformerFactory, router: PodEventRouter
    ) async throws -> StartedNode {
        try FileManager.default.createDirectory(atPath: nodeRoot(node.name), withIntermediateDirectories: true)
        let context = KubeletContext(
            node: node, cluster: configuration, client: client, faults: faults,
            resolver: ContainerImageResolver(
                configuration: configuration, transferProgram: RuntimeBindings.transferProgram,
                restoreCheckpoint: RuntimeBindings.checkpointRestorer(configuration)),
            writeCheckpoint: RuntimeBindings.checkpointWriter(for: node),
            logger: logger)
        let kubelet = SimKubelet(context: context, nodeIndex: index, informers: informers, router: router)
        let port = configuration.servesKubeletAPI ? try await kubelet.startServer() : 0
        let agent = NodeAgent(
            node: node, podCIDR: kubelet.ipAllocator.cidr, kubeletPort: port, client: client,
            leaseInterval: configuration.leaseHeartbeatInterval,
            statusInterval: configuration.nodeStatusReportInterval, logger: logger)
        do {
            try await agent.register()
        } catch {
            await kubelet.stopServer()
            throw error
        }
        return StartedNode(kubelet: kubelet, agent: agent, port: port)
    }

    /// Stops every component: containers are killed, kubelet servers closed, the node proxy answers 503.
    public func shutdown() async {
        let stopped = running.withLock { r -> Running in
            defer { r = Running() }
            return r
        }
        stopped.podRouting?()
        for task in stopped.tasks { task.cancel() }
        for task in stopped.tasks { await task.value }
        for kubelet in stopped.kubelets.values { await kubelet.stopServer() }
        stopped.server?.setNodeProxyHandler { request in
            NodeProxyResponse(status: 503, body: Array("no kubelet for node \"\(request.node)\"".utf8))
        }
    }

    /// Loses `node` as a machine that dies does: its kubelet stops at once (every container dies with it, and
    /// their broker connections drop), it stops renewing its Lease and posting status, and its kubelet API no
    /// longer answers. What the node lifecycle controller then does (after `node-monitor-grace-period`, here
    /// at once) is done too: the Node's conditions become `Unknown` ("Kubelet stopped posting node status."),
    /// it gets the `node.kubernetes.io/unreachable` taints, and its pods' `Ready` condition becomes `False`.
    /// The pods stay bound there, as on a real cluster, until someone deletes them.
    public func loseNode(_ node: String) async throws {
        let (kubelet, tasks, client) = running.withLock { r -> (SimKubelet?, [Task<Void, Never>], KubeClient?) in
            defer {
                r.kubelets[node] = nil
                r.nodeTasks[node] = nil
                r.ports[node] = nil
            }
            return (r.kubelets[node], r.nodeTasks[node] ?? [], r.client)
        }
        guard let kubelet, let client else { throw SimClusterError.unknownNode(node) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        await kubelet.stopServer()
        logger.info("Lost node", metadata: ["node": "\(node)"])

        let now = Time.now()
        var stored = try await client.get(Node.self, name: node, namespace: nil)
        var status = stored.status ?? NodeStatus()
        status.conditions = (status.conditions ?? []).map { condition in
            var lost = condition
            lost.status = .unknown
            lost.reason = "NodeStatusUnknown"
            lost.message = "Kubelet stopped posting node status."
            lost.lastTransitionTime = now
            return lost
        }
        stored.status = status
        stored = try await client.updateStatus(stored)
        // The lifecycle controller's NoSchedule pass reacts to the Unknown condition too, so the taints are
        // written as it writes them: on the latest state, again after a conflict, keeping what is there.
        for attempt in 1...10 {
            var spec = stored.spec ?? NodeSpec()
            var taints = spec.taints ?? []
            for effect in [TaintEffect.noSchedule, .noExecute]
            where !taints.contains(where: { $0.key == "node.kubernetes.io/unreachable" && $0.effect == effect }) {
                taints.append(Taint(key: "node.kubernetes.io/unreachable", effect: effect, timeAdded: now))
            }
            spec.taints = taints
            stored.spec = spec
            do {
                _ = try await client.update(stored, options: WriteOptions())
                break
            } catch where KubernetesErrors.isConflict(error) && attempt < 10 {
                stored = try await client.get(Node.self, name: node, namespace: nil)
            }
        }
        for var pod in try await client.list(Pod.self, namespace: nil, options: ListOptions(fieldSelector: "spec.nodeName=\(node)")).items {
            var podStatus = pod.status ?? PodStatus()
            var conditions = podStatus.conditions ?? []
            conditions.removeAll { $0.type == .ready }
            conditions.append(PodCondition(type: .ready, status: .false, lastTransitionTime: now))
            podStatus.conditions = conditions
            pod.status = podStatus
            _ = try? await client.updateStatus(pod)
        }
    }

    /// `<rootDirectory>/nodes/<node>`: the local directory standing for the node's filesystem root.
    public func nodeRoot(_ node: String) -> String {
        configuration.rootDirectory + "/nodes/" + node
    }

    /// The local path of `path` on `node` (`/var/lib/kubelet/checkpoints/x.tar` → under ``nodeRoot(_:)``).
    public func localPath(_ path: String, on node: String) -> String {
        PodFilesystem.local(nodeRoot: nodeRoot(node), path)
    }

    /// The port of `node`'s kubelet HTTP API on 127.0.0.1, once started.
    public func kubeletPort(of node: String) -> Int? {
        running.withLock { $0.ports[node] }
    }

    /// The running process of a pod's container (to read a workload's state), or nil when it does not run.
    public func process(namespace: String, pod: String, container: String) async -> (any SimulatedProcess)? {
        let kubelets = running.withLock { Array($0.kubelets.values) }
        for kubelet in kubelets {
            if let worker = kubelet.worker(namespace: namespace, name: pod) {
                return await worker.process(of: container)
            }
        }
        return nil
    }
}

/// Why a simulated cluster cannot do what was asked.
public enum SimClusterError: Error, CustomStringConvertible, Sendable {
    /// No running node has this name.
    case unknownNode(String)

    public var description: String {
        switch self {
        case .unknownNode(let node): "no running simulated node is named \(node)"
        }
    }
}
