import KubeClient
import KubeModel
import Logging

/// What every part of one node's kubelet shares: the node, the cluster configuration, the API client, the
/// runtime pieces and the injected faults.
struct KubeletContext: Sendable {
    var node: SimNodeConfiguration
    var cluster: SimClusterConfiguration
    var client: KubeClient
    var faults: SimFaults
    var resolver: ContainerImageResolver
    var writeCheckpoint: CheckpointWriting
    var logger: Logger
    /// The node's InternalIP (every simulated node is this machine).
    var hostIP = "127.0.0.1"

    /// `<root>/nodes/<node>`.
    var nodeRoot: String { cluster.rootDirectory + "/nodes/" + node.name }

    /// The runtime's container-ID scheme (`cri-o://…`, `containerd://…`).
    func containerID(seed: String) -> String { node.runtimeName + "://" + SimIdentifiers.hex(seed) }
}

extension KubeletContext {
    /// Writes a checkpoint archive of `container` of `pod` to a local path (the runtime's archive format).
    typealias CheckpointWriting = @Sendable (
        _ localPath: String, _ pod: Pod, _ container: String, _ programImage: String, _ state: [UInt8]
    ) throws -> Void
}
