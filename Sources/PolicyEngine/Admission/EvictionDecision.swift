public import KubeModel
public import MigrationAPI

/// What the eviction webhook answers for the eviction of one pod.
public struct EvictionVerdict: Sendable, Hashable {
    /// Whether the eviction goes ahead (the Eviction API then applies PodDisruptionBudgets as usual) or is
    /// refused with 429 TooManyRequests (tools that evict retry).
    public enum Outcome: Sendable, Hashable {
        /// Let the Eviction API decide.
        case allow
        /// Refuse with 429 TooManyRequests.
        case refuse
        /// Answer 404 NotFound: the pod this eviction was meant for is gone, live-migrated away, and the
        /// named pod is its successor restored under the same name (Sequential) on another node.
        case gone
    }

    /// Allow or refuse.
    public var outcome: Outcome
    /// For people: the reason, as `kubectl drain` prints it (refusals) or as a warning (allowed evictions a
    /// policy covers).
    public var message: String
    /// The policy that decided; nil when none covers the pod.
    public var policy: String?
    /// The `StatefulMigration` moving the pod (existing, or the name the planned one gets), `namespace/name`.
    public var migration: String?
    /// Where the pod goes, when known.
    public var targetNode: String?
    /// Whether the pod must carry a current ``EvictionRequest`` so the policy controller moves it.
    public var recordsRequest: Bool

    /// Creates a verdict.
    public init(
        outcome: Outcome, message: String, policy: String? = nil, migration: String? = nil, targetNode: String? = nil,
        recordsRequest: Bool = false
    ) {
        self.outcome = outcome
        self.message = message
        self.policy = policy
        self.migration = migration
        self.targetNode = targetNode
        self.recordsRequest = recordsRequest
    }
}

/// Decides an eviction the way the policy planner decides a drain: pure, from the policies and the plan.
///
/// The webhook never keeps its own copy of the rules. It finds the policy that plans the pod (the highest
/// ranked policy covering it, ``PolicyPrecedence``), plans that policy with ``MigrationPlanner`` from a snapshot
/// in which the pod carries a current ``EvictionRequest``, and reads the pod's fate from the plan:
///
/// | the plan says | the eviction is |
/// |---|---|
/// | a move (or an existing migration in flight) | refused: the pod is being live-migrated; named migration and target |
/// | waiting for a budget or window | refused: it will be live-migrated; what it waits for |
/// | unplaceable, or failed `afterFailures` times, fallback `Evict` | allowed (with a warning); PodDisruptionBudgets decide |
/// | unplaceable, or failed `afterFailures` times, fallback `None` | refused with the reason |
/// | opted out, not running, already moved | allowed |
///
/// Before the plan, two cases that concern the pod's name rather than the pod: the copy a Sequential migration
/// restored under the source's name (``restoredSuccessor(_:migrations:now:nodeDrains:)``: refused while it
/// restores, 404 after), and a source being deleted while its migration runs or has just completed
/// (``departingSource(_:migrations:now:)``: refused, so the eviction cannot reach the copy that takes its name).
///
/// A policy that does not intercept evictions (`MigrationPolicySpec.interceptsEvictions`) or only plans (`dryRun`) lets
/// the eviction through; pods no policy covers are allowed at once.
public enum EvictionDecision {
    /// The policy that plans `pod`, if any covers it: the highest ranked among the policies not being deleted.
    public static func owningPolicy(
        for pod: Pod, among policies: [MigrationPolicy], namespaceLabels: [String: String]
    ) -> MigrationPolicy? {
        policies.filter {
            $0.metadata.deletionTimestamp == nil
                && PodCoverage($0.spec.selection).covers(pod, namespaceLabels: namespaceLabels)
        }
        .max { PolicyPrecedence.rank(of: $0) < PolicyPrecedence.rank(of: $1) }
    }

    /// `pod` as the planner sees it once its eviction is recorded at `now`.
    public static func withRequest(_ pod: Pod, at now: Time) -> Pod {
        var pod = pod
        let request = EvictionRequest(podUID: pod.metadata.uid ?? "", requestedAt: now)
        pod.metadata.annotations = (pod.metadata.annotations ?? [:]).merging(
            [EvictionRequest.annotation: request.annotationValue]) { _, new in new }
        return pod
    }

