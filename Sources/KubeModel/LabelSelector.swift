/// A label query (`metav1.LabelSelector`): all `matchLabels` pairs and all `matchExpressions` must hold.
///
/// An empty selector matches every object. (An absent selector, i.e. `nil`, matches none; that is the
/// caller's business.)
public struct LabelSelector: Codable, Hashable, Sendable {
    /// Labels that must be present with exactly these values.
    public var matchLabels: [String: String]?
    /// Further requirements.
    public var matchExpressions: [LabelSelectorRequirement]?

    /// Creates a selector.
    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// Whether the selector has no requirements (and so matches everything).
    public var isEmpty: Bool { (matchLabels?.isEmpty ?? true) && (matchExpressions?.isEmpty ?? true) }

    /// Whether the selector is well formed: known operators, values for `In`/`NotIn` and none for
    /// `Exists`/`DoesNotExist`.
    public var isValid: Bool { (matchExpressions ?? []).allSatisfy(\.isValid) }

    /// Whether a set of labels satisfies the selector. An invalid selector matches nothing, as in Kubernetes.
    public func matches(_ labels: [String: String]) -> Bool {
        guard isValid else { return false }
        for (key, value) in matchLabels ?? [:] where labels[key] != value { return false }
        return (matchExpressions ?? []).allSatisfy { $0.matches(labels) }
    }

    /// The selector in the string syntax of the `labelSelector` query parameter, e.g. `a=b,c in (d,e),!f`.
    /// Requirements are sorted by key and values within a set are sorted, as Kubernetes prints them.
    public var selectorString: String {
        var parts: [(key: String, text: String)] = []
        for (key, value) in matchLabels ?? [:] { parts.append((key, "\(key)=\(value)")) }
        for requirement in matchExpressions ?? [] {
            parts.append((requirement.key, requirement.selectorString))
        }
        // Stable sort by key (matchLabels before expressions on equal keys).
        let sorted = parts.enumerated().sorted { a, b in
            a.element.key != b.element.key ? a.element.key < b.element.key : a.offset < b.offset
        }
        return sorted.map(\.element.text).joined(separator: ",")
    }
}

/// One requirement of a label selector: a key, an operator and (for `In`/`NotIn`) values.
public struct LabelSelectorRequirement: Codable, Hashable, Sendable {
    /// The label key.
    public var key: String
    /// How the key relates to the values.
    public var `operator`: LabelSelectorOperator
    /// The values for `In`/`NotIn`; empty for `Exists`/`DoesNotExist`.
    public var values: [String]?

    /// Creates a requirement.
    public init(key: String, operator: LabelSelectorOperator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Whether the operator is known and the values fit it.
    public var isValid: Bool {
        switch self.operator {
        case .in, .notIn: return !(values ?? []).isEmpty
        case .exists, .doesNotExist: return (values ?? []).isEmpty
        default: return false
        }
    }

    /// Whether a set of labels satisfies this requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch self.operator {
        case .in: return value.map { (values ?? []).contains($0) } ?? false
        case .notIn: return value.map { !(values ?? []).contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        default: return false
        }
    }

    /// The requirement in selector syntax: `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
    public var selectorString: String {
        let set = (values ?? []).sorted().joined(separator: ",")
        switch self.operator {
        case .in: return "\(key) in (\(set))"
        case .notIn: return "\(key) notin (\(set))"
        case .exists: return key
        case .doesNotExist: return "!\(key)"
        default: return "\(key) \(self.operator.rawValue) (\(set))"
        }
    }
}

/// A label selector operator: `In`, `NotIn`, `Exists`, `DoesNotExist`.
public struct LabelSelectorOperator: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The label's value is one of the values.
    public static let `in`: LabelSelectorOperator = "In"
    /// The label is absent or its value is none of the values.
    public static let notIn: LabelSelectorOperator = "NotIn"
    /// The label is present.
    public static let exists: LabelSelectorOperator = "Exists"
    /// The label is absent.
    public static let doesNotExist: LabelSelectorOperator = "DoesNotExist"
}
