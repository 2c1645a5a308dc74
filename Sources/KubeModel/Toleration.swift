/// A taint a pod tolerates (core/v1 `Toleration`).
public struct Toleration: Codable, Hashable, Sendable {
    /// The taint key; empty with `Exists` tolerates every taint.
    public var key: String?
    /// `Equal` (the default) or `Exists`.
    public var `operator`: TolerationOperator?
    /// The taint value for `Equal`.
    public var value: String?
    /// The taint effect; empty tolerates every effect.
    public var effect: TaintEffect?
    /// For `NoExecute`, how long the pod stays bound after the taint appears.
    public var tolerationSeconds: Int64?

    /// Creates a value; every optional field defaults to absent.
    public init(
        key: String? = nil,
        operator: TolerationOperator? = nil,
        value: String? = nil,
        effect: TaintEffect? = nil,
        tolerationSeconds: Int64? = nil
    ) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    /// Whether this toleration tolerates the taint, by the rules of Kubernetes (`ToleratesTaint`): the effect
    /// must match unless the toleration's is empty; the key must match unless the toleration's is empty; then
    /// `Exists` matches any value and `Equal` (or no operator) needs equal values. Other operators do not match.
    public func tolerates(_ taint: Taint) -> Bool {
        if let effect, !effect.rawValue.isEmpty, effect != taint.effect { return false }
        if let key, !key.isEmpty, key != taint.key { return false }
        switch self.operator ?? .equal {
        case .equal, "": return (value ?? "") == (taint.value ?? "")
        case .exists: return true
        default: return false
        }
    }
}

/// A toleration operator.
public struct TolerationOperator: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Values must be equal.
    public static let equal: TolerationOperator = "Equal"
    /// Any value matches.
    public static let exists: TolerationOperator = "Exists"
}

extension Array where Element == Toleration {
    /// Whether some toleration tolerates the taint.
    public func tolerates(_ taint: Taint) -> Bool { contains { $0.tolerates(taint) } }

    /// The taints with effect `NoSchedule` or `NoExecute` that no toleration tolerates: the ones keeping a
    /// pod off a node (`PreferNoSchedule` only lowers the node's score).
    public func untoleratedTaints(_ taints: [Taint]) -> [Taint] {
        taints.filter { ($0.effect == .noSchedule || $0.effect == .noExecute) && !tolerates($0) }
    }
}
