public import KubeModel

/// A pod bound to a node, as the inter-pod rules read it: who it is, where, its labels, its own required
/// anti-affinity (which other pods must respect) and its host ports. A class: the rules walk thousands of
/// them per decision, and walking references copies nothing.
public final class PlacedPod: Sendable {
    /// The pod's UID.
    public let uid: String
    /// What the index files it under: its UID, or its namespace and name when it has none (hand-written
    /// snapshots); the pod being moved is left out of the rules by it.
    let key: String
    /// The pod's namespace.
    public let namespace: String
    /// The pod's labels.
    public let labels: [String: String]
    /// The node it is bound to.
    public let node: String
    /// Whether it is being deleted (topology spread does not count it).
    public let terminating: Bool
    /// Its required anti-affinity terms.
    public let antiAffinity: [PodAffinityTerm]
    /// Its host ports.
    public let hostPorts: [HostPortUse]

    /// `pod` as the rules read it; nil when it is not bound or has finished.
    public convenience init?(_ pod: Pod) {
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
        let namespace = pod.metadata.namespace ?? ""
        self.namespace = namespace
        labels = pod.metadata.labels ?? [:]
        self.node = node
        terminating = pod.metadata.deletionTimestamp != nil
        let anti = pod.spec?.affinity?.podAntiAffinity
        antiAffinity = anti == nil ? [] : PodPlacementTerms.required(anti, namespace: namespace)
        hostPorts = HostPortUse.of(pod)
    }
}

/// The pods bound to nodes, indexed for the inter-pod rules: by namespace (affinity, anti-affinity and
/// spread terms look at one namespace unless they say otherwise), by the label keys holders' terms select on,
/// the few carrying required anti-affinity by the namespace and label pair their terms are about (so a pod is
/// checked against those that can concern it only), and host-port users by node. A value: the policy
/// controller keeps one in step with its pod cache (``add(_:)``/``remove(_:)``); a plan does not copy it but
/// records its promised moves beside it (``InterPodContext/move(_:to:)``).
public struct PlacedPods: Sendable {
    /// Pods by namespace, then UID (or name, for pods without one).
    public private(set) var byNamespace: [String: [String: PlacedPod]] = [:]
    /// Pods with required anti-affinity, by a namespace their terms concern (``anyNamespace`` for terms with a
    /// namespaceSelector), then by the label pair their term's selector requires first (``Self/pair(of:)``; ``anyPair``
    /// for selectors without matchLabels), then key: a pod looks up only the holders a label of its own can
    /// concern.
    private(set) var antiAffinityByTarget: [String: [String: [String: PlacedPod]]] = [:]
    /// Pods by namespace, then by `key=value` for the label keys holders' terms select on (``indexedKeys``),
    /// then key: a term on such a key walks its posting instead of the namespace.
    private(set) var byLabel: [String: [String: [String: PlacedPod]]] = [:]
    /// The label keys ``byLabel`` indexes: those the first matchLabels pair of some holder's term uses. Keys
    /// are added when a holder needs them (with a pass over the placed pods) and never dropped.
    private(set) var indexedKeys: Set<String> = []
    /// Host ports in use, by node, then UID.
    private(set) var hostPortsByNode: [String: [String: [HostPortUse]]] = [:]
    /// How many pods are placed.
    public private(set) var count = 0

    /// The key of anti-affinity holders whose terms select namespaces by label.
    static let anyNamespace = "*"
    /// The pair of holders whose term's selector has no matchLabels.
    static let anyPair = "*"

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

    /// The placed pods of `namespace`.
    func pods(in namespace: String) -> Dictionary<String, PlacedPod>.Values? { byNamespace[namespace]?.values }

    /// The placed pods of `namespace` that `term` can match, as few as the index allows: the posting of one
    /// of its matchLabels pairs when that key is indexed, else every pod of the namespace.
    func candidates(for term: PodAffinityTerm, in namespace: String) -> Dictionary<String, PlacedPod>.Values? {
        if let labels = term.selector?.matchLabels {
            for key in labels.keys.sorted() where indexedKeys.contains(key) {
                return byLabel[namespace]?["\(key)=\(labels[key]!)"]?.values ?? [:].values
            }
        }
        return pods(in: namespace)
    }

