public import KubeModel
public import MigrationAPI
import Placement

/// The snapshot, indexed once for the planner's passes (drain, cancellation, rebalance).
///
/// Built for snapshots of 100,000s of pods: pods stay in the snapshot's array and are referred to by index
/// (a `Pod` is a large value; copying or sorting them dominated planning time). Only what every plan needs
/// is computed eagerly — the pod indices per node, each node's usage (in ``TargetSelection``, unless the
/// snapshot brings it: then `pods` holds only the pods the passes read) and the migration index over the
/// few pods migrations name. Coverage, precedence and the sorted order are computed
/// only for the pods the passes look at: those on draining nodes, and for rebalancing those on its nodes.
struct PlanningContext {
    let snapshot: PolicySnapshot
    let policyName: String
    let coverage: PodCoverage
    let precedence: PolicyPrecedence
    /// Indices into `snapshot.pods` of the pods bound to each node, in snapshot order.
    let podsByNode: [String: [Int]]
    let index: ChildMigrationIndex
    /// The nodes that drain: those matching the policy's triggers, then (trigger ``DrainTrigger/eviction``)
    /// those where only evicted pods are to leave.
    let drainingNodes: [DrainingNode]
    let draining: Set<String>
    /// Indices into `snapshot.pods` of the pods with a current ``EvictionRequest``, by node, sorted by
    /// `namespace/name`; empty when the policy does not intercept evictions.
    let evictionRequested: [String: [Int]]
    let targets: TargetSelection
    /// `fallback.action`, `None` when absent.
    let fallbackAction: FallbackAction
    /// `fallback.afterFailures`, at least 1, 3 when absent.
    let afterFailures: Int

    init(_ snapshot: PolicySnapshot) {
        self.snapshot = snapshot
        policyName = snapshot.policy.metadata.name ?? ""
        coverage = PodCoverage(snapshot.policy.spec.selection)
        precedence = PolicyPrecedence(policy: snapshot.policy, others: snapshot.otherPolicies)
        fallbackAction = snapshot.policy.spec.fallback?.action ?? .none
        afterFailures = Int(max(1, snapshot.policy.spec.fallback?.afterFailures ?? 3))

        var byNode: [String: [Int]] = [:]
        // The pods migrations name (`namespace/pod`), found in one pass without keying every pod.
        let wantedNames = Set(snapshot.migrations.map(\.spec.sourcePod))
        var byKey: [String: Pod] = [:]
        var requested: [String: [Int]] = [:]
        // Targets ms2m pinned that the scheduler has not bound yet: they take room on their node already.
        var pinned: [String: [Int]] = [:]
        let interceptsEvictions = snapshot.policy.spec.interceptsEvictions
        snapshot.pods.withUnsafeBufferPointer { pods in
            for position in pods.indices {
                if let node = pods[position].spec?.nodeName, !node.isEmpty {
                    byNode[node, default: []].append(position)
                    if interceptsEvictions, let request = EvictionRequest.recorded(on: pods[position]),
                        request.isCurrent(at: snapshot.now)
                    {
                        requested[node, default: []].append(position)
                    }
                } else if let node = pods[position].metadata.annotations?[NodePin.annotation] {
                    pinned[node, default: []].append(position)
                }
                if let name = pods[position].metadata.name, wantedNames.contains(name) {
                    byKey[Self.key(pods[position])] = pods[position]
                }
            }
        }
        podsByNode = byNode
        index = ChildMigrationIndex(migrations: snapshot.migrations, policy: policyName, podsByKey: byKey)
        let pods = snapshot.pods
        evictionRequested = requested.mapValues { positions in
            positions.sorted { Self.key(pods[$0]) < Self.key(pods[$1]) }
        }
        let triggered = DrainDetection.drainingNodes(snapshot.nodes, for: snapshot.policy.spec.triggers)
        let triggeredNames = Set(triggered.map(\.name))
        drainingNodes = (triggered + requested.keys.filter { !triggeredNames.contains($0) }.map {
            DrainingNode(name: $0, triggers: [.eviction])
        }).sorted { $0.name < $1.name }
        draining = Set(drainingNodes.map(\.name))
        targets = TargetSelection(
            allNodes: snapshot.nodes,
            usage: snapshot.nodeUsage
                ?? TargetSelection.usage(of: snapshot.pods, podsByNode: pinned.isEmpty ? byNode : byNode.merging(pinned, uniquingKeysWith: +)),
            draining: draining, targetSelector: snapshot.policy.spec.targets?.nodeSelector,
            placed: snapshot.placedPods ?? PlacedPods(pods: snapshot.pods), namespaceLabels: snapshot.namespaceLabels,
            volumes: snapshot.volumes, nodesByName: snapshot.nodesByName)
    }

    /// `namespace/name` of a pod.
    static func key(_ pod: Pod) -> String { "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")" }

