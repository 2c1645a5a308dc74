public import KubeModel

/// Why a pod cannot move to a node. Each case names what the user can change.
public enum NodeFitFailure: Hashable, Sendable, CustomStringConvertible {
    /// The node's `Ready` condition is not `True`.
    case notReady
    /// The node is cordoned (`spec.unschedulable`).
    case unschedulable
    /// The pod's `nodeSelector` does not match the node's labels.
    case nodeSelectorMismatch
    /// The pod's required node affinity excludes the node.
    case nodeAffinityMismatch
    /// The node has a `NoSchedule` or `NoExecute` taint the pod does not tolerate.
    case untoleratedTaint(key: String, effect: String)
    /// Not enough of a resource is left: `requested` by the pod, `available` after the node's other pods
    /// (and migrations already planned to it).
    case insufficient(resource: String, requested: Quantity, available: Quantity)
    /// The node already runs its `pods` capacity.
    case tooManyPods(capacity: Int64)
    /// No pod matching the pod's required affinity runs in the node's topology domain (or the node lacks the
    /// topology label).
    case podAffinityMismatch
    /// A pod matching the pod's required anti-affinity runs in the node's topology domain.
    case podAntiAffinityMismatch
    /// A pod in the node's topology domain has required anti-affinity against this pod.
    case existingPodsAntiAffinity
    /// Placing the pod there would exceed a `DoNotSchedule` spread constraint's `maxSkew`, or the node lacks
    /// a constraint's topology label.
    case topologySpreadMismatch(missingLabel: Bool)
    /// A pod on the node already uses one of the pod's host ports (`ip:port/protocol`).
    case hostPortConflict(String)
    /// The node's container runtime or kubelet cannot restore a checkpoint (what to upgrade).
    case runtimeUnsupported(String)
    /// The PersistentVolume bound to the pod's `claim` cannot be reached from the node (its node affinity).
    case volumeNodeAffinityConflict(claim: String)

    public var description: String {
        switch self {
        case .notReady: "node is not Ready"
        case .unschedulable: "node is cordoned (spec.unschedulable)"
        case .nodeSelectorMismatch: "pod's nodeSelector does not match the node's labels"
        case .nodeAffinityMismatch: "pod's required node affinity excludes the node"
        case .untoleratedTaint(let key, let effect): "node has taint \(key):\(effect) the pod does not tolerate"
        case .insufficient(let resource, let requested, let available):
            "insufficient \(resource): pod requests \(requested), \(available) left"
        case .tooManyPods(let capacity): "node already runs its \(capacity) pods"
        case .podAffinityMismatch: "node didn't match pod affinity rules"
        case .podAntiAffinityMismatch: "node didn't match pod anti-affinity rules"
        case .existingPodsAntiAffinity: "node didn't satisfy existing pods anti-affinity rules"
        case .topologySpreadMismatch(let missingLabel):
            missingLabel
                ? "node didn't match pod topology spread constraints (missing required label)"
                : "node didn't match pod topology spread constraints"
        case .hostPortConflict(let port): "node didn't have free ports for the requested pod ports (\(port) in use)"
        case .runtimeUnsupported(let problem): problem
        case .volumeNodeAffinityConflict(let claim): "the volume of claim \(claim) cannot be reached from the node (its node affinity)"
        }
    }

    /// The phrase kube-scheduler uses for this reason in "0/N nodes are available: …" (counted per node).
    public var schedulerPhrase: String {
        switch self {
        case .notReady: "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
        case .unschedulable: "node(s) were unschedulable"
        case .nodeSelectorMismatch, .nodeAffinityMismatch: "node(s) didn't match Pod's node affinity/selector"
        case .untoleratedTaint(let key, _): "node(s) had untolerated taint {\(key): }"
        case .insufficient(let resource, _, _): "Insufficient \(resource)"
        case .tooManyPods: "Too many pods"
        case .podAffinityMismatch: "node(s) didn't match pod affinity rules"
        case .podAntiAffinityMismatch: "node(s) didn't match pod anti-affinity rules"
        case .existingPodsAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules"
        case .topologySpreadMismatch(let missingLabel):
            missingLabel
                ? "node(s) didn't match pod topology spread constraints (missing required label)"
                : "node(s) didn't match pod topology spread constraints"
        case .hostPortConflict: "node(s) didn't have free ports for the requested pod ports"
        case .runtimeUnsupported: "node(s) cannot restore checkpoints (container runtime or kubelet too old)"
        case .volumeNodeAffinityConflict: "node(s) had volume node affinity conflict"
        }
    }
}