    /// The verdict for `pod` when it is a migration's source on its way out (being deleted) while that migration
    /// runs or has just completed: refused (429), so the evicting tool retries. Allowing it would let the API
    /// server evict whatever pod has the name when it acts — with Sequential, the restored copy created under
    /// the same name the moment the source is gone. The retry finds the copy (``restoredSuccessor(_:migrations:now:nodeDrains:)``)
    /// or nothing.
    public static func departingSource(_ pod: Pod, migrations: [StatefulMigration], now: Time) -> EvictionVerdict? {
        guard pod.metadata.deletionTimestamp != nil, let name = pod.metadata.name else { return nil }
        let namespace = pod.metadata.namespace ?? ""
        let moving = migrations.first { migration in
            guard migration.metadata.namespace == namespace, migration.spec.sourcePod == name else { return false }
            if let uid = migration.status?.sourcePodUID, uid != pod.metadata.uid { return false }
            switch migration.status?.phase {
            case .failed: return false
            case .completed:
                guard let done = migration.status?.completionTime else { return false }
                return now.secondsSinceEpoch - done.secondsSinceEpoch < EvictionRequest.lifetime
            default: return true
            }
        }
        guard let moving, let migrationName = moving.metadata.name else { return nil }
        return EvictionVerdict(
            outcome: .refuse,
            message: "pod \(namespace)/\(name) is terminating: StatefulMigration \(namespace)/\(migrationName) has moved it (phase \(moving.status?.phase?.rawValue ?? "Pending")); the eviction is refused so that it cannot reach the pod's successor — retry",
            migration: "\(namespace)/\(migrationName)", targetNode: moving.status?.targetNode ?? moving.spec.targetNode)
    }

    /// The verdict for `pod` when it is the copy a migration restored under the source's own name on another
    /// node (Sequential: a StatefulSet ordinal keeps its name), told by the pod's own ``RestoredPodOrigin`` —
    /// not by the migration, whose cached status may lag the pod's. An eviction naming it is a retry meant for
    /// the source (`kubectl drain` names pods, without a UID precondition, and retries every 5 s), so it must
    /// neither migrate nor kill the restored pod:
    /// - while its migration runs (or, unknown, while the pod is not yet running and ready), the eviction is
    ///   refused (429) and nothing is recorded on the new pod;
    /// - for ``EvictionRequest/lifetime`` after the migration completed (or the pod was created, when the
    ///   migration is gone), it gets ``EvictionVerdict/Outcome/gone`` — what an eviction of a deleted pod gets —
    ///   and the evicting tool moves on.
    /// A pod whose own node drains is not spared: that drain moves it like any other.
    public static func restoredSuccessor(
        _ pod: Pod, migrations: [StatefulMigration], now: Time, nodeDrains: Bool
    ) -> EvictionVerdict? {
        guard !nodeDrains, let name = pod.metadata.name, let node = pod.spec?.nodeName,
            let origin = RestoredPodOrigin.of(pod)
        else { return nil }
        let namespace = pod.metadata.namespace ?? ""
        guard origin.name == name, origin.namespace == namespace, origin.node != node else { return nil }
        let migrationName = pod.metadata.labels?[RestoredPodOrigin.migrationLabel]
        let migration = migrations.first { $0.metadata.namespace == namespace && $0.metadata.name == migrationName }
        if migration?.status?.phase == .failed { return nil }
        let by = migrationName.map { "StatefulMigration \(namespace)/\($0)" } ?? "a live migration"
        let serving = pod.status?.phase == .running && pod.isReady && pod.metadata.deletionTimestamp == nil
        if let migration, migration.status?.phase != .completed || !serving {
            return EvictionVerdict(
                outcome: .refuse,
                message: "pod \(namespace)/\(name) on node \(node) is the restored copy of the pod \(by) is live-migrating off node \(origin.node) (phase \(migration.status?.phase?.rawValue ?? "Pending")); the eviction is refused until it completes",
                migration: migrationName.map { "\(namespace)/\($0)" }, targetNode: node)
        }
        if migration == nil, !serving {
            return EvictionVerdict(
                outcome: .refuse,
                message: "pod \(namespace)/\(name) on node \(node) is being restored by \(by) off node \(origin.node); the eviction is refused until it serves",
                migration: migrationName.map { "\(namespace)/\($0)" }, targetNode: node)
        }
        guard let finished = migration?.status?.completionTime ?? pod.metadata.creationTimestamp,
            now.secondsSinceEpoch - finished.secondsSinceEpoch < EvictionRequest.lifetime
        else { return nil }
        return EvictionVerdict(
            outcome: .gone,
            message: "pod \(namespace)/\(name) was live-migrated off node \(origin.node) by \(by); the pod of that name on node \(node) is its restored successor and is not evicted",
            migration: migrationName.map { "\(namespace)/\($0)" }, targetNode: node)
    }


