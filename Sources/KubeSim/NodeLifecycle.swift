import Unstructured

/// The taints a Node carries because of its conditions and cordon, as kube-apiserver's `TaintNodesByCondition`
/// admission plugin (plugin/pkg/admission/nodetaint) and the node lifecycle controller's NoSchedule pass
/// (pkg/controller/nodelifecycle, `doNoScheduleTaintingPass`, v1.28–v1.31) maintain them — see "Taint Nodes by
/// Condition" on kubernetes.io (concepts/scheduling-eviction/taint-and-toleration).
///
/// A new Node is admitted with `node.kubernetes.io/not-ready:NoSchedule`, so nothing is scheduled to it before
/// the controller has seen its conditions; the controller then keeps exactly one NoSchedule taint per condition
/// that warrants one (Ready False → not-ready, Ready Unknown → unreachable, MemoryPressure, DiskPressure,
/// PIDPressure, NetworkUnavailable True → their taints) plus `node.kubernetes.io/unschedulable` while
/// `spec.unschedulable` is true. Taints it does not own (other keys, other effects) are left alone. The
/// NoExecute taints of unhealthy nodes, which the controller sets after the node monitor grace period, are not
/// reproduced: SimCluster sets them when it loses a node.
enum NodeLifecycle {
    static let notReady = "node.kubernetes.io/not-ready"
    static let unreachable = "node.kubernetes.io/unreachable"
    static let unschedulable = "node.kubernetes.io/unschedulable"

    /// `nodeConditionToTaintKeyStatusMap`: condition type → status → taint key.
    static let conditionTaints: [String: [String: String]] = [
        "Ready": ["False": notReady, "Unknown": unreachable],
        "MemoryPressure": ["True": "node.kubernetes.io/memory-pressure"],
        "DiskPressure": ["True": "node.kubernetes.io/disk-pressure"],
        "NetworkUnavailable": ["True": "node.kubernetes.io/network-unavailable"],
        "PIDPressure": ["True": "node.kubernetes.io/pid-pressure"],
    ]

    /// Every taint key the NoSchedule pass owns.
    static let ownedKeys: Set<String> = Set(conditionTaints.values.flatMap(\.values)).union([unschedulable])

    /// `TaintNodesByCondition` on create: the not-ready NoSchedule taint, unless the node already carries it.
    static func admitNewNode(_ node: inout JSONValue) {
        var taints = node[path: ["spec", "taints"]]?.arrayValue ?? []
        if taints.contains(where: { $0["key"]?.stringValue == notReady && $0["effect"]?.stringValue == "NoSchedule" }) {
            return
        }
        taints.append(["key": .string(notReady), "effect": "NoSchedule"])
        node[path: ["spec", "taints"]] = .array(taints)
    }

    /// The NoSchedule taint keys the node's conditions and cordon call for.
    static func wantedKeys(_ node: JSONValue) -> Set<String> {
        var keys = Set<String>()
        for condition in node[path: ["status", "conditions"]]?.arrayValue ?? [] {
            guard let type = condition["type"]?.stringValue, let status = condition["status"]?.stringValue,
                let key = conditionTaints[type]?[status]
            else { continue }
            keys.insert(key)
        }
        if node[path: ["spec", "unschedulable"]]?.boolValue == true { keys.insert(unschedulable) }
        return keys
    }

    /// The NoSchedule taint keys the node carries that the pass owns.
    static func ownedKeys(of node: JSONValue) -> Set<String> {
        var keys = Set<String>()
        for taint in node[path: ["spec", "taints"]]?.arrayValue ?? [] {
            guard taint["effect"]?.stringValue == "NoSchedule", let key = taint["key"]?.stringValue,
                ownedKeys.contains(key)
            else { continue }
            keys.insert(key)
        }
        return keys
    }

    /// Whether a write left the node's owned taints out of line with its conditions and cordon.
    static func needsTaintingPass(_ node: JSONValue) -> Bool {
        !node.isDeleting && wantedKeys(node) != ownedKeys(of: node)
    }

    /// The node's taints after the pass (`SwapNodeControllerTaint`): owned taints no longer called for removed,
    /// missing ones added with `timeAdded`; nil when nothing changes.
    static func reconciledTaints(_ node: JSONValue, now: String) -> [JSONValue]? {
        let wanted = wantedKeys(node)
        let present = ownedKeys(of: node)
        guard wanted != present else { return nil }
        var taints = (node[path: ["spec", "taints"]]?.arrayValue ?? []).filter { taint in
            guard taint["effect"]?.stringValue == "NoSchedule", let key = taint["key"]?.stringValue,
                ownedKeys.contains(key)
            else { return true }
            return wanted.contains(key)
        }
        for key in wanted.subtracting(present).sorted() {
            taints.append(["key": .string(key), "effect": "NoSchedule", "timeAdded": .string(now)])
        }
        return taints
    }
}

extension KubeSimCore {
    /// The node lifecycle controller's NoSchedule pass for one node, on its current state.
    func syncNodeConditionTaints(_ name: String) {
        let info = BuiltinResources.nodes
        _ = try? store.locked { s in
            guard let node = s.get(info.id, name), !node.value.isDeleting,
                let taints = NodeLifecycle.reconciledTaints(node.value, now: Sim.timestamp())
            else { return }
            var new = node.value
            new[path: ["spec", "taints"]] = taints.isEmpty ? nil : .array(taints)
            s.put(info, new, prev: node)
        }
    }
}