/// What the pods bound to a node already take, summed once so that many candidates can be checked against
/// the node without walking its pods again (the planner checks thousands of pods against thousands of nodes).
public struct NodeUsage: Sendable, Hashable {
    /// Requests of the node's non-terminal pods, per resource.
    public var requested: [String: Quantity]
    /// How many non-terminal pods run there.
    public var podCount: Int
    /// Non-terminal pods per controller UID (to keep replicas of one owner apart).
    public var podsPerOwner: [String: Int]

    /// The usage of `pods` (terminal ones are skipped).
    public init(pods: [Pod]) {
        self.init()
        for pod in pods { add(pod) }
    }

    /// No pods.
    public init() {
        requested = [:]
        podCount = 0
        podsPerOwner = [:]
    }

    /// Whether no pod is counted.
    public var isEmpty: Bool { podCount == 0 && requested.isEmpty && podsPerOwner.isEmpty }

    /// Counts `pod` (unless it is terminal). Pods of the common shape — application containers only, no init
    /// containers, overhead or pod-level requests — are summed without building their request dictionary.
    @inlinable
    public mutating func add(_ pod: Pod) { tally(pod, adding: true) }

    /// Stops counting `pod`, which must have been added in exactly this state (a cache passes the object it
    /// replaced or deleted); terminal pods were never counted and are ignored. Resources and owners that drop
    /// to zero are removed, so a usage built by any sequence of adds and removes equals (`==`) the usage of the
    /// pods that remain.
    @inlinable
    public mutating func remove(_ pod: Pod) { tally(pod, adding: false) }

    /// Adds or subtracts `pod`'s requests, its pod count and its controller. Zero quantities are never stored
    /// (requests cannot be negative), which keeps the representation canonical.
    @inlinable
    mutating func tally(_ pod: Pod, adding: Bool) {
        if pod.isTerminal { return }
        podCount += adding ? 1 : -1
        if let spec = pod.spec {
            if spec.initContainers == nil, spec.overhead == nil, spec.resources == nil {
                for container in spec.containers {
                    guard let requests = container.resources?.requests else { continue }
                    for (name, quantity) in requests { count(quantity, of: name, adding: adding) }
                }
            } else {
                for (name, quantity) in spec.totalRequests { count(quantity, of: name, adding: adding) }
            }
        }
        if let owners = pod.metadata.ownerReferences {
            for owner in owners where owner.controller == true {
                let count = podsPerOwner[owner.uid, default: 0] + (adding ? 1 : -1)
                podsPerOwner[owner.uid] = count == 0 ? nil : count
                break
            }
        }
    }

    @inlinable
    mutating func count(_ quantity: Quantity, of resource: String, adding: Bool) {
        if quantity.isZero { return }
        if adding {
            requested[resource, default: .zero] += quantity
        } else {
            let rest = (requested[resource] ?? .zero) - quantity
            requested[resource] = rest.isZero ? nil : rest
        }
    }
}

/// A pod's demands, computed once so that it can be checked against many nodes: its total requests (sorted by
/// resource name, zero requests dropped) and its CPU and memory requests for scoring.
public struct PodDemand: Sendable {
    /// The total requests (`Pod.totalRequests`), by resource.
    public let requests: [String: Quantity]
    /// The non-zero requests, sorted by resource name (the order failures are reported in).
    let sortedRequests: [(name: String, quantity: Quantity)]
    /// The CPU and memory requests (zero when none), for scoring.
    let cpu: Quantity
    let memory: Quantity
    /// The required node affinity the pod asks for (without ms2m's pin: ``NodePin/requiredNodeAffinity(of:)``),
    /// read once rather than per node.
    let requiredNodeAffinity: NodeSelector?

