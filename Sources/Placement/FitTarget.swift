public import KubeModel

/// A node as the fit rules and the drain triggers read it, prepared once per version of the node: its name,
/// readiness, cordon, labels, taints, allocatable resources and their numeric forms. A class, so that walking
/// thousands of them copies nothing; it keeps only what the rules read, not the `Node`.
///
/// The policy controller keeps one per cached node, replaced when the node changes (a summary of the node
/// cache), so that neither planning nor the eviction webhook copies and prepares every node on every
/// decision: at 5,000 nodes, copying each `Node` value and preparing it was most of a decision's time.
public final class FitNode: Sendable {
    /// The node's name.
    public let name: String
    /// Whether the node's `Ready` condition is `True`.
    public let ready: Bool
    /// Whether the node is cordoned (`spec.unschedulable`).
    public let unschedulable: Bool
    /// The node's labels.
    public let labels: [String: String]
    /// Every taint of the node.
    public let taints: [Taint]
    /// `NoSchedule` and `NoExecute` taints other than the cordon's (reported as `.unschedulable`).
    let blockingTaints: [Taint]
    /// `PreferNoSchedule` taints (they lower the node's score).
    let preferNoScheduleTaints: [Taint]
    /// `status.allocatable`.
    let allocatable: [String: Quantity]
    /// Allocatable CPU and memory (zero when not advertised), read without a lookup for every pod checked.
    let allocatableCPU: Quantity
    let allocatableMemory: Quantity
    /// Allocatable CPU and memory as numbers, when advertised and positive (the spread score's divisors).
    let cpuCapacity: Double?
    let memoryCapacity: Double?
    /// Allocatable pods, when advertised.
    let podCapacity: Int64?
    /// Why the node's runtime or kubelet cannot checkpoint and restore (``RuntimeSupport``); nil when it can.
    public let runtimeProblem: String?

    /// Prepares `node`.
    public init(_ node: Node) {
        self.name = node.metadata.name ?? ""
        ready = node.isReady
        unschedulable = node.isUnschedulable
        labels = node.metadata.labels ?? [:]
        let taints = node.taints
        self.taints = taints
        blockingTaints = taints.filter {
            ($0.effect == .noSchedule || $0.effect == .noExecute) && $0.key != "node.kubernetes.io/unschedulable"
        }
        preferNoScheduleTaints = taints.filter { $0.effect == .preferNoSchedule }
        let allocatable = node.status?.allocatable ?? [:]
        self.allocatable = allocatable
        allocatableCPU = allocatable["cpu"] ?? .zero
        allocatableMemory = allocatable["memory"] ?? .zero
        cpuCapacity = allocatable["cpu"].flatMap { $0 > .zero ? $0.doubleValue : nil }
        memoryCapacity = allocatable["memory"].flatMap { $0 > .zero ? $0.doubleValue : nil }
        podCapacity = allocatable["pods"]?.value
        runtimeProblem = RuntimeSupport.problem(with: node)
    }
}

/// A prepared node (``FitNode``) with what its pods already request, so that many pods can be checked
/// against it: checking a pod copies nothing and looks up nothing it does not need (CPU and memory, which every
/// pod requests, are read from stored fields). A planner ranking pods against thousands of nodes pairs them
/// once per plan (`TargetChooser.prepare(_:usage:)`): a value of one reference and the usage, so an array of
/// them is one allocation.
public struct FitTarget: Sendable {
    /// The node as the rules read it.
    public let node: FitNode
    /// What the node's pods already request.
    public let usage: NodeUsage
    /// `usage`'s CPU and memory requests.
    let usedCPU: Quantity
    let usedMemory: Quantity

    /// `node` whose pods request `usage`.
    public init(_ node: FitNode, usage: NodeUsage) {
        self.node = node
        self.usage = usage
        usedCPU = usage.requested["cpu"] ?? .zero
        usedMemory = usage.requested["memory"] ?? .zero
    }

    /// Prepares `node` whose pods request `usage`.
    public init(_ node: Node, usage: NodeUsage) {
        self.init(FitNode(node), usage: usage)
    }

    /// The node's name.
    public var name: String { node.name }

    /// What the node's pods request of `resource`.
    func used(_ resource: String) -> Quantity {
        switch resource {
        case "cpu": usedCPU
        case "memory": usedMemory
        default: usage.requested[resource] ?? .zero
        }
    }

    /// What the node can give of `resource` (zero when it does not advertise it).
    func allocatable(_ resource: String) -> Quantity {
        switch resource {
        case "cpu": node.allocatableCPU
        case "memory": node.allocatableMemory
        default: node.allocatable[resource] ?? .zero
        }
    }
}
