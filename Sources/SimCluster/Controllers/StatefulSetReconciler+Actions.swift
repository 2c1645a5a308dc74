import ControllerRuntime
import KubeModel
import Logging
import OperatorCore
import Unstructured

extension StatefulSetReconciler {
    /// Performs the plan's actions in order (`StatefulPodControl`). Returns when to look again, if the set
    /// needs a timed re-check (minReadySeconds).
    func execute(
        _ plan: StatefulSetPodPlan, set: StatefulSet, currentRevision: String, currentTemplate: PodTemplateSpec
    ) async throws -> Duration? {
        let setName = set.metadata.name ?? ""
        for action in plan.actions {
            switch action {
            case .create(let ordinal, let revision):
                let template = revision == currentRevision ? currentTemplate : set.spec!.template
                try await createClaims(set: set, ordinal: ordinal)
                let pod = StatefulSetIdentity.newPod(set: set, template: template, ordinal: ordinal, revision: revision)
                do {
                    _ = try await api.create(pod, namespace: set.metadata.namespace, options: WriteOptions())
                    logger.info("Created Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "statefulset": "\(setName)"])
                } catch where KubernetesErrors.isAlreadyExists(error) {
                    // The cache has not seen the pod yet; the next sync will.
                }
            case .deleteFinished(let pod), .replace(let pod):
                try await deletePod(pod, setName: setName)
            case .condemn(let pod, let ordinal):
                try await deletePod(pod, setName: setName)
                if set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled == WorkloadPolicies.delete {
                    try await deleteClaims(set: set, ordinal: ordinal)
                }
            case .restoreIdentity(let pod, let ordinal):
                let labels = StatefulSetIdentity.identityLabels(set: set, ordinal: ordinal)
                let patch: JSONValue = ["metadata": ["labels": .object(JSONObject(uniqueKeysWithValues: labels.map { ($0.key, JSONValue.string($0.value)) }))]]
                do {
                    _ = try await api.patch(
                        Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace,
                        patch: .merge(patch), subresource: nil, options: WriteOptions())
                } catch where KubernetesErrors.isNotFound(error) {}
            }
        }
        if let minReady = set.spec?.minReadySeconds, minReady > 0 { return .seconds(minReady) }
        return nil
    }

    /// Creates the pod's claims that do not exist yet; fails while one of them is being deleted
    /// (`createPersistentVolumeClaims`).
    private func createClaims(set: StatefulSet, ordinal: Int) async throws {
        for (_, claim) in StatefulSetIdentity.claims(set: set, ordinal: ordinal) {
            let name = claim.metadata.name ?? ""
            do {
                let existing = try await api.get(PersistentVolumeClaim.self, name: name, namespace: set.metadata.namespace)
                if existing.metadata.isBeingDeleted { throw StatefulSetError.claimBeingDeleted(name) }
            } catch where KubernetesErrors.isNotFound(error) {
                var owned = claim
                if set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted == WorkloadPolicies.delete,
                    let name = set.metadata.name, let uid = set.metadata.uid
                {
                    owned.metadata.ownerReferences = [
                        OwnerReference(apiVersion: StatefulSet.apiVersion, kind: StatefulSet.kind, name: name, uid: uid)
                    ]
                }
                do {
                    _ = try await api.create(owned, namespace: set.metadata.namespace, options: WriteOptions())
                    logger.info("Created PersistentVolumeClaim", metadata: ["claim": "\(name)", "statefulset": "\(set.metadata.name ?? "")"])
                } catch where KubernetesErrors.isAlreadyExists(error) {}
            }
        }
    }

    private func deleteClaims(set: StatefulSet, ordinal: Int) async throws {
        for (_, claim) in StatefulSetIdentity.claims(set: set, ordinal: ordinal) {
            do {
                _ = try await api.delete(
                    PersistentVolumeClaim.self, name: claim.metadata.name ?? "", namespace: set.metadata.namespace,
                    options: DeleteOptions())
            } catch where KubernetesErrors.isNotFound(error) {}
        }
    }

    private func deletePod(_ pod: Pod, setName: String) async throws {
        do {
            _ = try await api.delete(
                Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace,
                options: DeleteOptions(preconditions: .init(uid: pod.metadata.uid)))
            logger.info("Deleted Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "statefulset": "\(setName)"])
        } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {}
    }
}

/// Why a StatefulSet sync could not proceed; retried with backoff.
enum StatefulSetError: Error, CustomStringConvertible {
    /// A claim the pod needs is being deleted; the pod waits until it is gone and recreated.
    case claimBeingDeleted(String)

    var description: String {
        switch self {
        case .claimBeingDeleted(let name): "PersistentVolumeClaim \(name) is being deleted"
        }
    }
}
