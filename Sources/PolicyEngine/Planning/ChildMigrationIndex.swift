public import KubeModel
public import MigrationAPI

/// What the existing `StatefulMigration`s mean for one policy's plan: which pods are already moving (by
/// anyone), what the policy's own children hold of each budget, what they have promised to target nodes,
/// and when each pod last moved.
public struct ChildMigrationIndex: Sendable {
    /// Children of the policy in flight (not Completed or Failed; deleting ones included).
    public private(set) var inFlight: [StatefulMigration] = []
    /// Children of the policy that ended, by phase.
    public private(set) var ended: [StatefulMigration] = []
    /// The active migration (any source) of each pod, by `namespace/pod`.
    public private(set) var activeByPod: [String: String] = [:]
    /// Every migration by `namespace/name`.
    public private(set) var byName: [String: StatefulMigration] = [:]
    /// The policy's in-flight children per source node.
    public private(set) var outbound: [String: Int] = [:]
    /// The policy's in-flight children per target node.
    public private(set) var inbound: [String: Int] = [:]
    /// Active migrations (any source) per StatefulSet (`namespace/name`).
    public private(set) var perStatefulSet: [String: Int] = [:]
    /// Requests promised to target nodes by the policy's children that have not created their target pod yet.
    public private(set) var reserved: [String: [String: Quantity]] = [:]
    /// The latest completion time of a migration of each pod (`namespace/pod`).
    public private(set) var lastCompleted: [String: Time] = [:]
    /// The policy's ended children per source node.
    public private(set) var endedBySource: [String: Int] = [:]
    /// Names of the policy's Failed children per source pod UID (their `migration.ms2m.io/source-pod-uid`
    /// annotation), sorted.
    public private(set) var failedByPodUID: [String: [String]] = [:]

    /// Indexes `migrations` for the policy named `policy`; `podsByKey` finds each migration's source pod.
    public init(migrations: [StatefulMigration], policy: String, podsByKey: [String: Pod]) {
        for migration in migrations.sorted(by: { Self.key($0) < Self.key($1) }) {
            let namespace = migration.metadata.namespace ?? ""
            let podKey = "\(namespace)/\(migration.spec.sourcePod)"
            byName[Self.key(migration)] = migration
            let phase = migration.status?.phase
            let owned = migration.metadata.labels?[MigrationPolicyLabel.policy] == policy
            let active = !(phase?.isFinal ?? false)
            let pod = podsByKey[podKey]
            if phase == .completed, let done = migration.status?.completionTime {
                lastCompleted[podKey] = max(lastCompleted[podKey] ?? done, done)
            }
            if active {
                activeByPod[podKey] = migration.metadata.name ?? ""
                let set = pod.flatMap(PodCoverage.statefulSetKey(of:))
                    ?? migration.status?.statefulSetName.map { "\(namespace)/\($0)" }
                if let set { perStatefulSet[set, default: 0] += 1 }
            }
            guard owned else { continue }
            let source = Self.sourceNode(of: migration)
            if active {
                inFlight.append(migration)
                if let source { outbound[source, default: 0] += 1 }
                let target = migration.status?.targetNode ?? migration.spec.targetNode
                if let target, !target.isEmpty {
                    inbound[target, default: 0] += 1
                    let beforeRestore: Set<MigrationPhase?> = [nil, .pending, .checkpointing, .transferring]
                    if beforeRestore.contains(phase), let pod {
                        var promised = reserved[target] ?? [:]
                        for (name, quantity) in pod.totalRequests { promised[name, default: .zero] += quantity }
                        promised["pods", default: .zero] += Quantity(Int64(1))
                        reserved[target] = promised
                    }
                }
            } else {
                ended.append(migration)
                if let source { endedBySource[source, default: 0] += 1 }
                if phase == .failed, let uid = migration.metadata.annotations?[ChildMigrationLabels.sourcePodUID] {
                    failedByPodUID[uid, default: []].append(migration.metadata.name ?? "")
                }
            }
        }
    }

    /// The node a child moves its pod off: its source-node label, else what the engine recorded.
    public static func sourceNode(of migration: StatefulMigration) -> String? {
        migration.metadata.labels?[MigrationPolicyLabel.sourceNode] ?? migration.status?.sourceNode
    }

    /// `namespace/name` of a migration.
    static func key(_ migration: StatefulMigration) -> String {
        "\(migration.metadata.namespace ?? "")/\(migration.metadata.name ?? "")"
    }
}
