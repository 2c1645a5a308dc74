import Foundation
public import KubeModel

/// One simulated node: what its kubelet registers (name, labels, taints, capacity, versions).
public struct SimNodeConfiguration: Sendable, Hashable {
    /// The node's name (also its `kubernetes.io/hostname` label).
    public var name: String
    /// Labels added to the ones a kubelet sets itself (`kubernetes.io/hostname`, `kubernetes.io/os`,
    /// `kubernetes.io/arch`).
    public var labels: [String: String]
    /// Taints registered with the node.
    public var taints: [Taint]
    /// Whether the node is cordoned (`spec.unschedulable`).
    public var unschedulable: Bool
    /// CPU capacity (also allocatable).
    public var cpu: Quantity
    /// Memory capacity (also allocatable).
    public var memory: Quantity
    /// How many pods the node accepts.
    public var pods: Int
    /// `status.nodeInfo.containerRuntimeVersion`, such as `cri-o://1.31.2` or `containerd://2.1.0`.
    public var containerRuntimeVersion: String
    /// `status.nodeInfo.kubeletVersion`, such as `v1.31.2`.
    public var kubeletVersion: String
    /// `status.nodeInfo.architecture` and the `kubernetes.io/arch` label.
    public var architecture: String
    /// `status.nodeInfo.osImage`.
    public var osImage: String
    /// `status.nodeInfo.kernelVersion`.
    public var kernelVersion: String

    public init(
        name: String, labels: [String: String] = [:], taints: [Taint] = [], unschedulable: Bool = false,
        cpu: Quantity = "4", memory: Quantity = "8Gi", pods: Int = 110,
        containerRuntimeVersion: String = "cri-o://1.31.2", kubeletVersion: String = "v1.31.2",
        architecture: String = "amd64", osImage: String = "Ubuntu 24.04.1 LTS",
        kernelVersion: String = "6.8.0-48-generic"
    ) {
        self.name = name
        self.labels = labels
        self.taints = taints
        self.unschedulable = unschedulable
        self.cpu = cpu
        self.memory = memory
        self.pods = pods
        self.containerRuntimeVersion = containerRuntimeVersion
        self.kubeletVersion = kubeletVersion
        self.architecture = architecture
        self.osImage = osImage
        self.kernelVersion = kernelVersion
    }

    /// The runtime's name from `containerRuntimeVersion` (`cri-o`, `containerd`); the container-ID scheme.
    public var runtimeName: String {
        containerRuntimeVersion.components(separatedBy: "://").first ?? containerRuntimeVersion
    }

    /// The runtime's version from `containerRuntimeVersion` (`1.31.2`).
    public var runtimeVersion: String {
        let parts = containerRuntimeVersion.components(separatedBy: "://")
        return parts.count > 1 ? parts[1] : ""
    }
}
