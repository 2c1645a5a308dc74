public import KubeModel
public import MigrationAPI

/// The snapshot, indexed once for the planner's passes (drain, cancellation, rebalance).
struct PlanningContext {
    let snapshot: PolicySnapshot
    let policyName: String
    let coverage: PodCoverage
    let podsByKey: [String: Pod]
    let podsByNode: [String: [Pod]]
    let index: ChildMigrationIndex
    let drainingNodes: [DrainingNode]
    let draining: Set<String>
    let targets: TargetSelection

    init(_ snapshot: PolicySnapshot) {
        self.snapshot = snapshot
        policyName = snapshot.policy.metadata.name ?? ""
        coverage = PodCoverage(snapshot.policy.spec.selection)
        var byKey: [String: Pod] = [:]
        var byNode: [String: [Pod]] = [:]
        for pod in snapshot.pods {
            byKey[Self.key(pod)] = pod
            if let node = pod.spec?.nodeName, !node.isEmpty { byNode[node, default: []].append(pod) }
        }
        for node in byNode.keys { byNode[node]!.sort { Self.key($0) < Self.key($1) } }
        podsByKey = byKey
        podsByNode = byNode
        index = ChildMigrationIndex(migrations: snapshot.migrations, policy: policyName, podsByKey: byKey)
        drainingNodes = DrainDetection.drainingNodes(snapshot.nodes, for: snapshot.policy.spec.triggers)
        draining = Set(drainingNodes.map(\.name))
        targets = TargetSelection(
            allNodes: snapshot.nodes, podsByNode: byNode, draining: draining,
            targetSelector: snapshot.policy.spec.targets?.nodeSelector)
    }

    /// `namespace/name` of a pod.
    static func key(_ pod: Pod) -> String { "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")" }

    /// Whether the policy covers `pod` (selection and owner kind; opt-outs not considered).
    func covers(_ pod: Pod) -> Bool {
        coverage.covers(pod, namespaceLabels: snapshot.namespaceLabels[pod.metadata.namespace ?? ""] ?? [:])
    }

    /// The child name for `pod`.
    func childName(for pod: Pod) -> String {
        ChildMigrationName.make(policy: policyName, pod: pod.metadata.name ?? "", sourceUID: pod.metadata.uid ?? "")
    }

    /// Why a covered pod cannot be a candidate now; nil when it can.
    func skipReason(for pod: Pod) -> SkipReason? {
        if PodOverrideAnnotation.isOptedOut(pod.metadata.annotations ?? [:]) { return .optedOut }
        if let active = index.activeByPod[Self.key(pod)] { return .alreadyMigrating(migration: active) }
        if pod.status?.phase != .running || pod.metadata.deletionTimestamp != nil { return .notRunning }
        let name = childName(for: pod)
        if let existing = index.byName["\(pod.metadata.namespace ?? "")/\(name)"],
            let phase = existing.status?.phase, phase.isFinal
        {
            return .previousMigrationEnded(migration: name, phase: phase)
        }
        return nil
    }

    /// The move of `pod` from `source` to `target`: the child's name and spec from the policy's template.
    func move(_ pod: Pod, from source: String, to target: String, reason: MoveReason) -> PlannedMove {
        let template = snapshot.policy.spec.template ?? MigrationTemplate()
        let name = pod.metadata.name ?? ""
        let (spec, rejected) = template.migrationSpec(
            sourcePod: name, targetNode: target, podAnnotations: pod.metadata.annotations ?? [:])
        return PlannedMove(
            namespace: pod.metadata.namespace ?? "", pod: name, podUID: pod.metadata.uid ?? "", sourceNode: source,
            targetNode: target, migrationName: childName(for: pod), reason: reason, spec: spec,
            rejectedOverrides: rejected)
    }
}
