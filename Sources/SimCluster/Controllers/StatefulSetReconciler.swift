import ControllerRuntime
import KubeModel
import Logging
import OperatorCore
import Unstructured

/// Reconciles one StatefulSet the way kube-controller-manager's StatefulSet controller does (`sync`):
/// claim the pods (adopt matching orphans, release owned pods that stopped matching), make sure the
/// template's revision is recorded, create, replace and delete pods by ordinal, then write status.
struct StatefulSetReconciler: Reconciler {
    let api: any KubernetesAPI
    let sets: InformerCache<StatefulSet>
    let pods: InformerCache<Pod>
    let revisions: InformerCache<ControllerRevision>
    let logger: Logger

    func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        guard let set = sets.get(request.key), let spec = set.spec, set.metadata.uid != nil else { return .done }
        guard spec.selector.isValid, !spec.selector.isEmpty else {
            logger.warning("Ignored StatefulSet with an invalid or empty selector", metadata: ["statefulset": "\(request)"])
            return .done
        }
        let claimed = try await claimPods(of: set)
        let update = try StatefulSetRevision(of: set)
        let history = try await syncRevisions(of: set, update: update)
        let currentName = history.names.contains(set.status?.currentRevision ?? "")
            ? set.status!.currentRevision! : update.name
        let currentTemplate = currentName == update.name
            ? spec.template : (history.template(named: currentName) ?? spec.template)

        var requeue: Duration?
        if !set.metadata.isBeingDeleted {
            let plan = StatefulSetPodPlan(
                set: set, pods: claimed, currentRevision: currentName, updateRevision: update.name)
            requeue = try await execute(
                plan, set: set, currentRevision: currentName, currentTemplate: currentTemplate)
        }
        try await writeStatus(
            of: set, pods: claimed, currentRevision: currentName, updateRevision: update.name)
        try await truncateHistory(of: set, history: history, pods: claimed, keep: [currentName, update.name])
        return requeue.map { .requeue(after: $0) } ?? .done
    }

    // MARK: Claiming

    /// The pods the set owns after adopting matching orphans and releasing owned pods that no longer match
    /// (`getPodsForStatefulSet`: selector plus the set's name rule).
    private func claimPods(of set: StatefulSet) async throws -> [Pod] {
        let setName = set.metadata.name ?? ""
        let uid = set.metadata.uid ?? ""
        let selector = set.spec!.selector
        let claimer = PodClaimer(api: api)
        var adoptionAllowed: Bool?
        var claimed: [Pod] = []
        for pod in pods.list(namespace: set.metadata.namespace ?? "") {
            let matches = selector.matches(pod.metadata.labels ?? [:])
                && StatefulSetIdentity.ordinal(of: pod, inSet: setName) != nil
            switch PodClaim.decide(
                pod: pod, ownerUID: uid, ownerIsBeingDeleted: set.metadata.isBeingDeleted, matches: matches)
            {
            case .owned:
                claimed.append(pod)
            case .adopt:
                if adoptionAllowed == nil { adoptionAllowed = try await canAdopt(set) }
                guard adoptionAllowed == true else { continue }
                do {
                    claimed.append(try await claimer.adopt(pod, by: set))
                    logger.info("Adopted Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "statefulset": "\(setName)"])
                } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {
                    continue
                }
            case .release:
                try await claimer.release(pod, ownerUID: uid)
                logger.info("Released Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "statefulset": "\(setName)"])
            case .ignore:
                continue
            }
        }
        return claimed
    }

    /// Whether the set, read fresh from the API, is still the same object and not being deleted
    /// (`RecheckDeletionTimestamp`).
    private func canAdopt(_ set: StatefulSet) async throws -> Bool {
        do {
            let fresh = try await api.get(StatefulSet.self, name: set.metadata.name ?? "", namespace: set.metadata.namespace)
            return fresh.metadata.uid == set.metadata.uid && !fresh.metadata.isBeingDeleted
        } catch where KubernetesErrors.isNotFound(error) {
            return false
        }
    }

    // MARK: Status

    private func writeStatus(
        of set: StatefulSet, pods: [Pod], currentRevision: String, updateRevision: String
    ) async throws {
        let status = StatefulSetStatusCalculation.status(
            of: set, pods: pods, currentRevision: currentRevision, updateRevision: updateRevision, now: .now())
        guard status != set.status else { return }
        let patch: JSONValue = ["status": try JSONValueEncoder().encode(status)]
        do {
            _ = try await api.patchStatus(
                StatefulSet.self, name: set.metadata.name ?? "", namespace: set.metadata.namespace,
                patch: .merge(patch), options: WriteOptions())
        } catch where KubernetesErrors.isNotFound(error) {}
    }
}
