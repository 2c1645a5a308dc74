import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Placement
import Unstructured

extension MigrationRun {
    /// Pending: validates the spec, the source pod and the containers to checkpoint (``CheckpointedContainers``), the target node (chosen when the spec names none) and
    /// both nodes' runtimes, checks quota headroom for a second pod and that the broker answers, captures
    /// what later phases need from the source pod, picks the strategy, and adds the cleanup finalizer —
    /// before any effect on the cluster.
    func runPending() async throws -> PhaseOutcome {
        if let problem = SpecValidation.problems(with: spec).first {
            return .fail(reason: "InvalidSpec", message: problem)
        }
        guard let source = try await find(Pod.self, sourcePodName) else {
            return .fail(reason: "SourcePodNotFound", message: "pod \(namespace)/\(sourcePodName) does not exist")
        }
        guard source.metadata.deletionTimestamp == nil else {
            return .fail(reason: "SourcePodTerminating", message: "pod \(namespace)/\(sourcePodName) is being deleted")
        }
        guard source.status?.phase == .running, let sourceNode = source.spec?.nodeName, !sourceNode.isEmpty else {
            return .fail(reason: "SourcePodNotRunning", message: "pod \(namespace)/\(sourcePodName) is \(source.status?.phase?.rawValue ?? "not running"); only a Running pod can be checkpointed")
        }
        let containers = source.spec?.containers ?? []
        let container: String
        if let named = spec.containerName, !named.isEmpty {
            guard containers.contains(where: { $0.name == named }) else {
                return .fail(reason: "ContainerNotFound", message: "pod \(sourcePodName) has no container \(named) (it has \(containers.map(\.name).joined(separator: ", ")))")
            }
            container = named
        } else if containers.count == 1 {
            container = containers[0].name
        } else {
            return .fail(reason: "ContainerNameRequired", message: "pod \(sourcePodName) has \(containers.count) containers; set spec.containerName to the one that consumes the queue (every running container is checkpointed)")
        }
        let checkpointed: [ContainerCheckpoint]
        switch CheckpointedContainers.plan(for: source, primary: container) {
        case .success(let planned): checkpointed = planned
        case .failure(let problem): return .fail(reason: problem.reason, message: problem.message)
        }

        // Another migration holding this pod's StatefulSet orphan-deleted comes first.
        if let outcome = try await statefulSetHeld(for: source) { return outcome }

        // Owner and strategy.
        let controller = source.metadata.ownerReferences?.first { $0.controller == true }
        var statefulSet: StatefulSet?
        var replicaSet: (set: ReplicaSet, handOff: ReplicaSetHandOffStatus)?
        switch controller?.kind {
        case nil:
            // A pod a StatefulSet selects but does not own yet is one it is about to adopt (re-created after a
            // migration orphan-deleted it): not a bare pod. Wait for the adoption rather than pick ShadowPod.
            let sets = try await api.list(StatefulSet.self, namespace: namespace, options: ListOptions()).items
            if let adopter = sets.first(where: {
                $0.metadata.deletionTimestamp == nil && $0.spec?.selector.matches(source.metadata.labels ?? [:]) == true
                    && Self.isMember(source, of: $0)
            }) {
                logger.debug("waiting for StatefulSet \(adopter.metadata.name ?? "") to adopt \(sourcePodName)")
                return .wait(after: .milliseconds(200))
            }
        case "StatefulSet":
            guard let set = try await find(StatefulSet.self, controller!.name), set.metadata.uid == controller!.uid else {
                return .fail(reason: "OwnerNotFound", message: "StatefulSet \(controller!.name) owning the pod does not exist")
            }
            statefulSet = set
        case "ReplicaSet":
            switch try await replicaSetHandOff(for: source, owner: controller!) {
            case .success(let found): replicaSet = found
            case .failure(let failure): return .fail(reason: failure.reason, message: failure.message)
            }
        default:
            return .fail(reason: "UnsupportedOwner", message: "pod \(sourcePodName) is controlled by a \(controller!.kind) (\(controller!.name)); ms2m migrates bare pods, StatefulSet pods and ReplicaSet (Deployment) pods")
        }
        let strategy: MigrationStrategy
        if let requested = spec.migrationStrategy, !requested.isEmpty, let parsed = MigrationStrategy(rawValue: requested) {
            strategy = parsed
        } else {
            strategy = statefulSet != nil ? .sequential : .shadowPod
        }
        if strategy == .shadowPod && statefulSet != nil {
            return .fail(reason: "StrategyNotApplicable", message: "ShadowPod cannot migrate StatefulSet pod \(sourcePodName): its identity cannot exist twice; use Sequential")
        }
        if strategy == .sequential && replicaSet != nil {
            return .fail(reason: "StrategyNotApplicable", message: "Sequential cannot migrate ReplicaSet pod \(sourcePodName): deleting it first makes the ReplicaSet create a fresh replacement; use ShadowPod")
        }
        if strategy == .shadowPod, let claim = try await singleNodeClaim(of: source) {
            return .fail(reason: "StrategyNotApplicable", message: "ShadowPod cannot migrate pod \(sourcePodName): its claim \(claim.name) is \(claim.mode), so a target on another node cannot mount it while the source runs; use Sequential")
        }

        // Nodes.
        let nodes = try await api.list(Node.self, namespace: nil, options: ListOptions()).items
        guard let sourceNodeObject = nodes.first(where: { $0.metadata.name == sourceNode }) else {
            return .fail(reason: "SourceNodeNotFound", message: "node \(sourceNode) of the source pod does not exist")
        }
        if let problem = RuntimeSupport.problem(with: sourceNodeObject) {
            return .fail(reason: "RuntimeUnsupported", message: problem)
        }
        let target: String
        if let named = spec.targetNode, !named.isEmpty {
            guard named != sourceNode else {
                return .fail(reason: "TargetIsSource", message: "spec.targetNode \(named) is the node the pod already runs on")
            }
            guard let node = nodes.first(where: { $0.metadata.name == named }) else {
                return .fail(reason: "TargetNodeNotFound", message: "node \(named) does not exist")
            }
            if let problem = RuntimeSupport.problem(with: node) {
                return .fail(reason: "RuntimeUnsupported", message: problem)
            }
            // The same rules as a chosen target, the inter-pod ones included.
            let fit = try await chooseNode(for: source, among: nodes, only: named, excluding: [sourceNode])
            if fit.node == nil {
                let failures = fit.rejected[named] ?? []
                return .fail(reason: "TargetNodeUnfit", message: "pod \(sourcePodName) does not fit node \(named): \(failures.map(\.description).joined(separator: "; "))")
            }
            target = named
        } else {
            let choice = try await chooseNode(for: source, among: nodes, excluding: [sourceNode])
            guard let chosen = choice.node else {
                let why = choice.rejected.isEmpty ? "no other node can checkpoint and restore" : choice.rejectionSummary
                return .fail(reason: "NoTargetNode", message: "no node fits pod \(sourcePodName): \(why)")
            }
            target = chosen
        }

        // A second pod must fit the namespace's quota while source and target coexist.
        if strategy == .shadowPod, let problem = try await quotaProblem(for: source) {
            return .fail(reason: "QuotaExceeded", message: problem)
        }

        // The broker must answer now, not half-way through.
        do {
            _ = try await broker()
        } catch let failure as MigrationFailure {
            return .fail(reason: failure.reason, message: failure.message)
        } catch let error as BrokerError where error.kind == .invalidArgument || error.kind == .authentication || error.kind == .accessRefused {
            return .fail(reason: "BrokerUnusable", message: "\(error)")
        }

        try await addFinalizer()
        if let swap = spec.identitySwapMode, !swap.isEmpty {
            ports.events.record(.normal, reason: "FieldIgnored", note: "spec.identitySwapMode \(swap) is accepted for compatibility and not used by ms2m", about: migration)
        }
        status.sourceNode = sourceNode
        status.targetNode = target
        status.containerName = container
        status.containerCheckpoints = checkpointed
        status.strategy = strategy
        status.targetPod = MigrationNames.targetPod(source: sourcePodName, strategy: strategy)
        status.sourcePodUID = source.metadata.uid
        status.sourcePodLabels = source.metadata.labels
        status.sourceContainers = containers
        status.savedSourcePod = try JSONValueEncoder().encode(source)
        if let statefulSet {
            status.statefulSetName = statefulSet.metadata.name
            status.originalReplicas = Int32(statefulSet.spec?.replicas ?? 1)
        }
        if let replicaSet {
            status.replicaSetName = replicaSet.set.metadata.name
            status.originalReplicas = Int32(replicaSet.set.spec?.replicas ?? 1)
            status.replicaSetHandOff = replicaSet.handOff
        }
        status.startTime = status.startTime ?? Time(Date())
        ports.events.record(.normal, reason: "MigrationStarted", note: "migrating \(sourcePodName) from \(sourceNode) to \(target) (\(strategy.rawValue))", about: migration)
        return .advance(to: .checkpointing)
    }

