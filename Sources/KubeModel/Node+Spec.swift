public import Unstructured

/// The configuration of a node (core/v1 `NodeSpec`).
public struct NodeSpec: Codable, Hashable, Sendable {
    /// The pod IP range of the node.
    public var podCIDR: String?
    /// The pod IP ranges (one per family).
    public var podCIDRs: [String]?
    /// The cloud provider's id of the machine.
    public var providerID: String?
    /// Whether new pods are kept off the node (cordoned).
    public var unschedulable: Bool?
    /// Taints repelling pods that do not tolerate them.
    public var taints: [Taint]?
    /// Deprecated dynamic kubelet config, kept raw.
    public var configSource: JSONValue?

    /// Creates a value; every optional field defaults to absent.
    public init(
        podCIDR: String? = nil,
        podCIDRs: [String]? = nil,
        providerID: String? = nil,
        unschedulable: Bool? = nil,
        taints: [Taint]? = nil,
        configSource: JSONValue? = nil
    ) {
        self.podCIDR = podCIDR
        self.podCIDRs = podCIDRs
        self.providerID = providerID
        self.unschedulable = unschedulable
        self.taints = taints
        self.configSource = configSource
    }
}

/// A taint on a node: pods that do not tolerate it are kept off or evicted (core/v1 `Taint`).
public struct Taint: Codable, Hashable, Sendable {
    /// The taint key.
    public var key: String
    /// The taint value.
    public var value: String?
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    public var effect: TaintEffect
    /// When a `NoExecute` taint was added.
    public var timeAdded: Time?

    /// Creates a value; every optional field defaults to absent.
    public init(key: String, value: String? = nil, effect: TaintEffect, timeAdded: Time? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }
}

/// The effect of a taint.
public struct TaintEffect: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// New pods that do not tolerate the taint are not scheduled.
    public static let noSchedule: TaintEffect = "NoSchedule"
    /// The scheduler avoids the node for pods that do not tolerate the taint.
    public static let preferNoSchedule: TaintEffect = "PreferNoSchedule"
    /// Pods that do not tolerate the taint are evicted, and new ones not scheduled.
    public static let noExecute: TaintEffect = "NoExecute"
}
