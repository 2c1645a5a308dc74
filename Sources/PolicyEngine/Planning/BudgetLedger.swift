public import KubeModel
public import MigrationAPI

/// The policy's budgets with what is already used of them; admits moves one at a time, counting each
/// admitted move against every limit it touches (descheduler's evictor limits, KubeVirt's defaults).
public struct BudgetLedger: Sendable {
    /// `budgets.maxConcurrent` or 5.
    public let maxConcurrent: Int
    /// `budgets.maxOutboundPerNode` or 2.
    public let maxOutboundPerNode: Int
    /// `budgets.maxInboundPerNode`, unlimited when nil.
    public let maxInboundPerNode: Int?
    /// `budgets.maxInFlightPerStatefulSet` or 1.
    public let maxInFlightPerStatefulSet: Int

    /// The policy's children in flight, plus admitted moves.
    public private(set) var inFlight: Int
    /// In flight per source node.
    public private(set) var outbound: [String: Int]
    /// In flight per target node.
    public private(set) var inbound: [String: Int]
    /// Active migrations per StatefulSet (`namespace/name`).
    public private(set) var perStatefulSet: [String: Int]

    /// A ledger for `budgets` starting from the children in `index`.
    public init(_ budgets: MigrationBudgets?, index: ChildMigrationIndex) {
        maxConcurrent = Int(max(0, budgets?.maxConcurrent ?? MigrationBudgets.defaultMaxConcurrent))
        maxOutboundPerNode = Int(max(0, budgets?.maxOutboundPerNode ?? MigrationBudgets.defaultMaxOutboundPerNode))
        maxInboundPerNode = budgets?.maxInboundPerNode.map { Int(max(0, $0)) }
        maxInFlightPerStatefulSet = Int(
            max(0, budgets?.maxInFlightPerStatefulSet ?? MigrationBudgets.defaultMaxInFlightPerStatefulSet))
        inFlight = index.inFlight.count
        outbound = index.outbound
        inbound = index.inbound
        perStatefulSet = index.perStatefulSet
    }

    /// Whether no move at all can start (the cluster-wide limit is used up).
    public var isExhausted: Bool { inFlight >= maxConcurrent }

    /// The target nodes that cannot take another migration.
    public var fullTargets: Set<String> {
        guard let maxInboundPerNode else { return [] }
        return Set(inbound.filter { $0.value >= maxInboundPerNode }.keys)
    }

    /// The limit a move from `source` of a pod of `statefulSet` would exceed, checked before a target is
    /// known; nil when it may go.
    public func limitBeforeTarget(source: String, statefulSet: String?) -> BudgetLimit? {
        if let statefulSet, perStatefulSet[statefulSet, default: 0] >= maxInFlightPerStatefulSet {
            return .maxInFlightPerStatefulSet(statefulSet: statefulSet)
        }
        if inFlight >= maxConcurrent { return .maxConcurrent }
        if outbound[source, default: 0] >= maxOutboundPerNode { return .maxOutboundPerNode(node: source) }
        return nil
    }

    /// Counts an admitted move against every limit.
    public mutating func admit(source: String, target: String, statefulSet: String?) {
        inFlight += 1
        outbound[source, default: 0] += 1
        inbound[target, default: 0] += 1
        if let statefulSet { perStatefulSet[statefulSet, default: 0] += 1 }
    }

    /// The figures for status.
    public var figures: BudgetFigures {
        BudgetFigures(
            inFlight: inFlight, maxConcurrent: maxConcurrent, outboundByNode: outbound.filter { $0.value > 0 },
            inboundByNode: inbound.filter { $0.value > 0 })
    }
}