    /// The owning ReplicaSet of a ReplicaSet pod and the label its target is held back by, or why the pod
    /// cannot be migrated: the set must exist with the owner's UID and not be being deleted, its selector
    /// must have a `matchLabels` key, and no other ReplicaSet may select the target without that label.
    private func replicaSetHandOff(
        for source: Pod, owner: OwnerReference
    ) async throws -> Result<(set: ReplicaSet, handOff: ReplicaSetHandOffStatus), MigrationFailure> {
        guard let set = try await find(ReplicaSet.self, owner.name), set.metadata.uid == owner.uid else {
            return .failure(MigrationFailure("OwnerNotFound", "ReplicaSet \(owner.name) owning the pod does not exist"))
        }
        guard !set.metadata.isBeingDeleted else {
            return .failure(MigrationFailure("OwnerTerminating", "ReplicaSet \(owner.name) owning the pod is being deleted"))
        }
        let labels = source.metadata.labels ?? [:]
        guard let selector = set.spec?.selector,
            let held = ReplicaSetHandOff.heldLabel(selector: selector, podLabels: labels)
        else {
            return .failure(MigrationFailure(
                "UnsupportedOwner",
                "ReplicaSet \(owner.name) selects its pods with matchExpressions only; ms2m keeps the target out of the set while it restores by leaving out one matchLabels label, and this selector has none"))
        }
        var targetLabels = labels
        targetLabels[held.key] = nil
        let others = try await api.list(ReplicaSet.self, namespace: namespace, options: ListOptions()).items
        if let other = others.first(where: { $0.metadata.uid != set.metadata.uid && ($0.spec?.selector).map { !$0.isEmpty && $0.matches(targetLabels) } == true }) {
            return .failure(MigrationFailure(
                "UnsupportedOwner",
                "without its label \(held.key) the target would be selected by ReplicaSet \(other.metadata.name ?? "") and adopted by it"))
        }
        return .success((set, ReplicaSetHandOffStatus(uid: set.metadata.uid, heldLabelKey: held.key, heldLabelValue: held.value)))
    }

