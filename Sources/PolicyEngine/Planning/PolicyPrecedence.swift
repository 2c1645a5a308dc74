public import KubeModel
public import MigrationAPI

/// Which policy plans a pod that several `MigrationPolicy` objects cover.
///
/// One rule decides, the same for every policy, so two policies never move one pod:
/// 1. the highest `spec.priority` (absent counts as 0);
/// 2. then the most specific selection: the one with more selector terms, counting each `matchLabels` entry
///    and each `matchExpressions` requirement of both `selection.podSelector` and
///    `selection.namespaceSelector` (owner kinds do not count: they narrow by kind, not by workload);
/// 3. then the policy name: the one that sorts first (byte order) wins.
///
/// The rule is about **coverage**, independent of triggers: a pod covered by a policy that outranks this one
/// belongs to that policy even while none of that policy's triggers matches its node, so the pod never
/// changes hands between policies as nodes get labelled or cordoned (the winner moves it when its own
/// triggers fire, or never). Policies being deleted (`deletionTimestamp` set) no longer plan, so they never
/// win; a policy never competes with itself (same name).
public struct PolicyPrecedence: Sendable {
    /// A policy's place in the order: greater ranks win.
    public struct Rank: Sendable, Hashable, Comparable {
        /// `spec.priority`, 0 when absent.
        public var priority: Int32
        /// The number of selector terms (see ``PolicyPrecedence``).
        public var specificity: Int
        /// The policy name (the first in byte order ranks higher).
        public var name: String

        /// Creates a rank.
        public init(priority: Int32, specificity: Int, name: String) {
            self.priority = priority
            self.specificity = specificity
            self.name = name
        }

        /// Whether `lhs` loses to `rhs`.
        public static func < (lhs: Rank, rhs: Rank) -> Bool {
            if lhs.priority != rhs.priority { return lhs.priority < rhs.priority }
            if lhs.specificity != rhs.specificity { return lhs.specificity < rhs.specificity }
            return rhs.name.utf8.lexicographicallyPrecedes(lhs.name.utf8)
        }

        /// Why `self` outranks `other`, for people: `priority 10 > 0`, `more specific selection (3 selector
        /// terms > 1)`, or `same priority and specificity; name "a" sorts before "b"`.
        public func whyOutranks(_ other: Rank) -> String {
            if priority != other.priority { return "priority \(priority) > \(other.priority)" }
            if specificity != other.specificity {
                return "more specific selection (\(specificity) selector terms > \(other.specificity))"
            }
            return "same priority and specificity; name \"\(name)\" sorts before \"\(other.name)\""
        }
    }

    /// The rank of `policy`.
    public static func rank(of policy: MigrationPolicy) -> Rank {
        Rank(
            priority: policy.spec.priority ?? 0, specificity: specificity(of: policy.spec.selection),
            name: policy.metadata.name ?? "")
    }

    /// The number of selector terms of `selection`: `matchLabels` entries plus `matchExpressions` requirements
    /// of its pod and namespace selectors.
    public static func specificity(of selection: PodSelection?) -> Int {
        func terms(_ selector: LabelSelector?) -> Int {
            (selector?.matchLabels?.count ?? 0) + (selector?.matchExpressions?.count ?? 0)
        }
        return terms(selection?.podSelector) + terms(selection?.namespaceSelector)
    }

    /// The policy being planned's rank.
    public let own: Rank
    /// The policies that outrank it, best first, with their coverage.
    private let rivals: [(rank: Rank, coverage: PodCoverage)]

    /// The precedence of `policy` among `others` (which may include `policy` itself; it is ignored).
    public init(policy: MigrationPolicy, others: [MigrationPolicy]) {
        let own = Self.rank(of: policy)
        self.own = own
        rivals = others.compactMap { other -> (Rank, PodCoverage)? in
            guard other.metadata.deletionTimestamp == nil, other.metadata.name != policy.metadata.name else {
                return nil
            }
            let rank = Self.rank(of: other)
            return rank > own ? (rank, PodCoverage(other.spec.selection)) : nil
        }
        .sorted { $0.0 > $1.0 }
    }

    /// Whether no other policy outranks this one (every covered pod is its own).
    public var isUncontested: Bool { rivals.isEmpty }

    /// The policy that outranks this one and covers `pod`, and why it wins; nil when the pod is this
    /// policy's to plan.
    public func winner(for pod: Pod, namespaceLabels: [String: String]) -> (policy: String, why: String)? {
        for rival in rivals where rival.coverage.covers(pod, namespaceLabels: namespaceLabels) {
            return (rival.rank.name, rival.rank.whyOutranks(own))
        }
        return nil
    }
}
