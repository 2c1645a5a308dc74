public import KubeClient
public import KubeSim
public import Logging
import ControllerRuntime
import CurlTransport
import Foundation
import Synchronization

/// A simulated Kubernetes cluster attached to a ``KubeSimServer``: one kubelet per configured node (Node
/// registration, Lease heartbeats, pod lifecycle with ``SimulatedProcess`` programs, the kubelet HTTP API
/// with the checkpoint endpoint, reached through the server's node proxy), a scheduler, and the StatefulSet
/// and Job controllers. Everything talks to the emulator over HTTP, like the real components.
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
        let informers = InformerFactory(api: client, logger: logger)
        var tasks: [Task<Void, Never>] = [Task { await informers.run() }]
        var kubelets: [String: SimKubelet] = [:]
        var ports: [String: Int] = [:]
        do {
            for (index, node) in configuration.nodes.enumerated() {
                try FileManager.default.createDirectory(atPath: nodeRoot(node.name), withIntermediateDirectories: true)
                let context = KubeletContext(
                    node: node, cluster: configuration, client: client, faults: faults,
                    resolver: ContainerImageResolver(
                        configuration: configuration, transferProgram: RuntimeBindings.transferProgram,
                        restoreCheckpoint: RuntimeBindings.checkpointRestorer(configuration)),
                    writeCheckpoint: RuntimeBindings.checkpointWriter(for: node),
                    logger: logger)
                let kubelet = SimKubelet(context: context, nodeIndex: index, informers: informers)
                let port = try await kubelet.startServer()
                let agent = NodeAgent(
                    node: node, podCIDR: kubelet.ipAllocator.cidr, kubeletPort: port, client: client,
                    leaseInterval: configuration.leaseHeartbeatInterval,
                    statusInterval: configuration.nodeStatusReportInterval, logger: logger)
                try await agent.register()
                kubelets[node.name] = kubelet
                ports[node.name] = port
                tasks.append(Task { await kubelet.run() })
                tasks.append(Task { await agent.run() })
            }
        } catch {
            for task in tasks { task.cancel() }
            for kubelet in kubelets.values { await kubelet.stopServer() }
            throw error
        }
        let forwarder = NodeProxyForwarder(client: client, transport: CurlTransport())
        server.setNodeProxyHandler { request in await forwarder.forward(request) }
        let scheduler = SimScheduler(client: client, informers: informers, logger: logger)
        tasks.append(Task { await scheduler.run() })
        let statefulSets = SimStatefulSetController(api: client, logger: logger)
        let jobs = SimJobController(api: client, logger: logger)
        tasks.append(Task { await statefulSets.run() })
        tasks.append(Task { await jobs.run() })
        await informers.waitForSync()
        running.withLock {
            $0.server = server
            $0.kubelets = kubelets
            $0.ports = ports
            $0.tasks = tasks
        }
    }

    /// Stops every component: containers are killed, kubelet servers closed, the node proxy answers 503.
    public func shutdown() async {
        let stopped = running.withLock { r -> Running in
            defer { r = Running() }
            return r
        }
        for task in stopped.tasks { task.cancel() }
        for task in stopped.tasks { await task.value }
        for kubelet in stopped.kubelets.values { await kubelet.stopServer() }
        stopped.server?.setNodeProxyHandler { request in
            NodeProxyResponse(status: 503, body: Array("no kubelet for node \"\(request.node)\"".utf8))
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