    /// Whether one more copy of `pod` would exceed a ResourceQuota of the namespace (pods, requests.cpu,
    /// requests.memory, and their bare `cpu`/`memory` forms).
    func quotaProblem(for pod: Pod) async throws -> String? {
        let quotas = try await api.list(ResourceQuota.self, namespace: namespace, options: ListOptions()).items
        let requests = pod.totalRequests
        for quota in quotas {
            let hard = quota.status?.hard ?? quota.spec?.hard ?? [:]
            let used = quota.status?.used ?? [:]
            var demand: [String: Quantity] = ["pods": Quantity(1), "count/pods": Quantity(1)]
            for (name, value) in requests {
                demand["requests.\(name)"] = value
                demand[name] = value
            }
            for (resource, limit) in hard {
                guard let need = demand[resource] else { continue }
                let already = used[resource] ?? .zero
                if already + need > limit {
                    return "ResourceQuota \(quota.metadata.name ?? "") allows \(resource) \(limit), \(already) is used and the target pod needs \(need) more while the source still runs"
                }
            }
        }
        return nil
    }
}

extension MigrationRun {
    /// The node `pod` fits best among `nodes` (all nodes when nil) that can checkpoint and restore:
    /// kube-scheduler's filters, replicas of the pod's controller kept apart, then spread, never a node in
    /// `excluded`; when none fits, the sets in `fallbacks` are tried as the exclusion in turn (the nodes and
    /// pods are read once). Returns the choice of the last set tried.
    /// `only` restricts the candidates to one node (a named target), the others still forming the topology.
    func chooseNode(
        for pod: Pod, among nodes: [Node]? = nil, only: String? = nil, excluding excluded: Set<String>,
        fallbacks: [Set<String>] = []
    ) async throws -> TargetChooser.Choice {
        var all = nodes ?? []
        if nodes == nil { all = try await api.list(Node.self, namespace: nil, options: ListOptions()).items }
        var podsByNode: [String: [Pod]] = [:]
        for other in try await api.list(Pod.self, namespace: nil, options: ListOptions()).items {
            // Another migration's target pinned but not yet bound is counted where it is going.
            if let node = NodePin.node(of: other) { podsByNode[node, default: []].append(other) }
        }
        // Inter-pod terms with a namespaceSelector need the namespaces' labels; most pods have none.
        var namespaceLabels: [String: [String: String]] = [:]
        if Self.usesNamespaceSelectors(pod) || podsByNode.values.contains(where: { $0.contains(where: Self.usesNamespaceSelectors) }) {
            for namespace in try await api.list(Namespace.self, namespace: nil, options: ListOptions()).items {
                namespaceLabels[namespace.metadata.name ?? ""] = namespace.metadata.labels ?? [:]
            }
        }
        // The pod's claims' volumes, when it has any: their node affinity bounds where it can go.
        var volumes = VolumeTopology()
        if pod.spec?.volumes?.contains(where: { $0.sourceKind == "persistentVolumeClaim" }) == true {
            volumes = VolumeTopology(
                claims: try await api.list(PersistentVolumeClaim.self, namespace: namespace, options: ListOptions()).items,
                volumes: try await api.list(PersistentVolume.self, namespace: nil, options: ListOptions()).items)
        }
        func choose(excluding excluded: Set<String>) -> TargetChooser.Choice {
            TargetChooser().choose(
                for: pod,
                among: all.filter { node in
                    !excluded.contains(node.metadata.name ?? "") && (only == nil || node.metadata.name == only)
                },
                podsByNode: podsByNode,
                excluded: excluded, ownerUID: pod.metadata.controllerReference?.uid, topology: all,
                namespaceLabels: namespaceLabels, volumes: volumes)
        }
        var choice = choose(excluding: excluded)
        for fallback in fallbacks where choice.node == nil { choice = choose(excluding: fallback) }
        return choice
    }

