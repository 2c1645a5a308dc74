import KubeClient
import KubeModel
import Logging
import OperatorCore
import Unstructured

/// The node-facing half of a kubelet: registers the Node, keeps its Lease in `kube-node-lease` renewed every
/// heartbeat interval, and re-posts the node status (condition heartbeat times) every report interval.
struct NodeAgent: Sendable {
    var node: SimNodeConfiguration
    var podCIDR: String
    var kubeletPort: Int
    var client: KubeClient
    var leaseInterval: Duration
    var statusInterval: Duration
    var logger: Logger

    /// Creates the Node (or brings an existing one up to date) with its status, and its Lease.
    func register() async throws {
        let now = Time.now()
        let desired = NodeObjects.node(node, podCIDR: podCIDR, kubeletPort: kubeletPort, now: now)
        var stored: Node
        do {
            stored = try await client.create(desired, namespace: nil, options: WriteOptions())
        } catch where KubernetesErrors.isAlreadyExists(error) {
            let patch: JSONValue = [
                "metadata": ["labels": try JSONValueEncoder().encode(desired.metadata.labels ?? [:])],
                "spec": try JSONValueEncoder().encode(desired.spec ?? NodeSpec()),
            ]
            stored = try await client.patch(
                Node.self, name: node.name, namespace: nil, patch: .merge(patch), subresource: nil, options: WriteOptions())
        }
        try await postStatus(readySince: now)
        _ = try await renewLease(nodeUID: stored.metadata.uid)
    }

    /// Renews the lease and re-posts the status until the task is cancelled.
    func run() async {
        let clock = ContinuousClock()
        var lastStatus = clock.now
        let readySince = Time.now()
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: leaseInterval)) != nil else { return }
            do {
                _ = try await renewLease(nodeUID: nil)
                if clock.now - lastStatus >= statusInterval {
                    try await postStatus(readySince: readySince)
                    lastStatus = clock.now
                }
            } catch {
                logger.warning("Failed to renew node heartbeat", metadata: ["node": "\(node.name)", "error": "\(error)"])
            }
        }
    }

    private func postStatus(readySince: Time) async throws {
        let status = NodeObjects.status(node, kubeletPort: kubeletPort, now: Time.now(), readySince: readySince)
        _ = try await client.patchStatus(
            Node.self, name: node.name, namespace: nil, patch: .merge(["status": try JSONValueEncoder().encode(status)]),
            options: WriteOptions())
    }

    /// Creates the lease, or moves its renew time to now.
    private func renewLease(nodeUID: String?) async throws -> Lease {
        let now = MicroTime.now()
        do {
            var lease = try await client.get(Lease.self, name: node.name, namespace: NodeObjects.leaseNamespace)
            lease.spec = lease.spec ?? LeaseSpec()
            lease.spec?.holderIdentity = node.name
            lease.spec?.leaseDurationSeconds = NodeObjects.leaseDurationSeconds
            lease.spec?.renewTime = now
            return try await client.update(lease, options: WriteOptions())
        } catch where KubernetesErrors.isNotFound(error) {
            return try await client.create(
                NodeObjects.lease(node: node.name, nodeUID: nodeUID, now: now), namespace: NodeObjects.leaseNamespace,
                options: WriteOptions())
        }
    }
}
