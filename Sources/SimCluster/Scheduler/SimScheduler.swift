import ControllerRuntime
import KubeClient
import KubeModel
import Logging
import OperatorCore
import Synchronization
import Unstructured

/// The simulated kube-scheduler: binds pending pods that name no node (and no other scheduler) through the
/// `pods/binding` subresource, using the default filters and least-allocated scoring of
/// ``SchedulingFilters``. Pods that fit nowhere get `PodScheduled=False` (reason `Unschedulable`) and are
/// tried again when a node changes or a pod frees room. Driven by the shared pod and node informers.
final class SimScheduler: Sendable {
    /// The scheduler name pods select (`spec.schedulerName`).
    static let name = "default-scheduler"

    private let client: KubeClient
    private let pods: SharedInformer<Pod>
    private let nodes: SharedInformer<Node>
    private let queue = WorkQueue<ObjectKey>(name: "sim-scheduler")
    private let logger: Logger

    private struct Assumed: Sendable {
        var node: String
        var requests: [String: Quantity]
    }
    private struct State: Sendable {
        /// Pods bound by us that the informer has not shown bound yet (kube-scheduler's assume cache).
        var assumed: [ObjectKey: Assumed] = [:]
        /// Pods that fit nowhere at their last attempt.
        var unschedulable: Set<ObjectKey> = []
    }
    private let state = Mutex(State())

    init(client: KubeClient, informers: InformerFactory, logger: Logger) {
        self.client = client
        self.pods = informers.informer(for: Pod.self, options: InformerOptions(indexes: [.podsByNode]))
        self.nodes = informers.informer(for: Node.self)
        self.logger = logger
    }

    /// Schedules until the task is cancelled.
    func run() async {
        let podHandler = pods.addEventHandler { [weak self] event in self?.podChanged(event) }
        let nodeHandler = nodes.addEventHandler { [weak self] event in self?.nodeChanged(event) }
        await withTaskCancellationHandler {
            while let key = await queue.next() {
                await schedule(key)
                queue.done(key)
            }
        } onCancel: {
            queue.shutDown()
        }
        pods.removeEventHandler(podHandler)
        nodes.removeEventHandler(nodeHandler)
    }

    static func needsScheduling(_ pod: Pod) -> Bool {
        guard let spec = pod.spec, (spec.nodeName ?? "").isEmpty, pod.metadata.deletionTimestamp == nil,
            !pod.isTerminal
        else { return false }
        let scheduler = spec.schedulerName ?? ""
        return scheduler.isEmpty || scheduler == name
    }

    private static func isBound(_ pod: Pod) -> Bool { !(pod.spec?.nodeName ?? "").isEmpty }

    private func podChanged(_ event: InformerEvent<Pod>) {
        let key = ObjectKey(of: event.object)
        switch event {
        case .added(let pod):
            if Self.needsScheduling(pod) { queue.add(key) }
            if Self.isBound(pod) { state.withLock { _ = $0.assumed.removeValue(forKey: key) } }
        case .updated(let old, let new):
            if Self.needsScheduling(new) && (old.spec != new.spec || old.metadata.labels != new.metadata.labels) {
                queue.add(key)
            }
            if Self.isBound(new) { state.withLock { _ = $0.assumed.removeValue(forKey: key) } }
            if Self.isBound(new) && !old.isTerminal && new.isTerminal { retryUnschedulable() }
        case .deleted(let pod, _):
            let wasHoldingRoom = state.withLock { s -> Bool in
                s.unschedulable.remove(key)
                return s.assumed.removeValue(forKey: key) != nil
            }
            if Self.isBound(pod) || wasHoldingRoom { retryUnschedulable() }
        }
    }

    private func nodeChanged(_ event: InformerEvent<Node>) {
        switch event {
        case .added:
            retryUnschedulable()
        case .updated(let old, let new):
            if old.spec != new.spec || old.metadata.labels != new.metadata.labels
                || old.status?.allocatable != new.status?.allocatable
            {
                retryUnschedulable()
            }
        case .deleted:
            break
        }
    }

    private func retryUnschedulable() {
        for key in state.withLock({ $0.unschedulable }) { queue.add(key) }
    }

    /// The candidates as the caches (plus our assumed bindings) see them, without `excluding`.
    private func candidates(excluding key: ObjectKey) -> [SchedulingCandidate] {
        let assumed = state.withLock { $0.assumed }
        return nodes.cache.list().filter { $0.metadata.deletionTimestamp == nil }.map { node in
            let name = node.metadata.name ?? ""
            var requested: [String: Quantity] = [:]
            var count = 0
            var seen: Set<ObjectKey> = []
            for pod in pods.cache.list(index: .podsByNode, value: name) where !pod.isTerminal {
                let podKey = ObjectKey(of: pod)
                guard podKey != key else { continue }
                seen.insert(podKey)
                requested.addQuantities(pod.totalRequests)
                count += 1
            }
            for (podKey, placement) in assumed where placement.node == name && podKey != key && !seen.contains(podKey) {
                requested.addQuantities(placement.requests)
                count += 1
            }
            return SchedulingCandidate(node: node, requested: requested, podCount: count)
        }
    }

    private func schedule(_ key: ObjectKey) async {
        guard let pod = pods.cache.get(key), Self.needsScheduling(pod) else {
            state.withLock { _ = $0.unschedulable.remove(key) }
            return
        }
        if state.withLock({ $0.assumed[key] != nil }) { return }
        switch SchedulingFilters.select(pod: pod, candidates: candidates(excluding: key)) {
        case .success(let node):
            await bind(pod, key: key, to: node)
        case .failure(let unschedulable):
            state.withLock { _ = $0.unschedulable.insert(key) }
            await reportUnschedulable(pod, message: unschedulable.message)
        }
    }

    private func bind(_ pod: Pod, key: ObjectKey, to node: String) async {
        state.withLock {
            $0.assumed[key] = Assumed(node: node, requests: pod.totalRequests)
            $0.unschedulable.remove(key)
        }
        do {
            try await client.bind(pod: key.name, namespace: key.namespace, uid: pod.metadata.uid, to: node)
            queue.forget(key)
            logger.debug("Bound Pod", metadata: ["pod": "\(key)", "node": "\(node)"])
        } catch {
            state.withLock { _ = $0.assumed.removeValue(forKey: key) }
            if KubernetesErrors.isConflict(error) || KubernetesErrors.isNotFound(error) { return }
            logger.warning("Failed to bind Pod", metadata: ["pod": "\(key)", "error": "\(error)"])
            queue.addRateLimited(key)
        }
    }

    private func reportUnschedulable(_ pod: Pod, message: String) async {
        let current = pod.status?.condition(.podScheduled)
        if current?.status == .false && current?.reason == "Unschedulable" && current?.message == message { return }
        let condition: JSONValue = [
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
            "lastProbeTime": .null, "lastTransitionTime": .string(Time.now().rfc3339String),
        ]
        do {
            _ = try await client.patchStatus(
                Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace,
                patch: .strategicMerge(["status": ["conditions": [condition]]]), options: WriteOptions())
        } catch {
            logger.debug("Failed to report unschedulable Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "error": "\(error)"])
        }
    }
}