    /// The first claim of `pod` that only one node can mount at a time — `ReadWriteOncePod`, or
    /// `ReadWriteOnce` without `ReadWriteMany` (nor `ReadOnlyMany` for a read-only mount) — with that mode;
    /// nil when every claim can be mounted on two nodes at once (or the pod has none). Modes are read from the
    /// bound volume (`status.accessModes`), else from the claim's request.
    func singleNodeClaim(of pod: Pod) async throws -> (name: String, mode: String)? {
        let mounts = (pod.spec?.volumes ?? []).compactMap { volume -> (claim: String, readOnly: Bool)? in
            guard volume.sourceKind == "persistentVolumeClaim",
                let claim = volume.source["persistentVolumeClaim"]?["claimName"]?.stringValue
            else { return nil }
            return (claim, volume.source["persistentVolumeClaim"]?["readOnly"]?.boolValue == true)
        }
        guard !mounts.isEmpty else { return nil }
        let claims = try await api.list(PersistentVolumeClaim.self, namespace: namespace, options: ListOptions()).items
        for mount in mounts {
            guard let claim = claims.first(where: { $0.metadata.name == mount.claim }) else { continue }
            let modes = Set(claim.status?.accessModes ?? claim.spec?.accessModes ?? [])
            if modes.contains("ReadWriteOncePod") { return (mount.claim, "ReadWriteOncePod") }
            if modes.contains("ReadWriteMany") || (mount.readOnly && modes.contains("ReadOnlyMany")) { continue }
            if modes.contains("ReadWriteOnce") { return (mount.claim, "ReadWriteOnce") }
        }
        return nil
    }

    /// Whether `pod`'s inter-pod terms select namespaces by label.
    static func usesNamespaceSelectors(_ pod: Pod) -> Bool {
        let terms = PodPlacementTerms(pod)
        return (terms.affinity + terms.antiAffinity).contains { $0.namespaceSelector?.isEmpty == false }
    }

    /// Where to restore `source` again: a node that fits and has not failed a restore (nor is the source's),
    /// else one that fits other than `alsoAvoided`; nil when none fits.
    func restoreNode(for source: Pod, alsoAvoided: String) async throws -> String? {
        let failed = Set((status.restore?.failedNodes ?? []) + [status.sourceNode ?? ""])
        return try await chooseNode(for: source, excluding: failed, fallbacks: [[alsoAvoided]]).node
    }
}

extension MigrationRun {
    /// Whether another migration holds the StatefulSet of `pod` orphan-deleted (``HeldStatefulSets``): one in
    /// flight (Sequential moves one ordinal at a time; the set comes back when it ends) makes this one wait;
    /// one that failed retaining its state keeps the set away until the user resumes or discards it, so this
    /// one fails saying so. nil when no other migration holds it.
    func statefulSetHeld(for pod: Pod) async throws -> PhaseOutcome? {
        let migrations = try await api.list(StatefulMigration.self, namespace: namespace, options: ListOptions()).items
        guard let held = HeldStatefulSets(migrations: migrations).holder(of: pod, except: [name]) else { return nil }
        if held.retainsState {
            return .fail(
                reason: "StatefulSetHeld",
                message: "StatefulSet \(held.name) is kept deleted by StatefulMigration \(namespace)/\(held.migration), which failed keeping a pod's state; resume it (\(RecoveryAnnotation.action)=\(RecoveryAnnotation.resume)) or discard that state first")
        }
        logger.debug("waiting for StatefulMigration \(held.migration) of the same StatefulSet \(held.name)")
        return .wait(after: .milliseconds(500))
    }
}
