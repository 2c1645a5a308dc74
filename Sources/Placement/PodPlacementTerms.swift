public import KubeModel
import Unstructured

/// A required inter-pod affinity or anti-affinity term (core/v1 `PodAffinityTerm`), read from the pod's raw
/// `affinity`: pods matching `selector` in the term's namespaces, within the topology domain `topologyKey`.
///
/// Semantics from "Assigning Pods to Nodes — Inter-pod affinity and anti-affinity" (kubernetes.io,
/// concepts/scheduling-eviction/assign-pod-node) and kube-scheduler's InterPodAffinity plugin: a null
/// `labelSelector` matches no pod; without `namespaces` and `namespaceSelector` the term means the pod's own
/// namespace; an empty `namespaceSelector` means every namespace; `namespaces` and the selector's matches are
/// unioned. The API server merges `matchLabelKeys` into the selector on create, so stored pods need no more.
public struct PodAffinityTerm: Sendable, Hashable {
    /// Which pods the term is about; nil matches none.
    public var selector: LabelSelector?
    /// Namespaces named explicitly.
    public var namespaces: Set<String>
    /// Namespaces selected by label; an empty selector selects all.
    public var namespaceSelector: LabelSelector?
    /// The node label whose value is the topology domain (`kubernetes.io/hostname`, a zone…).
    public var topologyKey: String

    /// Creates a term.
    public init(
        selector: LabelSelector?, namespaces: Set<String> = [], namespaceSelector: LabelSelector? = nil,
        topologyKey: String
    ) {
        self.selector = selector
        self.namespaces = namespaces
        self.namespaceSelector = namespaceSelector
        self.topologyKey = topologyKey
    }

    /// Reads a `PodAffinityTerm` object; `owner` is the namespace of the pod that carries it (the default).
    init?(_ json: JSONValue, owner: String) {
        guard let key = json["topologyKey"]?.stringValue, !key.isEmpty else { return nil }
        topologyKey = key
        selector = json["labelSelector"].flatMap(Self.selector)
        namespaceSelector = json["namespaceSelector"].flatMap(Self.selector)
        namespaces = Set((json["namespaces"]?.arrayValue ?? []).compactMap(\.stringValue))
        if namespaces.isEmpty && namespaceSelector == nil { namespaces = [owner] }
    }

    /// A `LabelSelector` read straight from JSON (the decoder's generic path cost most of indexing 100,000s
    /// of pods' terms); nil for null. A malformed selector becomes one that matches nothing, as in Kubernetes.
    static func selector(_ json: JSONValue) -> LabelSelector? {
        guard !json.isNull else { return nil }
        guard let object = json.objectValue else { return Self.matchesNothing }
        var selector = LabelSelector()
        if let labels = object["matchLabels"], !labels.isNull {
            guard let pairs = labels.objectValue else { return Self.matchesNothing }
            var matchLabels: [String: String] = [:]
            for (key, value) in pairs {
                guard let text = value.stringValue else { return Self.matchesNothing }
                matchLabels[key] = text
            }
            selector.matchLabels = matchLabels
        }
        if let expressions = object["matchExpressions"], !expressions.isNull {
            guard let list = expressions.arrayValue else { return Self.matchesNothing }
            var requirements: [LabelSelectorRequirement] = []
            for expression in list {
                guard let key = expression["key"]?.stringValue, let op = expression["operator"]?.stringValue else {
                    return Self.matchesNothing
                }
                let values = expression["values"]?.arrayValue?.compactMap(\.stringValue)
                requirements.append(LabelSelectorRequirement(key: key, operator: LabelSelectorOperator(rawValue: op), values: values))
            }
            selector.matchExpressions = requirements
        }
        return selector
    }

    /// A selector no labels satisfy (an unknown operator makes a selector invalid, and invalid ones match none).
    static let matchesNothing = LabelSelector(matchExpressions: [
        LabelSelectorRequirement(key: "ms2m.io/invalid-selector", operator: LabelSelectorOperator(rawValue: "Invalid"))
    ])

