import ControllerRuntime
import KubeModel
import Logging
import OperatorCore
import Unstructured

/// Reconciles one ReplicaSet the way kube-controller-manager's ReplicaSet controller does (`syncReplicaSet`):
/// take the namespace's active pods, claim them (adopt matching orphans unless the set is being deleted,
/// release owned pods that stopped matching), and — only when every creation and deletion of its earlier
/// syncs has shown up in the cache — create pods from the template or delete the lowest-ranked ones until
/// the set has `spec.replicas`, then write status.
struct ReplicaSetReconciler: Reconciler {
    let api: any KubernetesAPI
    let sets: InformerCache<ReplicaSet>
    let pods: InformerCache<Pod>
    let expectations: PodExpectations
    let logger: Logger

    /// Creations or deletions one sync makes at most (the controller's `BurstReplicas`, 500).
    static let burstReplicas = 500

    func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        guard let set = sets.get(request.key), let spec = set.spec, set.metadata.uid != nil else {
            expectations.forget(request.key)
            return .done
        }
        guard spec.selector.isValid, !spec.selector.isEmpty else {
            logger.warning("Ignored ReplicaSet with an invalid or empty selector", metadata: ["replicaset": "\(request)"])
            return .done
        }
        let needsSync = expectations.satisfied(request.key, pods: pods)
        let active = pods.list(namespace: set.metadata.namespace ?? "").filter(ReplicaSetPodRanking.isActive)
        let claimed = try await claimPods(of: set, among: active)