    /// The pods bound to `node` (indices into `snapshot.pods`), sorted by `namespace/name`.
    func sortedPods(on node: String) -> [Int] {
        guard let positions = podsByNode[node] else { return [] }
        let pods = snapshot.pods
        return positions.map { (key: Self.key(pods[$0]), position: $0) }
            .sorted { $0.key < $1.key }
            .map(\.position)
    }

    /// The pods of draining `node` the drain considers, sorted by `namespace/name`: every pod bound to it, or
    /// on a node drained only by evictions just the evicted pods.
    func drainCandidates(on node: DrainingNode) -> [Int] {
        node.triggers == [.eviction] ? evictionRequested[node.name] ?? [] : sortedPods(on: node.name)
    }

    /// Whether the pod at `position` has a current eviction request (it may start outside schedule windows:
    /// whoever evicts it waits now).
    func hasEvictionRequest(_ position: Int) -> Bool {
        guard let node = snapshot.pods[position].spec?.nodeName else { return false }
        return evictionRequested[node]?.contains(position) ?? false
    }

    /// Whether the policy covers `pod` (selection and owner kind; opt-outs not considered).
    func covers(_ pod: Pod) -> Bool {
        coverage.covers(pod, namespaceLabels: namespaceLabels(of: pod))
    }

    /// The labels of `pod`'s namespace.
    func namespaceLabels(of pod: Pod) -> [String: String] {
        snapshot.namespaceLabels[pod.metadata.namespace ?? ""] ?? [:]
    }

    /// The policy that outranks this one for `pod`, and why; nil when the pod is this policy's.
    func winner(for pod: Pod) -> (policy: String, why: String)? {
        if precedence.isUncontested { return nil }
        return precedence.winner(for: pod, namespaceLabels: namespaceLabels(of: pod))
    }

    /// What the planner may do with a covered pod of its own.
    enum Assessment: Equatable {
        /// A candidate: plan attempt `attempt` (1 for the first live migration).
        case candidate(attempt: Int)
        /// Not a candidate, for this reason.
        case skip(SkipReason)
        /// Its live migrations failed `failures` times (at least `afterFailures`) and the fallback evicts it.
        case evict(failures: Int, lastMigration: String)
    }

    /// Whether `pod` can be a candidate now, and which attempt it would be.
    ///
    /// The policy's children for the pod's UID are found by the attempt names (`…-<hash>`, `…-<hash>-2`, …,
    /// up to the first unused one) and by the source-pod-UID annotation. A Completed one means the pod has
    /// moved; Failed ones count as failed attempts: below `afterFailures` the next attempt is planned under
    /// the first unused attempt name, at or above it the fallback applies.
    func assess(_ pod: Pod) -> Assessment {
        if PodOverrideAnnotation.isOptedOut(pod.metadata.annotations ?? [:]) { return .skip(.optedOut) }
        if let active = index.activeByPod[Self.key(pod)] { return .skip(.alreadyMigrating(migration: active)) }
        if pod.status?.phase != .running || pod.metadata.deletionTimestamp != nil { return .skip(.notRunning) }
        let namespace = pod.metadata.namespace ?? ""
        let uid = pod.metadata.uid ?? ""
        var failed = Set(index.failedByPodUID[uid] ?? [])
        var lastFailed: String?
        var attempt = 1
        while attempt <= 1000 {
            let name = childName(for: pod, attempt: attempt)
            guard let existing = index.byName["\(namespace)/\(name)"] else { break }
            if existing.status?.phase == .completed { return .skip(.previousMigrationEnded(migration: name, phase: .completed)) }
            if existing.status?.phase == .failed {
                failed.insert(name)
                lastFailed = name
            }
            attempt += 1
        }
        if failed.count >= afterFailures {
            let last = lastFailed ?? failed.sorted().last ?? ""
            if fallbackAction == .evict { return .evict(failures: failed.count, lastMigration: last) }
            return .skip(.migrationFailedRepeatedly(failures: failed.count, lastMigration: last))
        }
        return .candidate(attempt: attempt)
    }

    /// The child name for attempt `attempt` of `pod`.
    func childName(for pod: Pod, attempt: Int = 1) -> String {
        ChildMigrationName.make(
            policy: policyName, pod: pod.metadata.name ?? "", sourceUID: pod.metadata.uid ?? "", attempt: attempt)
    }

    /// The move of `pod` from `source` to `target`: the child's name and spec from the policy's template.
    func move(_ pod: Pod, from source: String, to target: String, reason: MoveReason, attempt: Int = 1) -> PlannedMove {
        let template = snapshot.policy.spec.template ?? MigrationTemplate()
        let name = pod.metadata.name ?? ""
        let (spec, rejected) = template.migrationSpec(
            sourcePod: name, targetNode: target, podAnnotations: pod.metadata.annotations ?? [:])
        return PlannedMove(
            namespace: pod.metadata.namespace ?? "", pod: name, podUID: pod.metadata.uid ?? "", sourceNode: source,
            targetNode: target, migrationName: childName(for: pod, attempt: attempt), reason: reason, spec: spec,
            rejectedOverrides: rejected)
    }
}