    /// Whether a pod in `namespace` with `labels` is one the term is about; `namespaceLabels` gives the labels
    /// of a namespace (for `namespaceSelector`).
    public func matches(namespace: String, labels: [String: String], namespaceLabels: (String) -> [String: String]?) -> Bool {
        guard let selector, selector.matches(labels) else { return false }
        if namespaces.contains(namespace) { return true }
        guard let namespaceSelector else { return false }
        if namespaceSelector.isEmpty { return true }
        return namespaceLabels(namespace).map(namespaceSelector.matches) ?? false
    }
}

/// A topology spread constraint (`DoNotSchedule` ones exclude nodes, `ScheduleAnyway` ones rank them), from "Pod Topology Spread Constraints" (kubernetes.io, concepts/scheduling-eviction/
/// topology-spread-constraints) and kube-scheduler's PodTopologySpread plugin.
public struct SpreadConstraint: Sendable, Hashable {
    /// The largest allowed difference between a domain's matching pods and the least populated domain's.
    public var maxSkew: Int
    /// The node label whose value is the domain.
    public var topologyKey: String
    /// The pods counted (in the pod's namespace), with `matchLabelKeys` already added from the pod's labels.
    public var selector: LabelSelector?
    /// With fewer eligible domains than this, the global minimum counts as 0.
    public var minDomains: Int?
    /// Whether only nodes matching the pod's nodeSelector and required node affinity count (`Honor`, the
    /// default) or all nodes (`Ignore`).
    public var honorsNodeAffinity: Bool
    /// Whether nodes with taints the pod does not tolerate are left out of the counts (`Honor`) or not
    /// (`Ignore`, the default).
    public var honorsTaints: Bool

    /// Creates a constraint.
    public init(
        maxSkew: Int, topologyKey: String, selector: LabelSelector?, minDomains: Int? = nil,
        honorsNodeAffinity: Bool = true, honorsTaints: Bool = false
    ) {
        self.maxSkew = maxSkew
        self.topologyKey = topologyKey
        self.selector = selector
        self.minDomains = minDomains
        self.honorsNodeAffinity = honorsNodeAffinity
        self.honorsTaints = honorsTaints
    }

    /// Reads a `TopologySpreadConstraint` of a pod with `labels`; nil unless it is a valid one whose
    /// `whenUnsatisfiable` is `when`.
    init?(_ json: JSONValue, labels: [String: String], when: String = "DoNotSchedule") {
        guard json["whenUnsatisfiable"]?.stringValue == when,
            let key = json["topologyKey"]?.stringValue, !key.isEmpty,
            let skew = json["maxSkew"]?.intValue, skew > 0
        else { return nil }
        maxSkew = Int(skew)
        topologyKey = key
        var selector = json["labelSelector"].flatMap(PodAffinityTerm.selector)
        // matchLabelKeys: the pod's values for these keys are ANDed into the selector by the scheduler.
        let keys = (json["matchLabelKeys"]?.arrayValue ?? []).compactMap(\.stringValue)
        if selector != nil, !keys.isEmpty {
            var matchLabels = selector?.matchLabels ?? [:]
            for key in keys { if let value = labels[key] { matchLabels[key] = value } }
            selector?.matchLabels = matchLabels
        }
        self.selector = selector
        minDomains = json["minDomains"]?.intValue.map(Int.init)
        honorsNodeAffinity = json["nodeAffinityPolicy"]?.stringValue != "Ignore"
        honorsTaints = json["nodeTaintsPolicy"]?.stringValue == "Honor"
    }
}

/// A host port a container asks for: `hostIP` (empty meaning every address), protocol and port.
public struct HostPortUse: Sendable, Hashable, CustomStringConvertible {
    /// The address the port binds; "" and `0.0.0.0` mean all addresses.
    public var hostIP: String
    /// `TCP`, `UDP` or `SCTP`.
    public var `protocol`: String
    /// The port.
    public var port: Int

    /// Creates a value.
    public init(hostIP: String = "", protocol: String = "TCP", port: Int) {
        self.hostIP = hostIP == "0.0.0.0" ? "" : hostIP
        self.protocol = `protocol`
        self.port = port
    }

    /// Whether two uses cannot share a node (NodePorts plugin): same protocol and port, and the same address
    /// or either on all addresses.
    public func conflicts(with other: HostPortUse) -> Bool {
        port == other.port && self.protocol == other.protocol
            && (hostIP.isEmpty || other.hostIP.isEmpty || hostIP == other.hostIP)
    }

