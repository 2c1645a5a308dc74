public import Unstructured

/// Scheduling constraints of a pod (core/v1 `Affinity`).
public struct Affinity: Codable, Hashable, Sendable {
    /// Constraints on the node's labels and fields.
    public var nodeAffinity: NodeAffinity?
    /// Co-location with other pods, kept raw.
    public var podAffinity: JSONValue?
    /// Separation from other pods, kept raw.
    public var podAntiAffinity: JSONValue?

    /// Creates a value; every optional field defaults to absent.
    public init(nodeAffinity: NodeAffinity? = nil, podAffinity: JSONValue? = nil, podAntiAffinity: JSONValue? = nil) {
        self.nodeAffinity = nodeAffinity
        self.podAffinity = podAffinity
        self.podAntiAffinity = podAntiAffinity
    }
}

/// Node constraints of a pod: hard requirements and weighted preferences.
public struct NodeAffinity: Codable, Hashable, Sendable {
    /// Terms one of which a node must match.
    public var requiredDuringSchedulingIgnoredDuringExecution: NodeSelector?
    /// Weighted terms the scheduler favours.
    public var preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]?

    /// Creates a value; every optional field defaults to absent.
    public init(
        requiredDuringSchedulingIgnoredDuringExecution: NodeSelector? = nil,
        preferredDuringSchedulingIgnoredDuringExecution: [PreferredSchedulingTerm]? = nil
    ) {
        self.requiredDuringSchedulingIgnoredDuringExecution = requiredDuringSchedulingIgnoredDuringExecution
        self.preferredDuringSchedulingIgnoredDuringExecution = preferredDuringSchedulingIgnoredDuringExecution
    }
}

/// A disjunction of node selector terms: a node matches when any term matches.
public struct NodeSelector: Codable, Hashable, Sendable {
    /// The terms (ORed).
    public var nodeSelectorTerms: [NodeSelectorTerm]

    /// Creates a value; every optional field defaults to absent.
    public init(nodeSelectorTerms: [NodeSelectorTerm] = []) {
        self.nodeSelectorTerms = nodeSelectorTerms
    }

    private enum CodingKeys: String, CodingKey {
        case nodeSelectorTerms
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.nodeSelectorTerms = try c.decodeIfPresent([NodeSelectorTerm].self, forKey: .nodeSelectorTerms) ?? []
    }

    /// Whether a node with these labels (and name, for `matchFields`) satisfies any term.
    public func matches(labels: [String: String], fields: [String: String] = [:]) -> Bool {
        nodeSelectorTerms.contains { $0.matches(labels: labels, fields: fields) }
    }

    /// Whether the node satisfies any term (`matchFields` sees `metadata.name`).
    public func matches(_ node: Node) -> Bool {
        matches(labels: node.metadata.labels ?? [:], fields: node.selectableFields)
    }
}

/// A conjunction of node requirements. A term with no requirements matches no node.
public struct NodeSelectorTerm: Codable, Hashable, Sendable {
    /// Requirements on node labels (ANDed).
    public var matchExpressions: [NodeSelectorRequirement]?
    /// Requirements on node fields, i.e. `metadata.name` (ANDed).
    public var matchFields: [NodeSelectorRequirement]?

    /// Creates a value; every optional field defaults to absent.
    public init(matchExpressions: [NodeSelectorRequirement]? = nil, matchFields: [NodeSelectorRequirement]? = nil) {
        self.matchExpressions = matchExpressions
        self.matchFields = matchFields
    }

    /// Whether a node with these labels and fields satisfies every requirement.
    public func matches(labels: [String: String], fields: [String: String] = [:]) -> Bool {
        let expressions = matchExpressions ?? []
        let fieldRequirements = matchFields ?? []
        guard !expressions.isEmpty || !fieldRequirements.isEmpty else { return false }
        return expressions.allSatisfy { $0.matches(labels) }
            && fieldRequirements.allSatisfy { $0.matches(fields) && ($0.operator == .in || $0.operator == .notIn) }
    }
}

/// A node selector term with a weight (1–100) added to matching nodes' scores.
public struct PreferredSchedulingTerm: Codable, Hashable, Sendable {
    /// The weight.
    public var weight: Int
    /// The term.
    public var preference: NodeSelectorTerm

    /// Creates a value; every optional field defaults to absent.
    public init(weight: Int, preference: NodeSelectorTerm) {
        self.weight = weight
        self.preference = preference
    }
}

/// A requirement on a node label or field.
public struct NodeSelectorRequirement: Codable, Hashable, Sendable {
    /// The label key (or field name).
    public var key: String
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`.
    public var `operator`: NodeSelectorOperator
    /// Values for `In`/`NotIn`; one integer for `Gt`/`Lt`.
    public var values: [String]?

    /// Creates a value; every optional field defaults to absent.
    public init(key: String, operator: NodeSelectorOperator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Whether the labels (or fields) satisfy this requirement. `Gt`/`Lt` compare integers; a value that is
    /// not an integer does not match.
    public func matches(_ labels: [String: String]) -> Bool {
        let values = self.values ?? []
        let value = labels[key]
        switch self.operator {
        case .in: return value.map { values.contains($0) } ?? false
        case .notIn: return value.map { !values.contains($0) } ?? true
        case .exists: return value != nil && values.isEmpty
        case .doesNotExist: return value == nil && values.isEmpty
        case .gt, .lt:
            guard values.count == 1, let bound = Int64(values[0]), let actual = value.flatMap({ Int64($0) }) else {
                return false
            }
            return self.operator == .gt ? actual > bound : actual < bound
        default: return false
        }
    }
}

/// A node selector operator.
public struct NodeSelectorOperator: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The value is one of the values.
    public static let `in`: NodeSelectorOperator = "In"
    /// The key is absent or the value is none of the values.
    public static let notIn: NodeSelectorOperator = "NotIn"
    /// The key is present.
    public static let exists: NodeSelectorOperator = "Exists"
    /// The key is absent.
    public static let doesNotExist: NodeSelectorOperator = "DoesNotExist"
    /// The value, as an integer, is greater than the single value.
    public static let gt: NodeSelectorOperator = "Gt"
    /// The value, as an integer, is less than the single value.
    public static let lt: NodeSelectorOperator = "Lt"
}
