public import Unstructured

/// The observed state of a node (core/v1 `NodeStatus`).
public struct NodeStatus: Codable, Hashable, Sendable {
    /// Total resources of the node.
    public var capacity: [String: Quantity]?
    /// Resources available to pods.
    public var allocatable: [String: Quantity]?
    /// Deprecated node phase.
    public var phase: String?
    /// Conditions: `Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure`, ….
    public var conditions: [NodeCondition]?
    /// Addresses of the node.
    public var addresses: [NodeAddress]?
    /// Ports of daemons on the node.
    public var daemonEndpoints: NodeDaemonEndpoints?
    /// Versions and identifiers of the node's software.
    public var nodeInfo: NodeSystemInfo?
    /// Images present on the node.
    public var images: [ContainerImage]?
    /// Volumes attached and mounted.
    public var volumesInUse: [String]?
    /// Volumes attached, kept raw.
    public var volumesAttached: [JSONValue]?
    /// Kubelet config status, kept raw.
    public var config: JSONValue?
    /// Available runtime handlers, kept raw.
    public var runtimeHandlers: [JSONValue]?
    /// Supported features, kept raw.
    public var features: JSONValue?

    /// Creates a value; every optional field defaults to absent.
    public init(
        capacity: [String: Quantity]? = nil,
        allocatable: [String: Quantity]? = nil,
        phase: String? = nil,
        conditions: [NodeCondition]? = nil,
        addresses: [NodeAddress]? = nil,
        daemonEndpoints: NodeDaemonEndpoints? = nil,
        nodeInfo: NodeSystemInfo? = nil,
        images: [ContainerImage]? = nil,
        volumesInUse: [String]? = nil,
        volumesAttached: [JSONValue]? = nil,
        config: JSONValue? = nil,
        runtimeHandlers: [JSONValue]? = nil,
        features: JSONValue? = nil
    ) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.phase = phase
        self.conditions = conditions
        self.addresses = addresses
        self.daemonEndpoints = daemonEndpoints
        self.nodeInfo = nodeInfo
        self.images = images
        self.volumesInUse = volumesInUse
        self.volumesAttached = volumesAttached
        self.config = config
        self.runtimeHandlers = runtimeHandlers
        self.features = features
    }
}

/// A condition of a node.
public struct NodeCondition: Codable, Hashable, Sendable {
    /// The condition type.
    public var type: NodeConditionType
    /// `True`, `False` or `Unknown`.
    public var status: ConditionStatus
    /// When the kubelet last reported the condition.
    public var lastHeartbeatTime: Time?
    /// When `status` last changed.
    public var lastTransitionTime: Time?
    /// A CamelCase reason for the last transition.
    public var reason: String?
    /// A human-readable message.
    public var message: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        type: NodeConditionType,
        status: ConditionStatus,
        lastHeartbeatTime: Time? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastHeartbeatTime = lastHeartbeatTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// The type of a node condition.
public struct NodeConditionType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The kubelet is healthy and ready to accept pods.
    public static let ready: NodeConditionType = "Ready"
    /// Memory is low.
    public static let memoryPressure: NodeConditionType = "MemoryPressure"
    /// Disk space is low.
    public static let diskPressure: NodeConditionType = "DiskPressure"
    /// Too many processes.
    public static let pidPressure: NodeConditionType = "PIDPressure"
    /// The network is not configured.
    public static let networkUnavailable: NodeConditionType = "NetworkUnavailable"
}

/// An address of a node.
public struct NodeAddress: Codable, Hashable, Sendable {
    /// `Hostname`, `InternalIP`, `ExternalIP`, `InternalDNS` or `ExternalDNS`.
    public var type: String
    /// The address.
    public var address: String

    /// Creates a value; every optional field defaults to absent.
    public init(type: String, address: String) {
        self.type = type
        self.address = address
    }
}

/// Endpoints of daemons running on a node.
public struct NodeDaemonEndpoints: Codable, Hashable, Sendable {
    /// The kubelet's endpoint.
    public var kubeletEndpoint: DaemonEndpoint?

    /// Creates a value; every optional field defaults to absent.
    public init(kubeletEndpoint: DaemonEndpoint? = nil) {
        self.kubeletEndpoint = kubeletEndpoint
    }
}

/// A daemon's port (JSON key `Port`, capitalised).
public struct DaemonEndpoint: Codable, Hashable, Sendable {
    /// The port number.
    public var port: Int

    /// Creates a value; every optional field defaults to absent.
    public init(port: Int) {
        self.port = port
    }

    private enum CodingKeys: String, CodingKey {
        case port = "Port"
    }
}

/// Versions and identifiers reported by a node's kubelet.
public struct NodeSystemInfo: Codable, Hashable, Sendable {
    /// The machine id (`/etc/machine-id`).
    public var machineID: String?
    /// The system UUID.
    public var systemUUID: String?
    /// The boot id.
    public var bootID: String?
    /// `uname -r`.
    public var kernelVersion: String?
    /// The OS image, e.g. `Ubuntu 24.04 LTS`.
    public var osImage: String?
    /// E.g. `containerd://2.0.0`.
    public var containerRuntimeVersion: String?
    /// The kubelet version.
    public var kubeletVersion: String?
    /// The kube-proxy version (deprecated).
    public var kubeProxyVersion: String?
    /// E.g. `linux`.
    public var operatingSystem: String?
    /// E.g. `amd64`.
    public var architecture: String?
    /// Swap information, kept raw.
    public var swap: JSONValue?

    /// Creates a value; every optional field defaults to absent.
    public init(
        machineID: String? = nil,
        systemUUID: String? = nil,
        bootID: String? = nil,
        kernelVersion: String? = nil,
        osImage: String? = nil,
        containerRuntimeVersion: String? = nil,
        kubeletVersion: String? = nil,
        kubeProxyVersion: String? = nil,
        operatingSystem: String? = nil,
        architecture: String? = nil,
        swap: JSONValue? = nil
    ) {
        self.machineID = machineID
        self.systemUUID = systemUUID
        self.bootID = bootID
        self.kernelVersion = kernelVersion
        self.osImage = osImage
        self.containerRuntimeVersion = containerRuntimeVersion
        self.kubeletVersion = kubeletVersion
        self.kubeProxyVersion = kubeProxyVersion
        self.operatingSystem = operatingSystem
        self.architecture = architecture
        self.swap = swap
    }
}

/// An image present on a node.
public struct ContainerImage: Codable, Hashable, Sendable {
    /// Names and digests of the image.
    public var names: [String]?
    /// The image size.
    public var sizeBytes: Int64?

    /// Creates a value; every optional field defaults to absent.
    public init(names: [String]? = nil, sizeBytes: Int64? = nil) {
        self.names = names
        self.sizeBytes = sizeBytes
    }
}