    public var description: String { "\(hostIP.isEmpty ? "0.0.0.0" : hostIP):\(port)/\(self.protocol)" }

    /// The host ports `pod`'s containers and init containers ask for.
    public static func of(_ pod: Pod) -> [HostPortUse] {
        guard let spec = pod.spec else { return [] }
        var uses: [HostPortUse] = []
        func collect(_ containers: [Container]) {
            for container in containers {
                guard let ports = container.ports else { continue }
                for port in ports {
                    guard let hostPort = port.hostPort, hostPort > 0 else { continue }
                    uses.append(HostPortUse(hostIP: port.hostIP ?? "", protocol: port.protocol ?? "TCP", port: hostPort))
                }
            }
        }
        collect(spec.containers)
        if let initContainers = spec.initContainers { collect(initContainers) }
        return uses
    }
}

/// What a pod requires of the other pods around a node: its required inter-pod affinity and anti-affinity
/// terms, its `DoNotSchedule` spread constraints and its host ports, read once from the pod.
public struct PodPlacementTerms: Sendable {
    /// `podAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    public var affinity: [PodAffinityTerm]
    /// `podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    public var antiAffinity: [PodAffinityTerm]
    /// `topologySpreadConstraints` with `whenUnsatisfiable: DoNotSchedule`.
    public var spread: [SpreadConstraint]
    /// Host ports.
    public var hostPorts: [HostPortUse]
    /// `podAffinity.preferredDuringSchedulingIgnoredDuringExecution`: weight and term.
    public var preferredAffinity: [(weight: Int, term: PodAffinityTerm)]
    /// `podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution`: weight and term.
    public var preferredAntiAffinity: [(weight: Int, term: PodAffinityTerm)]
    /// `topologySpreadConstraints` with `whenUnsatisfiable: ScheduleAnyway` (they rank, never exclude).
    public var softSpread: [SpreadConstraint]

    /// The terms of `pod`.
    public init(_ pod: Pod) {
        let namespace = pod.metadata.namespace ?? ""
        let affinity = pod.spec?.affinity
        self.affinity = Self.required(affinity?.podAffinity, namespace: namespace)
        antiAffinity = Self.required(affinity?.podAntiAffinity, namespace: namespace)
        let labels = pod.metadata.labels ?? [:]
        let constraints = pod.spec?.topologySpreadConstraints ?? []
        spread = constraints.compactMap { SpreadConstraint($0, labels: labels) }
        softSpread = constraints.compactMap { SpreadConstraint($0, labels: labels, when: "ScheduleAnyway") }
        hostPorts = HostPortUse.of(pod)
        preferredAffinity = Self.preferred(affinity?.podAffinity, namespace: namespace)
        preferredAntiAffinity = Self.preferred(affinity?.podAntiAffinity, namespace: namespace)
    }

    /// The `preferredDuringSchedulingIgnoredDuringExecution` terms (weight 1–100) of a raw
    /// `podAffinity`/`podAntiAffinity`.
    static func preferred(_ json: JSONValue?, namespace: String) -> [(weight: Int, term: PodAffinityTerm)] {
        (json?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []).compactMap { entry in
            guard let weight = entry["weight"]?.intValue, weight > 0, let raw = entry["podAffinityTerm"],
                let term = PodAffinityTerm(raw, owner: namespace)
            else { return nil }
            return (Int(weight), term)
        }
    }

    /// Whether the pod has soft preferences about other pods (preferred pod affinity or anti-affinity,
    /// `ScheduleAnyway` spread).
    public var hasPreferences: Bool {
        !preferredAffinity.isEmpty || !preferredAntiAffinity.isEmpty || !softSpread.isEmpty
    }

    /// The `requiredDuringSchedulingIgnoredDuringExecution` terms of a raw `podAffinity`/`podAntiAffinity`
    /// of a pod in `namespace`.
    static func required(_ json: JSONValue?, namespace: String) -> [PodAffinityTerm] {
        (json?["requiredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []).compactMap {
            PodAffinityTerm($0, owner: namespace)
        }
    }

    /// Whether the pod has none (most pods): the inter-pod rules then only look at other pods' anti-affinity.
    public var isEmpty: Bool { affinity.isEmpty && antiAffinity.isEmpty && spread.isEmpty && hostPorts.isEmpty }
}
