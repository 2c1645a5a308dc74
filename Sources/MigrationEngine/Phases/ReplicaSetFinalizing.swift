import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Unstructured

/// The finalizing steps of a ReplicaSet pod, before ``FinalizingStep/sourceStopped``, as recorded in
/// `status.finalizingSteps`.
enum ReplicaSetFinalizingStep {
    static let sourceCostLowered = "SourceDeletionCostLowered"
    static let targetAdopted = "TargetAdopted"
}

extension MigrationRun {
    /// Whether this migration hands its target to the source's ReplicaSet.
    var handsOffToReplicaSet: Bool { strategy == .shadowPod && status.replicaSetHandOff?.heldLabelKey != nil }

    /// Finalizing step 1 for a ReplicaSet pod: stop the source by the ReplicaSet's own mechanism, never
    /// leaving it a replica short (it would create a fresh, stateless pod) nor two over.
    ///
    /// 1. The source gets `controller.kubernetes.io/pod-deletion-cost: "-2147483648"`, the minimum.
    /// 2. Once the set is settled (``ReplicaSetHandOff/handOffBlockers(replicaSet:ownedPods:source:target:)``:
    ///    its count reached, every other pod Running and Ready at a higher cost), the target gets the held
    ///    selector label back. The controller adopts it in its next sync, sees one pod more than
    ///    `spec.replicas`, and deletes the lowest-ranked pod: the source. Deleting the source ourselves
    ///    instead is not race-free: before the adoption the set would see one too few and create a
    ///    replacement; after it, the controller has already picked its surplus pod in the same sync.
    /// 3. Wait until the source is gone (its process no longer consumes). If the controller has not
    ///    removed it within ``EngineConfiguration/sourceReleaseWait`` (it picked another pod because one
    ///    became unready in between), the engine deletes it, with a warning: the set then replaces the pod
    ///    it lost.
    ///
    /// Returns an outcome while waiting, nil once the source is gone.
    func handSourceToReplicaSet() async throws -> PhaseOutcome? {
        guard let handOff = status.replicaSetHandOff, let key = handOff.heldLabelKey, let value = handOff.heldLabelValue,
            let setName = status.replicaSetName
        else { return nil }
        let source = try await find(Pod.self, sourcePodName).flatMap { $0.metadata.uid == status.sourcePodUID ? $0 : nil }

        if !done(ReplicaSetFinalizingStep.sourceCostLowered, in: \.finalizingSteps) {
            if let source, !source.metadata.isBeingDeleted, ReplicaSetHandOff.deletionCost(of: source) != ReplicaSetHandOff.minimumCost {
                try await patchPod(source, metadata: [
                    "annotations": .object([ReplicaSetHandOff.deletionCostAnnotation: .string(String(ReplicaSetHandOff.minimumCost))])
                ])
            }
            try await markDone(ReplicaSetFinalizingStep.sourceCostLowered, in: \.finalizingSteps)
        }

        guard let target = try await find(Pod.self, targetPodName), target.metadata.labels?[MigrationNames.migrationLabel] == name,
            !target.metadata.isBeingDeleted
        else {
            return .fail(reason: "TargetPodLost", message: "target pod \(targetPodName) disappeared before the ReplicaSet \(setName) took it over")
        }
        if !done(ReplicaSetFinalizingStep.targetAdopted, in: \.finalizingSteps) {
            if target.metadata.controllerReference?.uid == handOff.uid {
                try await markDone(ReplicaSetFinalizingStep.targetAdopted, in: \.finalizingSteps)
                ports.events.record(.normal, reason: "TargetAdopted", note: "ReplicaSet \(setName) adopted \(targetPodName)", about: migration)
            } else if let other = target.metadata.controllerReference {
                return .fail(reason: "TargetPodConflict", message: "target pod \(targetPodName) was adopted by \(other.kind) \(other.name), not by ReplicaSet \(setName)")
            } else if target.metadata.labels?[key] == value {
                return .wait(after: configuration.replayPollInterval)  // the controller has not synced yet
            } else {
                guard let set = try await find(ReplicaSet.self, setName), set.metadata.uid == handOff.uid, !set.metadata.isBeingDeleted else {
                    return .fail(reason: "OwnerNotFound", message: "ReplicaSet \(setName) was deleted or replaced during the migration")
                }
                let owned = try await api.list(Pod.self, namespace: namespace, options: ListOptions(labelSelector: set.spec?.selector.selectorString))
                    .items.filter { $0.metadata.controllerReference?.uid == handOff.uid && !$0.isTerminal && !$0.metadata.isBeingDeleted }
                let blockers = source.map {
                    ReplicaSetHandOff.handOffBlockers(replicaSet: set, ownedPods: owned, source: $0, target: target)
                } ?? []
                if let first = blockers.first {
                    logger.debug("waiting to hand \(targetPodName) to ReplicaSet \(setName): \(first)")
                    return .wait(after: .milliseconds(200))
                }
                var record = handOff
                record.releaseTime = MicroTime.now()
                status.replicaSetHandOff = record
                try await persist()
                try await patchPod(target, metadata: ["labels": .object([key: .string(value)])])
                ports.events.record(.normal, reason: "TargetHandedOver", note: "gave \(targetPodName) the label \(key)=\(value): ReplicaSet \(setName) adopts it and removes \(sourcePodName), whose deletion cost is the lowest", about: migration)
                return .wait(after: configuration.replayPollInterval)
            }
        }

        guard let source else { return nil }
        if !source.metadata.isBeingDeleted {
            let waited = seconds(since: status.replicaSetHandOff?.releaseTime)
            let limit = configuration.sourceReleaseWait.seconds
            guard status.replicaSetHandOff?.releaseTime == nil || waited >= limit else {
                return .wait(after: .milliseconds(200))
            }
            try await remove(Pod.self, sourcePodName, options: DeleteOptions(preconditions: DeleteOptions.Preconditions(uid: status.sourcePodUID)))
            ports.events.record(.warning, reason: "SourceDeletedByEngine", note: "ReplicaSet \(setName) did not remove \(sourcePodName) within \(String(format: "%.1f", waited)) s of adopting \(targetPodName); deleted it (the set replaces whichever pod it removed instead)", about: migration)
        }
        return .wait(after: nil)
    }