    /// Calls `body` with each holder of required anti-affinity whose terms may concern a pod in `namespace`
    /// with `labels` (a holder may come more than once), copying none of them.
    func forEachAntiAffinityHolder(
        concerning namespace: String, labels: [String: String], _ body: (PlacedPod) -> Void
    ) {
        for target in [namespace, Self.anyNamespace] {
            guard let byPair = antiAffinityByTarget[target] else { continue }
            if let holders = byPair[Self.anyPair] { for holder in holders.values { body(holder) } }
            for (key, value) in labels {
                if let holders = byPair["\(key)=\(value)"] { for holder in holders.values { body(holder) } }
            }
        }
    }

    /// The label pair a selector requires first (its smallest matchLabels key), `key=value`; nil without one.
    static func pair(of selector: LabelSelector) -> (key: String, value: String)? {
        guard let labels = selector.matchLabels, let key = labels.keys.min() else { return nil }
        return (key, labels[key]!)
    }

    /// Where each of `holder`'s terms is filed: (target namespace, pair).
    private static func slots(of holder: PlacedPod) -> Set<[String]> {
        var slots = Set<[String]>()
        for term in holder.antiAffinity {
            guard let selector = term.selector else { continue }  // a null selector matches no pod
            let pair = Self.pair(of: selector).map { "\($0.key)=\($0.value)" } ?? anyPair
            for namespace in term.namespaces { slots.insert([namespace, pair]) }
            if term.namespaceSelector != nil { slots.insert([anyNamespace, pair]) }
        }
        return slots
    }

    private mutating func insert(_ placed: PlacedPod) {
        let key = placed.key
        if byNamespace[placed.namespace]?[key] != nil { remove(key: key, namespace: placed.namespace) }
        // Keys this holder's terms select on become indexed (built from the pods placed so far).
        for term in placed.antiAffinity {
            if let selector = term.selector, let pair = Self.pair(of: selector), !indexedKeys.contains(pair.key) {
                index(key: pair.key)
            }
        }
        byNamespace[placed.namespace, default: [:]][key] = placed
        for label in placed.labels where indexedKeys.contains(label.key) {
            byLabel[placed.namespace, default: [:]]["\(label.key)=\(label.value)", default: [:]][key] = placed
        }
        for slot in Self.slots(of: placed) {
            antiAffinityByTarget[slot[0], default: [:]][slot[1], default: [:]][key] = placed
        }
        if !placed.hostPorts.isEmpty { hostPortsByNode[placed.node, default: [:]][key] = placed.hostPorts }
        count += 1
    }

    /// Starts indexing `label` for every placed pod.
    private mutating func index(key label: String) {
        indexedKeys.insert(label)
        for (namespace, pods) in byNamespace {
            for (key, pod) in pods {
                if let value = pod.labels[label] {
                    byLabel[namespace, default: [:]]["\(label)=\(value)", default: [:]][key] = pod
                }
            }
        }
    }

    private mutating func remove(key: String, namespace: String) {
        guard let placed = byNamespace[namespace]?.removeValue(forKey: key) else { return }
        if byNamespace[namespace]?.isEmpty == true { byNamespace[namespace] = nil }
        for label in placed.labels where indexedKeys.contains(label.key) {
            let pair = "\(label.key)=\(label.value)"
            byLabel[namespace]?[pair]?[key] = nil
            if byLabel[namespace]?[pair]?.isEmpty == true { byLabel[namespace]?[pair] = nil }
            if byLabel[namespace]?.isEmpty == true { byLabel[namespace] = nil }
        }
        for slot in Self.slots(of: placed) {
            antiAffinityByTarget[slot[0]]?[slot[1]]?[key] = nil
            if antiAffinityByTarget[slot[0]]?[slot[1]]?.isEmpty == true { antiAffinityByTarget[slot[0]]?[slot[1]] = nil }
            if antiAffinityByTarget[slot[0]]?.isEmpty == true { antiAffinityByTarget[slot[0]] = nil }
        }
        if !placed.hostPorts.isEmpty {
            hostPortsByNode[placed.node]?[key] = nil
            if hostPortsByNode[placed.node]?.isEmpty == true { hostPortsByNode[placed.node] = nil }
        }
        count -= 1
    }
}
