public import KubeModel

/// The cluster around the nodes, as the inter-pod rules need it: the placed pods, every node's labels (the
/// topology domains of the pods' nodes) and the namespaces' labels (for terms with a `namespaceSelector`).
///
/// The rules are kube-scheduler's filters that read other pods — InterPodAffinity (the pod's required
/// affinity and anti-affinity, and the placed pods' required anti-affinity against it), PodTopologySpread
/// (`DoNotSchedule` constraints) and NodePorts — with the pod being moved left out: its source copy is the
/// one going away. A value; a plan records each move it promises (``move(_:to:)``) beside the placed pods,
/// which are never copied (the controller's index of 100,000s of pods is shared, not duplicated per plan).
public struct InterPodContext: Sendable {
    /// The placed pods, as observed.
    public let placed: PlacedPods
    /// Copies of the pods promised to other nodes in this plan.
    private(set) var promised: [PlacedPod] = []
    /// The keys of pods whose observed copy no longer counts (promised elsewhere).
    private(set) var departed: Set<String> = []
    /// Every node by name.
    let nodes: [String: FitNode]
    /// Each namespace's labels.
    let namespaceLabels: [String: [String: String]]
    /// Where the pods' persistent volumes can be reached.
    let volumes: VolumeTopology

    /// A context over `placed` pods on `nodes`, with the volumes' topology; `nodesByName`, when the caller
    /// keeps the same nodes by name (the controller's node summary), saves indexing them again.
    public init(
        placed: PlacedPods, nodes: [FitNode], namespaceLabels: [String: [String: String]] = [:],
        volumes: VolumeTopology = VolumeTopology(), nodesByName: [String: FitNode]? = nil
    ) {
        self.placed = placed
        self.nodes = nodesByName ?? Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.namespaceLabels = namespaceLabels
        self.volumes = volumes
    }

    /// A context over `pods` bound to `nodes`.
    public init(
        pods: [Pod], nodes: [Node], namespaceLabels: [String: [String: String]] = [:],
        volumes: VolumeTopology = VolumeTopology()
    ) {
        self.init(
            placed: PlacedPods(pods: pods), nodes: nodes.map(FitNode.init), namespaceLabels: namespaceLabels,
            volumes: volumes)
    }

    /// Records a promised move: `pod`'s copy is on `node` and its source no longer counts.
    public mutating func move(_ pod: Pod, to node: String) {
        let copy = PlacedPod(pod, on: node)
        departed.insert(copy.key)
        promised.removeAll { $0.key == copy.key }
        promised.append(copy)
    }

    /// The rules for `pod`, prepared once to check it against many nodes.
    public func check(for pod: Pod) -> InterPodCheck { InterPodCheck(pod: pod, context: self) }

    /// A namespace's labels (nil when unknown).
    func labels(ofNamespace name: String) -> [String: String]? { namespaceLabels[name] }

    /// The value of `key` on the node named `node`, if it has the label.
    func topologyValue(_ key: String, of node: String) -> String? { nodes[node]?.labels[key] }
}

/// A topology domain: a node label and its value.
struct TopologyPair: Hashable {
    var key: String
    var value: String
}

/// The inter-pod rules for one pod, with the counts they need computed once (as kube-scheduler's PreFilter
/// does): then each node is a few dictionary lookups. A class: it is handed to the fit rules once per node.
public final class InterPodCheck: Sendable {
    private let terms: PodPlacementTerms
    /// Placed pods matching all of the pod's affinity terms, per domain of each term.
    private let affinityCounts: [TopologyPair: Int]
    /// Whether the pod may be the first of its group: no placed pod matches its affinity terms and the pod
    /// matches them itself.
    private let firstOfAffinityGroup: Bool
    /// Placed pods matching each of the pod's anti-affinity terms, per domain.
    private let antiAffinityCounts: [TopologyPair: Int]
    /// Domains placed pods' anti-affinity forbids to this pod.
    private let forbiddenByOthers: Set<TopologyPair>
    /// Per spread constraint: matching pods per domain value among eligible nodes, and the global minimum.
    private let spreadCounts: [(counts: [String: Int], minimum: Int, selfMatch: Int)]
    /// The placed pods' host ports per node (only when the pod asks for host ports).
    private let hostPortsByNode: [String: [HostPortUse]]
    /// Preferred pod affinity minus preferred anti-affinity: per domain, the weights of the terms times the
    /// placed pods matching them there (InterPodAffinity's score).
    private let preferenceByPair: [TopologyPair: Int]
    /// The topology keys of the preferred terms.
    private let preferenceKeys: [String]
    /// Per `ScheduleAnyway` constraint: matching pods per domain value (PodTopologySpread's score).
    private let softSpreadCounts: [[String: Int]]
    /// The node selectors the pod's volumes require, with their claims (VolumeBinding).
    private let volumeRequirements: [(claim: String, selector: NodeSelector)]