    /// Rollback of a ReplicaSet pod's migration whose source still serves: gives the source back the
    /// deletion cost it had when the migration started (absent, or the user's value).
    func restoreSourceDeletionCost() async throws {
        guard done(ReplicaSetFinalizingStep.sourceCostLowered, in: \.finalizingSteps),
            let source = try await find(Pod.self, sourcePodName), source.metadata.uid == status.sourcePodUID,
            !source.metadata.isBeingDeleted
        else { return }
        let original = try sourcePodRecord()?.metadata.annotations?[ReplicaSetHandOff.deletionCostAnnotation]
        guard source.metadata.annotations?[ReplicaSetHandOff.deletionCostAnnotation] != original else { return }
        try await patchPod(source, metadata: [
            "annotations": .object([ReplicaSetHandOff.deletionCostAnnotation: original.map { .string($0) } ?? .null])
        ])
    }

    /// Whether the target has been adopted by the source's ReplicaSet (it counts as one of its replicas).
    func targetAdoptedByReplicaSet(_ target: Pod) -> Bool {
        guard let uid = status.replicaSetHandOff?.uid else { return false }
        return target.metadata.controllerReference?.uid == uid
    }

    /// Merge-patches the metadata of `pod` as read, with its `resourceVersion` as the precondition a real API
    /// server enforces (409 Conflict when the pod changed since; a uid in a merge patch would instead be an
    /// invalid update, 422). On a conflict the pod is read again and, while it is still the same pod (same
    /// uid, not being deleted), patched again; a pod gone or replaced by another of the same name is left alone.
    func patchPod(_ pod: Pod, metadata: JSONObject) async throws {
        guard let name = pod.metadata.name, let uid = pod.metadata.uid else { return }
        var current = pod
        for attempt in 1...5 {
            var body = metadata
            body["resourceVersion"] = current.metadata.resourceVersion.map { .string($0) } ?? .null
            do {
                _ = try await api.patch(
                    Pod.self, name: name, namespace: namespace, patch: .merge(.object(["metadata": .object(body)])),
                    subresource: nil, options: WriteOptions(fieldManager: MigrationNames.fieldManager))
                return
            } catch where KubernetesErrors.isNotFound(error) {
                return
            } catch where KubernetesErrors.isConflict(error) && attempt < 5 {
                guard let again = try await find(Pod.self, name), again.metadata.uid == uid, !again.metadata.isBeingDeleted else {
                    return
                }
                current = again
            }
        }
    }
}