    /// The demands of `pod`.
    public init(_ pod: Pod) {
        requiredNodeAffinity = NodePin.requiredNodeAffinity(of: pod)
        requests = pod.totalRequests
        sortedRequests = requests.filter { !$0.value.isZero }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        cpu = requests["cpu"] ?? .zero
        memory = requests["memory"] ?? .zero
    }
}

/// The scheduler's filters, as a pure function: whether a pod fits a node given what already runs there.
///
/// These are the rules kube-scheduler applies (NodeUnschedulable, NodeAffinity incl.
/// `nodeSelector`, TaintToleration for `NoSchedule`/`NoExecute`, NodeResourcesFit for every requested
/// resource — extended resources included — plus the pod count; with an ``InterPodCheck``, InterPodAffinity,
/// PodTopologySpread and NodePorts), so a pod pinned to a node that passes them is one the scheduler binds
/// there; and one rule of ms2m's own: the node's runtime and kubelet can restore a checkpoint
/// (``RuntimeSupport``). A pod ms2m restored earlier is judged without its pin to the node it is on
/// (``NodePin``), as it is without its `nodeName`.
/// The migration engine checks a target with them, and the policy planner chooses targets with them.
public enum NodeFit {
    /// Every reason `pod` cannot run on `node`; empty when it fits.
    ///
    /// - Parameters:
    ///   - podsOnNode: the pods bound to the node; terminal ones and `pod` itself (by UID) are ignored.
    ///   - reserved: requests already promised to the node by planned migrations, counted as used.
    public static func failures(
        of pod: Pod, on node: Node, podsOnNode: [Pod], reserved: [String: Quantity] = [:]
    ) -> [NodeFitFailure] {
        let others = podsOnNode.filter { $0.metadata.uid != pod.metadata.uid || pod.metadata.uid == nil }
        return failures(of: pod, on: node, usage: NodeUsage(pods: others), reserved: reserved)
    }

    /// Whether the node matches the pod's `nodeSelector` and `required`, its required node affinity
    /// (``NodePin/requiredNodeAffinity(of:)``, read once by the caller).
    static func matchesNodeAffinity(_ pod: Pod, required: NodeSelector?, _ target: FitNode) -> Bool {
        guard let spec = pod.spec else { return true }
        if let selector = spec.nodeSelector, !selector.allSatisfy({ target.labels[$0.key] == $0.value }) { return false }
        if let required, !required.matches(labels: target.labels, fields: ["metadata.name": target.name])
        {
            return false
        }
        return true
    }

    /// Whether the pod tolerates every `NoSchedule` and `NoExecute` taint of the node but the cordon's.
    static func toleratesTaints(_ pod: Pod, _ target: FitNode) -> Bool {
        if target.blockingTaints.isEmpty { return true }
        let tolerations = pod.spec?.tolerations ?? []
        return target.blockingTaints.allSatisfy { tolerations.tolerates($0) }
    }

    /// The node-level filters: readiness, cordon, nodeSelector, required affinity, taints.
    private static func placementFailures(of pod: Pod, demand: PodDemand, on target: FitNode) -> [NodeFitFailure] {
        var failures: [NodeFitFailure] = []
        if !target.ready { failures.append(.notReady) }
        if target.unschedulable { failures.append(.unschedulable) }
        if let problem = target.runtimeProblem { failures.append(.runtimeUnsupported(problem)) }
        if let spec = pod.spec {
            if let selector = spec.nodeSelector, !selector.allSatisfy({ target.labels[$0.key] == $0.value }) {
                failures.append(.nodeSelectorMismatch)
            }
            if let required = demand.requiredNodeAffinity,
                !required.matches(labels: target.labels, fields: ["metadata.name": target.name])
            {
                failures.append(.nodeAffinityMismatch)
            }
        }
        if !target.blockingTaints.isEmpty {
            let tolerations = pod.spec?.tolerations ?? []
            for taint in target.blockingTaints where !tolerations.tolerates(taint) {
                failures.append(.untoleratedTaint(key: taint.key, effect: taint.effect.rawValue))
            }
        }
        return failures
    }