    init(pod: Pod, context: InterPodContext) {
        let terms = PodPlacementTerms(pod)
        self.terms = terms
        let namespace = pod.metadata.namespace ?? ""
        let labels = pod.metadata.labels ?? [:]
        // The pod itself (its source copy, which is going away) is left out of every count.
        // (Keys are unique: a uid, or the namespace and name.)
        let ownKey = PlacedPod.key(of: pod)
        let departed = context.departed
        /// Whether an observed pod counts: not this pod, not promised elsewhere in this plan.
        let counts: (PlacedPod) -> Bool = { $0.key != ownKey && (departed.isEmpty || !departed.contains($0.key)) }
        /// The promised copies that count (all but this pod's own).
        let promised = context.promised.filter { $0.key != ownKey }
        /// Calls `body` with the observed pods of `sources` that count, then with the promised copies in a
        /// namespace `inNamespace` accepts.
        func each(
            _ sources: [Dictionary<String, PlacedPod>.Values], inNamespace: (String) -> Bool,
            _ body: (PlacedPod) -> Void
        ) {
            for pods in sources { for other in pods where counts(other) { body(other) } }
            for other in promised where inNamespace(other.namespace) { body(other) }
        }
        let namespaceLabels: (String) -> [String: String]? = { context.labels(ofNamespace: $0) }

        // Other pods' required anti-affinity against this pod.
        var forbidden = Set<TopologyPair>()
        func forbid(by holder: PlacedPod) {
            for term in holder.antiAffinity
            where term.matches(namespace: namespace, labels: labels, namespaceLabels: namespaceLabels) {
                if let value = context.topologyValue(term.topologyKey, of: holder.node) {
                    forbidden.insert(TopologyPair(key: term.topologyKey, value: value))
                }
            }
        }
        context.placed.forEachAntiAffinityHolder(concerning: namespace, labels: labels) { holder in
            if counts(holder) { forbid(by: holder) }
        }
        for holder in promised where !holder.antiAffinity.isEmpty { forbid(by: holder) }
        forbiddenByOthers = forbidden

        var affinity: [TopologyPair: Int] = [:]
        var anti: [TopologyPair: Int] = [:]
        var spread: [[String: Int]] = terms.spread.map { _ in [:] }

        /// The placed pods `term` may match: its namespaces' pods (through the label index when it can), or
        /// every pod when it selects namespaces by label.
        func scanned(_ term: PodAffinityTerm) -> [Dictionary<String, PlacedPod>.Values] {
            if term.namespaceSelector != nil { return context.placed.byNamespace.values.map(\.values) }
            return term.namespaces.sorted().compactMap { context.placed.candidates(for: term, in: $0) }
        }
        // Affinity: a pod counts when it matches every term; the first term's candidates are walked.
        if let first = terms.affinity.first {
            each(scanned(first), inNamespace: { _ in true }) { other in
                guard terms.affinity.allSatisfy({
                    $0.matches(namespace: other.namespace, labels: other.labels, namespaceLabels: namespaceLabels)
                }) else { return }
                for term in terms.affinity {
                    if let value = context.topologyValue(term.topologyKey, of: other.node) {
                        affinity[TopologyPair(key: term.topologyKey, value: value), default: 0] += 1
                    }
                }
            }
        }
        for term in terms.antiAffinity {
            each(scanned(term), inNamespace: { _ in true }) { other in
                guard term.matches(namespace: other.namespace, labels: other.labels, namespaceLabels: namespaceLabels),
                    let value = context.topologyValue(term.topologyKey, of: other.node)
                else { return }
                anti[TopologyPair(key: term.topologyKey, value: value), default: 0] += 1
            }
        }

        // Spread: the eligible nodes' domains, each starting at zero, then the matching pods of the pod's
        // namespace on eligible nodes.
        if !terms.spread.isEmpty {
            var eligible: Set<String> = []
            let keys = terms.spread.map(\.topologyKey)
            let honorsAffinity = terms.spread.contains(where: \.honorsNodeAffinity)
            let honorsTaints = terms.spread.contains(where: \.honorsTaints)
            let required = honorsAffinity ? NodePin.requiredNodeAffinity(of: pod) : nil
            for node in context.nodes.values where keys.allSatisfy({ node.labels[$0] != nil }) {
                if honorsAffinity, !NodeFit.matchesNodeAffinity(pod, required: required, node) { continue }
                if honorsTaints, !NodeFit.toleratesTaints(pod, node) { continue }
                eligible.insert(node.name)
                for (index, key) in keys.enumerated() { spread[index][node.labels[key]!, default: 0] += 0 }
            }
            each(context.placed.pods(in: namespace).map { [$0] } ?? [], inNamespace: { $0 == namespace }) { other in
                guard !other.terminating, eligible.contains(other.node) else { return }
                let nodeLabels = context.nodes[other.node]?.labels ?? [:]
                for (index, constraint) in terms.spread.enumerated() where constraint.selector?.matches(other.labels) == true {
                    if let value = nodeLabels[constraint.topologyKey] { spread[index][value, default: 0] += 1 }
                }
            }
        }
        // Soft preferences (scoring only): preferred pod (anti-)affinity and ScheduleAnyway spread.
        var preference: [TopologyPair: Int] = [:]
        let weighted = terms.preferredAffinity.map { ($0.weight, $0.term) } + terms.preferredAntiAffinity.map { (-$0.weight, $0.term) }
        if !weighted.isEmpty {
            let scanned: [Dictionary<String, PlacedPod>.Values]
            if weighted.contains(where: { $0.1.namespaceSelector != nil }) {
                scanned = context.placed.byNamespace.values.map(\.values)
            } else {
                scanned = Set(weighted.flatMap(\.1.namespaces)).compactMap { context.placed.pods(in: $0) }
            }
            each(scanned, inNamespace: { _ in true }) { other in
                for (weight, term) in weighted
                where term.matches(namespace: other.namespace, labels: other.labels, namespaceLabels: namespaceLabels) {
                    if let value = context.topologyValue(term.topologyKey, of: other.node) {
                        preference[TopologyPair(key: term.topologyKey, value: value), default: 0] += weight
                    }
                }
            }
        }
        preferenceByPair = preference
        preferenceKeys = Array(Set(weighted.map(\.1.topologyKey))).sorted()
        var soft: [[String: Int]] = terms.softSpread.map { _ in [:] }
        if !terms.softSpread.isEmpty {
            each(context.placed.pods(in: namespace).map { [$0] } ?? [], inNamespace: { $0 == namespace }) { other in
                guard !other.terminating else { return }
                let nodeLabels = context.nodes[other.node]?.labels ?? [:]
                for (index, constraint) in terms.softSpread.enumerated() where constraint.selector?.matches(other.labels) == true {
                    if let value = nodeLabels[constraint.topologyKey] { soft[index][value, default: 0] += 1 }
                }
            }
        }
        softSpreadCounts = soft
        volumeRequirements = context.volumes.requirements(of: pod)

        var hostPorts: [String: [HostPortUse]] = [:]
        if !terms.hostPorts.isEmpty {
            for (node, users) in context.placed.hostPortsByNode {
                for (key, ports) in users where key != ownKey && !departed.contains(key) {
                    hostPorts[node, default: []] += ports
                }
            }
            for other in promised where !other.hostPorts.isEmpty { hostPorts[other.node, default: []] += other.hostPorts }
        }
        hostPortsByNode = hostPorts
        affinityCounts = affinity
        firstOfAffinityGroup =
            affinity.isEmpty
            && terms.affinity.allSatisfy {
                $0.matches(namespace: namespace, labels: labels, namespaceLabels: namespaceLabels)
            }
        antiAffinityCounts = anti
        spreadCounts = zip(terms.spread, spread).map { constraint, counts in
            let domains = counts.count
            var minimum = counts.values.min() ?? 0
            if let minDomains = constraint.minDomains, domains < minDomains { minimum = 0 }
            return (counts, minimum, constraint.selector?.matches(labels) == true ? 1 : 0)
        }
    }


