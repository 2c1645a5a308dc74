import ControllerRuntime
import KubeModel
import Synchronization

/// Hands each event of the shared pod informer to the kubelet of the node the pod is bound to: one handler on
/// the informer for the whole cluster, rather than one per node that would see (and drop) every pod's event —
/// with thousands of nodes that fan-out, not the kubelets' work, would be the cost of a pod event.
final class PodEventRouter: Sendable {
    private let routes = Mutex<[String: AsyncStream<InformerEvent<Pod>>.Continuation]>([:])

    init() {}

    /// Sends the events of pods bound to `node` to `continuation` from now on.
    func add(node: String, _ continuation: AsyncStream<InformerEvent<Pod>>.Continuation) {
        routes.withLock { $0[node] = continuation }
    }

    /// Delivers `event` to the kubelet of the node its pod names (the new state's node for updates), if any.
    func route(_ event: InformerEvent<Pod>) {
        guard let node = event.object.spec?.nodeName, !node.isEmpty else { return }
        routes.withLock { $0[node] }?.yield(event)
    }
}
