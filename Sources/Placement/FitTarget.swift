public import KubeModel

/// A node as the fit rules read it, prepared once so that many pods can be checked against it: its name,
/// readiness, cordon, labels, the taints that keep pods off (`NoSchedule`, `NoExecute`), allocatable
/// resources and what its pods already request. Checking a pod against a prepared node copies nothing and
/// looks up nothing it does not need; a planner ranking pods against thousands of nodes prepares them once
/// per plan (`TargetChooser.prepare(_:usage:)`). A class, so that walking thousands of them copies nothing;
/// it keeps only what the rules read, not the `Node` (copying a whole node value for each of thousands of
/// nodes on every plan was a third of the eviction webhook's decision time).
public final class FitTarget: Sendable {
    /// The node's name.
    public let name: String
    /// What the node's pods already request.
    public let usage: NodeUsage
    let ready: Bool
    let unschedulable: Bool
    let labels: [String: String]
    /// `NoSchedule` and `NoExecute` taints other than the cordon's (reported as `.unschedulable`).
    let blockingTaints: [Taint]
    let allocatable: [String: Quantity]
    /// Allocatable CPU and memory as numbers, when advertised and positive (the spread score's divisors).
    let cpuCapacity: Double?
    let memoryCapacity: Double?

    /// Prepares `node` whose pods request `usage`.
    public init(_ node: Node, usage: NodeUsage) {
        self.name = node.metadata.name ?? ""
        self.usage = usage
        ready = node.isReady
        unschedulable = node.isUnschedulable
        labels = node.metadata.labels ?? [:]
        blockingTaints = node.taints.filter {
            ($0.effect == .noSchedule || $0.effect == .noExecute) && $0.key != "node.kubernetes.io/unschedulable"
        }
        let allocatable = node.status?.allocatable ?? [:]
        self.allocatable = allocatable
        cpuCapacity = allocatable["cpu"].flatMap { $0 > .zero ? $0.doubleValue : nil }
        memoryCapacity = allocatable["memory"].flatMap { $0 > .zero ? $0.doubleValue : nil }
    }
}