    /// Every inter-pod reason the pod cannot go to `node`; empty when none.
    public func failures(on node: FitNode) -> [NodeFitFailure] {
        var failures: [NodeFitFailure] = []
        if !forbiddenByOthers.isEmpty,
            node.labels.contains(where: { forbiddenByOthers.contains(TopologyPair(key: $0.key, value: $0.value)) })
        {
            failures.append(.existingPodsAntiAffinity)
        }
        for requirement in volumeRequirements
        where !requirement.selector.matches(labels: node.labels, fields: ["metadata.name": node.name]) {
            failures.append(.volumeNodeAffinityConflict(claim: requirement.claim))
            break
        }
        if terms.isEmpty { return failures }
        if !terms.affinity.isEmpty {
            var satisfied = true
            for term in terms.affinity {
                guard let value = node.labels[term.topologyKey] else {
                    satisfied = false
                    break
                }
                if (affinityCounts[TopologyPair(key: term.topologyKey, value: value)] ?? 0) <= 0 && !firstOfAffinityGroup {
                    satisfied = false
                }
            }
            if !satisfied { failures.append(.podAffinityMismatch) }
        }
        for term in terms.antiAffinity {
            if let value = node.labels[term.topologyKey],
                (antiAffinityCounts[TopologyPair(key: term.topologyKey, value: value)] ?? 0) > 0
            {
                failures.append(.podAntiAffinityMismatch)
                break
            }
        }
        if !terms.spread.isEmpty {
            if !terms.spread.allSatisfy({ node.labels[$0.topologyKey] != nil }) {
                failures.append(.topologySpreadMismatch(missingLabel: true))
            } else {
                for (constraint, spread) in zip(terms.spread, spreadCounts) {
                    let matching = spread.counts[node.labels[constraint.topologyKey]!] ?? 0
                    if matching + spread.selfMatch - spread.minimum > constraint.maxSkew {
                        failures.append(.topologySpreadMismatch(missingLabel: false))
                        break
                    }
                }
            }
        }
        if !terms.hostPorts.isEmpty, let used = hostPortsByNode[node.name] {
            if let clash = terms.hostPorts.first(where: { wanted in used.contains { $0.conflicts(with: wanted) } }) {
                failures.append(.hostPortConflict(clash.description))
            }
        }
        return failures
    }

    /// Whether the pod has soft preferences about other pods, so ``preferences(on:)`` can differ by node.
    public var hasPreferences: Bool { terms.hasPreferences }

    /// The raw soft scores of `node`: preferred pod affinity minus anti-affinity (higher is better), and the
    /// pods `ScheduleAnyway` constraints count in its domains (lower is better).
    public func preferences(on node: FitNode) -> (affinity: Int, spreadCount: Int) {
        var affinity = 0
        for key in preferenceKeys {
            if let value = node.labels[key] { affinity += preferenceByPair[TopologyPair(key: key, value: value)] ?? 0 }
        }
        var spread = 0
        for (constraint, counts) in zip(terms.softSpread, softSpreadCounts) {
            if let value = node.labels[constraint.topologyKey] { spread += counts[value] ?? 0 }
        }
        return (affinity, spread)
    }

    /// Whether ``failures(on:)`` is empty.
    public func passes(_ node: FitNode) -> Bool {
        if terms.isEmpty && forbiddenByOthers.isEmpty && volumeRequirements.isEmpty { return true }
        return failures(on: node).isEmpty
    }
}