    /// Whether ``placementFailures(of:demand:on:)`` is empty, decided without collecting the reasons.
    private static func passesPlacement(_ pod: Pod, demand: PodDemand, on target: FitNode) -> Bool {
        guard target.ready, !target.unschedulable, target.runtimeProblem == nil else { return false }
        if let spec = pod.spec, spec.nodeSelector != nil || spec.affinity?.nodeAffinity != nil {
            return placementFailures(of: pod, demand: demand, on: target).isEmpty
        }
        if target.blockingTaints.isEmpty { return true }
        let tolerations = pod.spec?.tolerations ?? []
        return target.blockingTaints.allSatisfy { tolerations.tolerates($0) }
    }

    /// Every reason `pod` cannot run on `node` whose other pods take `usage` (the pod itself must not be
    /// counted in it); empty when it fits. The same rules as ``failures(of:on:podsOnNode:reserved:)``.
    public static func failures(
        of pod: Pod, on node: Node, usage: NodeUsage, reserved: [String: Quantity] = [:]
    ) -> [NodeFitFailure] {
        failures(of: pod, demand: PodDemand(pod), on: node, usage: usage, reserved: reserved)
    }

    /// ``failures(of:on:usage:reserved:)`` with the pod's demands computed beforehand (checking one pod
    /// against many nodes).
    public static func failures(
        of pod: Pod, demand: PodDemand, on node: Node, usage: NodeUsage, reserved: [String: Quantity] = [:]
    ) -> [NodeFitFailure] {
        failures(of: pod, demand: demand, on: FitTarget(node, usage: usage), reserved: reserved)
    }

    /// ``failures(of:demand:on:usage:reserved:)`` against a prepared node; with `interPod`, the rules that read
    /// other pods too (affinity, anti-affinity, topology spread, host ports).
    public static func failures(
        of pod: Pod, demand: PodDemand, on target: FitTarget, reserved: [String: Quantity] = [:],
        interPod: InterPodCheck? = nil
    ) -> [NodeFitFailure] {
        var failures = placementFailures(of: pod, demand: demand, on: target.node)
        failures += resourceFailures(demand, on: target, reserved: reserved)
        if let interPod { failures += interPod.failures(on: target.node) }
        return failures
    }

    /// Whether `pod` fits `node` whose other pods take `usage`: ``failures(of:demand:on:usage:reserved:)`` is
    /// empty, decided without collecting the reasons.
    public static func fits(
        _ pod: Pod, demand: PodDemand, on node: Node, usage: NodeUsage, reserved: [String: Quantity] = [:]
    ) -> Bool {
        fits(pod, demand: demand, on: FitTarget(node, usage: usage), reserved: reserved)
    }

    /// ``fits(_:demand:on:usage:reserved:)`` against a prepared node; with `interPod`, the rules that read other
    /// pods too.
    public static func fits(
        _ pod: Pod, demand: PodDemand, on target: FitTarget, reserved: [String: Quantity] = [:],
        interPod: InterPodCheck? = nil
    ) -> Bool {
        passesPlacement(pod, demand: demand, on: target.node) && resourceFailures(demand, on: target, reserved: reserved).isEmpty
            && (interPod?.passes(target.node) ?? true)
    }

    /// Whether `pod` fits `node` (no ``failures(of:on:podsOnNode:reserved:)``).
    public static func fits(_ pod: Pod, on node: Node, podsOnNode: [Pod], reserved: [String: Quantity] = [:]) -> Bool {
        failures(of: pod, on: node, podsOnNode: podsOnNode, reserved: reserved).isEmpty
    }

