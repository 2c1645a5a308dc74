import ControllerRuntime
import KubeModel
import Synchronization

/// One node's kubelet: runs a ``PodWorker`` for every pod bound to the node (from the shared pod informer,
/// through the cluster's ``PodEventRouter``) and serves the kubelet HTTP API (``KubeletAPI``) on loopback.
final class SimKubelet: Sendable {
    let context: KubeletContext
    let ipAllocator: PodIPAllocator
    private let pods: SharedInformer<Pod>
    private let server: SimHTTPServer
    private let workers = Mutex<[ObjectKey: (worker: PodWorker, ip: String)]>([:])
    private let events: AsyncStream<InformerEvent<Pod>>.Continuation
    private let eventStream: AsyncStream<InformerEvent<Pod>>

    /// A kubelet whose pod events come from `router` (buffered until ``run()`` starts).
    init(context: KubeletContext, nodeIndex: Int, informers: InformerFactory, router: PodEventRouter) {
        self.context = context
        self.ipAllocator = PodIPAllocator(nodeIndex: nodeIndex)
        self.pods = informers.informer(for: Pod.self, options: InformerOptions(indexes: [.podsByNode]))
        (eventStream, events) = AsyncStream.makeStream()
        self.server = SimHTTPServer()
        router.add(node: context.node.name, events)
    }

    var nodeName: String { context.node.name }

    /// Starts the HTTP server and returns its port.
    func startServer() async throws -> Int {
        let api = KubeletAPI(kubelet: self)
        return try await server.start(host: context.hostIP) { request in await api.handle(request) }
    }

    /// Runs pod workers until cancelled; then kills every container.
    func run() async {
        await withTaskCancellationHandler {
            for await event in eventStream { await handle(event) }
        } onCancel: {
            events.finish()
        }
        let remaining = workers.withLock { w -> [PodWorker] in
            defer { w = [:] }
            return w.values.map(\.worker)
        }
        for worker in remaining { await worker.stop() }
    }

    /// Stops serving HTTP.
    func stopServer() async { await server.stop() }

    private func handle(_ event: InformerEvent<Pod>) async {
        let key = ObjectKey(of: event.object)
        switch event {
        case .added(let pod), .updated(_, let pod):
            let (worker, isNew) = workers.withLock { w -> (PodWorker?, Bool) in
                if let existing = w[key] { return (existing.worker, false) }
                if pod.isTerminal && pod.metadata.deletionTimestamp == nil { return (nil, false) }
                let ip = ipAllocator.allocate()
                let made = PodWorker(pod: pod, podIP: ip, context: context)
                w[key] = (made, ip)
                return (made, true)
            }
            guard let worker else { return }
            if isNew && pod.metadata.deletionTimestamp == nil { await worker.start() }
            await worker.update(pod)
        case .deleted:
            guard let removed = workers.withLock({ $0.removeValue(forKey: key) }) else { return }
            ipAllocator.release(removed.ip)
            Task { await removed.worker.stop() }
        }
    }

    /// The worker of a pod on this node.
    func worker(namespace: String, name: String) -> PodWorker? {
        workers.withLock { $0[ObjectKey(namespace: namespace, name: name)]?.worker }
    }

    /// The pods bound to this node, as the informer has them.
    func boundPods() -> [Pod] { pods.cache.list(index: .podsByNode, value: nodeName) }
}
