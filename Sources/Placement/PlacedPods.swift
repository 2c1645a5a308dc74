public import KubeModel

/// A pod bound to a node, as the inter-pod rules read it: who it is, where, its labels, its own required
/// anti-affinity (which other pods must respect) and its host ports.
public struct PlacedPod: Sendable {
    /// The pod's UID (the pod being moved is left out of the rules by it).
    public var uid: String
    /// What the index files it under: its UID, or its namespace and name when it has none (hand-written
    /// snapshots).
    var key: String
    /// The pod's namespace.
    public var namespace: String
    /// The pod's labels.
    public var labels: [String: String]
    /// The node it is bound to.
    public var node: String
    /// Whether it is being deleted (topology spread does not count it).
    public var terminating: Bool
    /// Its required anti-affinity terms.
    public var antiAffinity: [PodAffinityTerm]
    /// Its host ports.
    public var hostPorts: [HostPortUse]

    /// `pod` as the rules read it; nil when it is not bound or has finished.
    public init?(_ pod: Pod) {
        guard let node = pod.spec?.nodeName, !node.isEmpty, !pod.isTerminal else { return nil }
        self.init(pod, on: node)
    }

    /// The index key of `pod`: its UID, or `name:<namespace>/<name>` without one.
    static func key(of pod: Pod) -> String {
        if let uid = pod.metadata.uid, !uid.isEmpty { return uid }
        return "name:\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")"
    }

    /// `pod` as if bound to `node` (a planned move's copy).
    public init(_ pod: Pod, on node: String) {
        uid = pod.metadata.uid ?? ""
        key = Self.key(of: pod)
        namespace = pod.metadata.namespace ?? ""
        labels = pod.metadata.labels ?? [:]
        self.node = node
        terminating = pod.metadata.deletionTimestamp != nil
        let anti = pod.spec?.affinity?.podAntiAffinity
        antiAffinity = anti == nil ? [] : PodPlacementTerms.required(anti, namespace: namespace)
        hostPorts = HostPortUse.of(pod)
    }
}

/// The pods bound to nodes, indexed for the inter-pod rules: by namespace (affinity, anti-affinity and
/// spread terms look at one namespace unless they say otherwise), the few carrying required anti-affinity by
/// the namespaces their terms are about (so a pod is checked against those that can concern it only), and
/// host-port users by node. A value: the policy controller keeps one in step with its pod cache
/// (``add(_:)``/``remove(_:)``), and a plan updates its copy as it promises pods to nodes (``move(_:to:)``),
/// so later choices in the same plan see earlier ones.
public struct PlacedPods: Sendable {
    /// Pods by namespace, then UID (or name, for pods without one).
    public private(set) var byNamespace: [String: [String: PlacedPod]] = [:]
    /// Pods with required anti-affinity, by a namespace their terms concern (``anyNamespace`` for terms with a
    /// namespaceSelector), then UID.
    private(set) var antiAffinityByTarget: [String: [String: PlacedPod]] = [:]
    /// Host ports in use, by node, then UID.
    private(set) var hostPortsByNode: [String: [String: [HostPortUse]]] = [:]
    /// How many pods are placed.
    public private(set) var count = 0

    /// The key of anti-affinity holders whose terms select namespaces by label.
    static let anyNamespace = "*"

    /// No pods.
    public init() {}

    /// The bound, unfinished pods among `pods`.
    public init(pods: [Pod]) {
        for pod in pods { add(pod) }
    }

    /// Places `pod` (ignored unless bound and unfinished).
    public mutating func add(_ pod: Pod) {
        guard let placed = PlacedPod(pod) else { return }
        insert(placed)
    }

    /// Removes `pod`, as it was added.
    public mutating func remove(_ pod: Pod) {
        remove(key: PlacedPod.key(of: pod), namespace: pod.metadata.namespace ?? "")
    }

    /// A planned move: `pod` leaves the node it is bound to and its copy is on `node`.
    public mutating func move(_ pod: Pod, to node: String) {
        remove(key: PlacedPod.key(of: pod), namespace: pod.metadata.namespace ?? "")
        insert(PlacedPod(pod, on: node))
    }

    /// The placed pods of `namespace`.
    func pods(in namespace: String) -> Dictionary<String, PlacedPod>.Values? { byNamespace[namespace]?.values }

    /// Calls `body` with each holder of required anti-affinity whose terms may concern a pod in `namespace`
    /// (a holder whose terms concern it both by name and by selector comes twice), copying none of them.
    func forEachAntiAffinityHolder(concerning namespace: String, _ body: (PlacedPod) -> Void) {
        if let holders = antiAffinityByTarget[namespace] { for holder in holders.values { body(holder) } }
        if let holders = antiAffinityByTarget[Self.anyNamespace] { for holder in holders.values { body(holder) } }
    }

    private static func targets(of holder: PlacedPod) -> Set<String> {
        var targets = Set<String>()
        for term in holder.antiAffinity {
            targets.formUnion(term.namespaces)
            if term.namespaceSelector != nil { targets.insert(anyNamespace) }
        }
        return targets
    }

    private mutating func insert(_ placed: PlacedPod) {
        let key = placed.key
        if byNamespace[placed.namespace]?[key] != nil { remove(key: key, namespace: placed.namespace) }
        byNamespace[placed.namespace, default: [:]][key] = placed
        if !placed.antiAffinity.isEmpty {
            for target in Self.targets(of: placed) { antiAffinityByTarget[target, default: [:]][key] = placed }
        }
        if !placed.hostPorts.isEmpty { hostPortsByNode[placed.node, default: [:]][key] = placed.hostPorts }
        count += 1
    }

    private mutating func remove(key: String, namespace: String) {
        guard let placed = byNamespace[namespace]?.removeValue(forKey: key) else { return }
        if byNamespace[namespace]?.isEmpty == true { byNamespace[namespace] = nil }
        if !placed.antiAffinity.isEmpty {
            for target in Self.targets(of: placed) {
                antiAffinityByTarget[target]?[key] = nil
                if antiAffinityByTarget[target]?.isEmpty == true { antiAffinityByTarget[target] = nil }
            }
        }
        if !placed.hostPorts.isEmpty {
            hostPortsByNode[placed.node]?[key] = nil
            if hostPortsByNode[placed.node]?.isEmpty == true { hostPortsByNode[placed.node] = nil }
        }
        count -= 1
    }
}