    /// The verdict for evicting `pod`, whose owning policy is `policy`, given `plan`: that policy's plan from
    /// a snapshot in which `pod` carries a current eviction request (``withRequest(_:at:)``), and the
    /// `migrations` of that snapshot (to name the target of one already in flight).
    public static func verdict(
        for pod: Pod, policy: MigrationPolicy, plan: MigrationPlan, migrations: [StatefulMigration]
    ) -> EvictionVerdict {
        let namespace = pod.metadata.namespace ?? ""
        let name = pod.metadata.name ?? ""
        let podName = "\(namespace)/\(name)"
        let policyName = policy.metadata.name ?? ""
        let isPod = { (ns: String, pod: String) in ns == namespace && pod == name }
        let leaves = "it leaves this node once its state is restored there; the eviction is refused until then"

        if let move = plan.moves.first(where: { isPod($0.namespace, $0.pod) }) {
            return EvictionVerdict(
                outcome: .refuse,
                message: "pod \(podName) is being live-migrated to node \(move.targetNode) by StatefulMigration \(namespace)/\(move.migrationName) (MigrationPolicy \(policyName)); \(leaves)",
                policy: policyName, migration: "\(namespace)/\(move.migrationName)", targetNode: move.targetNode,
                recordsRequest: true)
        }
        if let waiting = plan.waiting.first(where: { isPod($0.namespace, $0.pod) }) {
            return EvictionVerdict(
                outcome: .refuse,
                message: "pod \(podName) will be live-migrated by MigrationPolicy \(policyName) instead of evicted; it waits because \(waiting.blockedBy)",
                policy: policyName, targetNode: waiting.targetNode, recordsRequest: true)
        }
        if let eviction = plan.evictions.first(where: { isPod($0.namespace, $0.pod) }) {
            return EvictionVerdict(
                outcome: .allow,
                message: "pod \(podName) cannot be live-migrated (\(eviction.reason.rawValue): \(eviction.message)); MigrationPolicy \(policyName) falls back to eviction",
                policy: policyName)
        }
        if let unplaceable = plan.unplaceable.first(where: { isPod($0.namespace, $0.pod) }) {
            return EvictionVerdict(
                outcome: .refuse,
                message: "pod \(podName) cannot be live-migrated: no node fits it (\(unplaceable.reason): \(unplaceable.message)); MigrationPolicy \(policyName) has fallback None, so it is not evicted (add capacity, or set fallback.action: Evict)",
                policy: policyName)
        }
        if let skipped = plan.skipped.first(where: { isPod($0.namespace, $0.pod) }) {
            switch skipped.reason {
            case .alreadyMigrating(let migration):
                let child = migrations.first { $0.metadata.namespace == namespace && $0.metadata.name == migration }
                let target = child?.status?.targetNode ?? child?.spec.targetNode
                let phase = child?.status?.phase?.rawValue ?? "Pending"
                let destination = target.map { "to node \($0) " } ?? ""
                return EvictionVerdict(
                    outcome: .refuse,
                    message: "pod \(podName) is being live-migrated \(destination)by StatefulMigration \(namespace)/\(migration) (phase \(phase)); \(leaves)",
                    policy: policyName, migration: "\(namespace)/\(migration)", targetNode: target, recordsRequest: true)
            case .migrationFailedRepeatedly(let failures, let last):
                return EvictionVerdict(
                    outcome: .refuse,
                    message: "pod \(podName) is not evicted: its live migration failed \(failures) time(s) (last: StatefulMigration \(namespace)/\(last)) and MigrationPolicy \(policyName) has fallback None (see the migration's conditions; set fallback.action: Evict to allow evictions)",
                    policy: policyName, migration: "\(namespace)/\(last)")
            case .optedOut:
                return EvictionVerdict(
                    outcome: .allow, message: "pod \(podName) is opted out of live migration", policy: policyName)
            case .notRunning:
                return EvictionVerdict(
                    outcome: .allow, message: "pod \(podName) is not running; nothing to migrate", policy: policyName)
            case .previousMigrationEnded(let migration, _):
                return EvictionVerdict(
                    outcome: .allow,
                    message: "pod \(podName) was already live-migrated by StatefulMigration \(namespace)/\(migration)",
                    policy: policyName, migration: "\(namespace)/\(migration)")
            }
        }
        return EvictionVerdict(
            outcome: .allow, message: "MigrationPolicy \(policyName) does not plan pod \(podName)", policy: policyName)
    }
}