    /// The requests of the non-terminal pods in `pods` other than `excluding` (by UID), summed per resource.
    public static func requested(by pods: [Pod], excluding uid: String? = nil) -> [String: Quantity] {
        var total: [String: Quantity] = [:]
        for other in pods where !other.isTerminal && (uid == nil || other.metadata.uid != uid) {
            for (name, quantity) in other.totalRequests { total[name, default: .zero] += quantity }
        }
        return total
    }

    private static func resourceFailures(
        _ demand: PodDemand, on target: FitTarget, reserved: [String: Quantity]
    ) -> [NodeFitFailure] {
        var failures: [NodeFitFailure] = []
        let noReservations = reserved.isEmpty
        for (name, request) in demand.sortedRequests {
            // A resource the node does not advertise is one it has none of (extended resources); cpu and
            // memory are always advertised by a real kubelet.
            let used = noReservations ? target.used(name) : target.used(name) + (reserved[name] ?? .zero)
            let available = target.allocatable(name) - used
            if request > available {
                failures.append(.insufficient(resource: name, requested: request, available: max(available, .zero)))
            }
        }
        if let podCapacity = target.node.podCapacity {
            let planned = noReservations ? 0 : Int64(reserved["pods"]?.value ?? 0)
            if Int64(target.usage.podCount) + planned + 1 > podCapacity {
                failures.append(.tooManyPods(capacity: podCapacity))
            }
        }
        return failures
    }

    /// How empty the node would be after taking `pod`, from 0 (full) to 1 (empty): the mean over CPU and
    /// memory of the free fraction (kube-scheduler's LeastAllocated score). Higher spreads better.
    public static func leastAllocatedScore(
        of pod: Pod, on node: Node, podsOnNode: [Pod], reserved: [String: Quantity] = [:]
    ) -> Double {
        let others = podsOnNode.filter { $0.metadata.uid != pod.metadata.uid || pod.metadata.uid == nil }
        return leastAllocatedScore(of: pod, on: node, usage: NodeUsage(pods: others), reserved: reserved)
    }

    /// ``leastAllocatedScore(of:on:podsOnNode:reserved:)`` from a precomputed usage.
    public static func leastAllocatedScore(
        of pod: Pod, on node: Node, usage: NodeUsage, reserved: [String: Quantity] = [:]
    ) -> Double {
        leastAllocatedScore(demand: PodDemand(pod), on: node, usage: usage, reserved: reserved)
    }

    /// ``leastAllocatedScore(of:on:usage:reserved:)`` with the pod's demands computed beforehand.
    public static func leastAllocatedScore(
        demand: PodDemand, on node: Node, usage: NodeUsage, reserved: [String: Quantity] = [:]
    ) -> Double {
        leastAllocatedScore(demand: demand, on: FitTarget(node, usage: usage), reserved: reserved)
    }

    /// ``leastAllocatedScore(demand:on:usage:reserved:)`` against a prepared node.
    public static func leastAllocatedScore(
        demand: PodDemand, on target: FitTarget, reserved: [String: Quantity] = [:]
    ) -> Double {
        let noReservations = reserved.isEmpty
        func free(_ resource: String, used: Quantity, requested: Quantity, of capacity: Double) -> Double {
            let after = used + requested + (noReservations ? .zero : reserved[resource] ?? .zero)
            return max(0, 1 - after.doubleValue / capacity)
        }
        func freeCPU(_ capacity: Double) -> Double {
            free("cpu", used: target.usedCPU, requested: demand.cpu, of: capacity)
        }
        func freeMemory(_ capacity: Double) -> Double {
            free("memory", used: target.usedMemory, requested: demand.memory, of: capacity)
        }
        switch (target.node.cpuCapacity, target.node.memoryCapacity) {
        case let (cpu?, memory?): return (freeCPU(cpu) + freeMemory(memory)) / 2
        case let (cpu?, nil): return freeCPU(cpu)
        case let (nil, memory?): return freeMemory(memory)
        case (nil, nil): return 0
        }
    }
}