        var failure: (any Error)?
        if needsSync && !set.metadata.isBeingDeleted {
            do {
                try await manageReplicas(of: set, claimed: claimed, key: request.key)
            } catch {
                failure = error
            }
        }
        let status = ReplicaSetStatusCalculation.status(of: set, pods: claimed, now: .now(), failure: failure)
        try await write(status, of: set)
        if let failure { throw failure }
        if !needsSync { return .requeue(after: .milliseconds(500)) }  // a safety net under the pod events
        let minReady = spec.minReadySeconds ?? 0
        if minReady > 0, status.readyReplicas == (spec.replicas ?? 1), status.availableReplicas != (spec.replicas ?? 1) {
            return .requeue(after: .seconds(Int64(minReady)))
        }
        return .done
    }

    // MARK: Claiming

    /// The active pods the set owns after adopting matching orphans and releasing owned pods that no
    /// longer match its selector (`claimPods`, with `RecheckDeletionTimestamp` before the first adoption).
    private func claimPods(of set: ReplicaSet, among active: [Pod]) async throws -> [Pod] {
        let uid = set.metadata.uid ?? ""
        let selector = set.spec!.selector
        let claimer = PodClaimer(api: api)
        var adoptionAllowed: Bool?
        var claimed: [Pod] = []
        for pod in active {
            let matches = selector.matches(pod.metadata.labels ?? [:])
            switch PodClaim.decide(pod: pod, ownerUID: uid, ownerIsBeingDeleted: set.metadata.isBeingDeleted, matches: matches) {
            case .owned:
                claimed.append(pod)
            case .adopt:
                if adoptionAllowed == nil { adoptionAllowed = try await canAdopt(set) }
                guard adoptionAllowed == true else { continue }
                do {
                    claimed.append(try await claimer.adopt(pod, by: set))
                    logger.info("Adopted Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "replicaset": "\(set.metadata.name ?? "")"])
                } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {
                    continue
                }
            case .release:
                try await claimer.release(pod, ownerUID: uid)
                logger.info("Released Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "replicaset": "\(set.metadata.name ?? "")"])
            case .ignore:
                continue
            }
        }
        return claimed
    }

    /// Whether the set, read fresh from the API, is still the same object and not being deleted.
    private func canAdopt(_ set: ReplicaSet) async throws -> Bool {
        do {
            let fresh = try await api.get(ReplicaSet.self, name: set.metadata.name ?? "", namespace: set.metadata.namespace)
            return fresh.metadata.uid == set.metadata.uid && !fresh.metadata.isBeingDeleted
        } catch where KubernetesErrors.isNotFound(error) {
            return false
        }
    }

    // MARK: Replicas

    /// Creates or deletes pods until the set has `spec.replicas` (`manageReplicas`), recording each in the
    /// expectations before the next sync may count again.
    private func manageReplicas(of set: ReplicaSet, claimed: [Pod], key: ObjectKey) async throws {
        let wanted = set.spec?.replicas ?? 1
        let diff = claimed.count - wanted
        if diff < 0 {
            for _ in 0..<min(-diff, Self.burstReplicas) {
                let created = try await api.create(
                    Self.newPod(for: set), namespace: set.metadata.namespace, options: WriteOptions())
                if let name = created.metadata.name { expectations.created(name, for: key) }
            }
        } else if diff > 0 {
            let doomed = ReplicaSetPodRanking.podsToDelete(
                min(diff, Self.burstReplicas), from: claimed, related: relatedPods(of: set))
            for pod in doomed {
                expectations.deleted(pod, for: key)
                do {
                    _ = try await api.delete(
                        Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace,
                        options: DeleteOptions(preconditions: DeleteOptions.Preconditions(uid: pod.metadata.uid)))
                    logger.info("Deleted Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "replicaset": "\(set.metadata.name ?? "")"])
                } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {
                    continue
                }
            }
        }
    }

    /// The active pods of this set and of every ReplicaSet with the same controller (its Deployment's other
    /// revisions), which the deletion ranking counts per node (`getIndirectlyRelatedPods`).
    private func relatedPods(of set: ReplicaSet) -> [Pod] {
        let namespace = set.metadata.namespace ?? ""
        var owners: Set<String> = [set.metadata.uid ?? ""]
        if let controller = set.metadata.controllerReference {
            for other in sets.list(namespace: namespace) where other.metadata.controllerReference?.uid == controller.uid {
                owners.insert(other.metadata.uid ?? "")
            }
        }
        return pods.list(namespace: namespace).filter { pod in
            guard let owner = pod.metadata.controllerReference?.uid else { return false }
            return owners.contains(owner)
        }
    }

    /// A new pod for `set` (`GetPodFromTemplate`): `generateName: <set>-`, the template's labels,
    /// annotations, finalizers and spec, and a controller ownerReference.
    static func newPod(for set: ReplicaSet) -> Pod {
        let template = set.spec?.template
        var pod = Pod()
        pod.metadata.generateName = "\(set.metadata.name ?? "")-"
        pod.metadata.namespace = set.metadata.namespace
        pod.metadata.labels = template?.metadata?.labels
        pod.metadata.annotations = template?.metadata?.annotations
        pod.metadata.finalizers = template?.metadata?.finalizers
        if let owner = OwnerReference(controller: set) { pod.metadata.ownerReferences = [owner] }
        pod.spec = template?.spec ?? PodSpec(containers: [])
        return pod
    }

    // MARK: Status

    private func write(_ status: ReplicaSetStatus, of set: ReplicaSet) async throws {
        guard status != set.status else { return }
        let patch: JSONValue = ["status": try JSONValueEncoder().encode(status)]
        do {
            _ = try await api.patchStatus(
                ReplicaSet.self, name: set.metadata.name ?? "", namespace: set.metadata.namespace,
                patch: .merge(patch), options: WriteOptions())
        } catch where KubernetesErrors.isNotFound(error) {}
    }
}

/// The status a ReplicaSet reports for the active pods it owns (`calculateStatus`). Pure.
enum ReplicaSetStatusCalculation {
    /// The condition type set while pods cannot be created or deleted.
    static let replicaFailure = "ReplicaFailure"

    /// The status of `set` given its claimed active `pods`, at `now`; `failure` is the error of this sync's
    /// creations or deletions, if any (it sets the `ReplicaFailure` condition, which is cleared otherwise).
    static func status(of set: ReplicaSet, pods: [Pod], now: Time, failure: (any Error)?) -> ReplicaSetStatus {
        let minReadySeconds = set.spec?.minReadySeconds ?? 0
        let templateLabels = set.spec?.template?.metadata?.labels ?? [:]
        var status = ReplicaSetStatus(
            replicas: pods.count, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0,
            observedGeneration: set.metadata.generation, conditions: set.status?.conditions)
        for pod in pods {
            let labels = pod.metadata.labels ?? [:]
            if templateLabels.allSatisfy({ labels[$0.key] == $0.value }) { status.fullyLabeledReplicas! += 1 }
            guard pod.isReady else { continue }
            status.readyReplicas! += 1
            if isAvailable(pod, minReadySeconds: minReadySeconds, now: now) { status.availableReplicas! += 1 }
        }
        var conditions = (status.conditions ?? []).filter { $0.type != replicaFailure }
        if let failure {
            let reason = (set.spec?.replicas ?? 1) > pods.count ? "FailedCreate" : "FailedDelete"
            let previous = set.status?.conditions?.first { $0.type == replicaFailure }
            conditions.append(WorkloadCondition(
                type: replicaFailure, status: .true, lastTransitionTime: previous?.lastTransitionTime ?? now,
                reason: reason, message: "\(failure)"))
        }
        status.conditions = conditions.isEmpty ? nil : conditions
        return status
    }

    /// Whether a ready pod has been ready for `minReadySeconds` at `now` (`podutil.IsPodAvailable`: the
    /// Ready condition alone, whatever the phase).
    static func isAvailable(_ pod: Pod, minReadySeconds: Int, now: Time) -> Bool {
        guard pod.isReady else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = pod.status?.conditions?.first(where: { $0.type == .ready })?.lastTransitionTime else { return false }
        return since.adding(seconds: Int64(minReadySeconds)) <= now
    }
}
