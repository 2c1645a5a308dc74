import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Placement
import Unstructured

/// The Sequential restoring steps, in order, as recorded in `status.restoringSteps`.
enum RestoringStep {
    static let statefulSetSaved = "StatefulSetSaved"
    static let statefulSetOrphaned = "StatefulSetOrphaned"
    static let sourceDeleted = "SourceDeleted"
    static let targetCreated = "TargetCreated"
    static let statefulSetRecreated = "StatefulSetRecreated"
}

extension MigrationRun {
    /// Restoring: creates the target pod from the checkpoint images, pinned to the target node for the
    /// scheduler to bind (``TargetPodBuilder``), and waits for it to be Running and Ready. A target the API
    /// server refuses fails the migration (`TargetRejected`); one the scheduler does not bind within the restore
    /// patience is created again on another node that fits (each node once, at most `spec.restore.maxAttempts`),
    /// and with none left the migration fails (`TargetUnschedulable`), the source serving if it still runs.
    ///
    /// ShadowPod creates `<source>-shadow` beside the running source; for a ReplicaSet pod without one of the
    /// set's selector labels (``ReplicaSetHandOff``), so the set neither adopts nor counts it. While the source
    /// runs, a target the kubelet may still bring up (an image pull, a container creation failing) is waited
    /// for during the engine's restore patience; one that crashed, whose node is lost, or that is still failing
    /// then ends the migration (the rollback removes it; nothing is lost).
    ///
    /// Sequential moves one StatefulSet ordinal while its siblings keep serving: the StatefulSet is recorded
    /// in status and deleted with `propagationPolicy: Orphan` (its pods keep running, unowned), the source pod
    /// is deleted with a short grace period (its state is in the checkpoint), the target is created under the
    /// source's name with its `controller-revision-hash`; once it has replayed (end of Finalizing) the
    /// StatefulSet is re-created from the record so its controller re-adopts every pod — the target as
    /// current, not to be rolled. Each step is recorded before the next, and each checks what exists before
    /// acting.
    ///
    /// From the source's deletion on, the checkpoint image and the replay queue are the only copy of the
    /// workload's state, so a target that fails is not the end: ``RestoreRecovery`` waits out failures the
    /// kubelet retries (image pull, container creation) for a while, then — or at once for a crash or a lost
    /// node — gives the target up and restores again from the same image, on another node that fits, after a
    /// backoff; within `spec.restore` (attempts, deadline). The StatefulSet stays deleted meanwhile, so its
    /// controller cannot start the ordinal fresh. Replaying watches the target the same way (a target lost
    /// while replaying sends the migration back here, and the replay queue is rebuilt from the journal). When
    /// the attempts run out the migration fails with its state retained (see ``runRollback(discarding:)``).
    func runRestoring() async throws -> PhaseOutcome {
        if strategy == .sequential, let outcome = try await prepareSequentialTarget() { return outcome }
        let checkpoints = self.checkpoints
        if let missing = checkpoints.first(where: { $0.image == nil }) {
            return .fail(reason: "CheckpointImageMissing", message: "no checkpoint image was recorded for container \(missing.name)")
        }
        let image = checkpoints.compactMap(\.image).joined(separator: ", ")
        let targetName = targetPodName
        var target = try await find(Pod.self, targetName)
        if let existing = target {
            if existing.metadata.uid == status.sourcePodUID {
                return .wait(after: nil)  // the source (same name) is still terminating
            }
            guard existing.metadata.labels?[MigrationNames.migrationLabel] == name else {
                return .fail(reason: "TargetPodConflict", message: "pod \(namespace)/\(targetName) exists and was not created by this migration")
            }
            if let abandoned = status.restore?.abandonedPodUID, existing.metadata.uid == abandoned {
                if existing.metadata.deletionTimestamp == nil {
                    try await remove(Pod.self, targetName, options: DeleteOptions(
                        gracePeriodSeconds: 0, preconditions: DeleteOptions.Preconditions(uid: abandoned)))
                }
                return .wait(after: .milliseconds(200))  // the target given up is going away
            }
        } else {
            guard let sourcePod = try sourcePodRecord() else {
                return .fail(reason: "SourcePodRecordMissing", message: "the source pod was not recorded in status")
            }
            let now = Date()
            if let next = status.restore?.nextAttemptTime?.date, next > now {
                return .wait(after: .milliseconds(Int64(next.timeIntervalSince(now) * 1000) + 10))
            }
            if sourceGone {
                // Counted before the pod exists: a crash in between costs an attempt, never repeats one uncounted.
                var restore = status.restore ?? RestoreStatus()
                restore.attempts = (restore.attempts ?? 0) + 1
                restore.firstAttemptTime = restore.firstAttemptTime ?? MicroTime(now)
                restore.attemptStartTime = MicroTime(now)
                restore.nextAttemptTime = nil
                restore.abandonedPodUID = nil
                status.restore = restore
                try await persist()
            }
            let images = Dictionary(checkpoints.map { ($0.name, $0.image ?? "") }, uniquingKeysWith: { first, _ in first })
            var pod = TargetPodBuilder.build(
                source: sourcePod, name: targetName, node: status.targetNode ?? "", images: images,
                primary: status.containerName ?? "", migration: migration)
            if let held = status.replicaSetHandOff?.heldLabelKey {
                ReplicaSetHandOff.holdBack(&pod, heldLabel: held)
            }
            do {
                target = try await api.create(pod, namespace: namespace, options: WriteOptions(fieldManager: MigrationNames.fieldManager))
            } catch where KubernetesErrors.isAlreadyExists(error) {
                return .wait(after: .milliseconds(200))
            } catch where Self.isRejection(error) {
                // Admission said no (quota, PodSecurity, a webhook, validation): asking again changes nothing.
                let message = KubernetesErrors.message(of: error) ?? "\(error)"
                return .fail(reason: "TargetRejected", message: "the API server refused target pod \(targetName): \(message)")
            }
            let scheduler = pod.spec?.schedulerName ?? "default-scheduler"
            ports.events.record(
                .normal, reason: "TargetCreated",
                note: "created pod \(targetName) from \(image), pinned to node \(status.targetNode ?? "") for \(scheduler) to bind",
                about: migration)
        }
        if strategy == .sequential, !done(RestoringStep.targetCreated, in: \.restoringSteps) {
            try await markDone(RestoringStep.targetCreated, in: \.restoringSteps)
        }

        guard let target else { return .wait(after: nil) }
        let serving = target.status?.phase == .running && target.isReady
        if sourceGone {
            if !serving || RestoreRecovery.podProblem(target) != nil {
                return try await recoverRestore(target)
            }
        } else if !serving {
            // While the source runs nothing is lost: what the kubelet may still clear is waited out for a
            // while; anything else fails the migration, and the rollback removes the target.
            let node = try await find(Node.self, target.spec?.nodeName ?? status.targetNode ?? "")
            if let problem = RestoreRecovery.problem(of: target, node: node) {
                let created = target.metadata.creationTimestamp?.date ?? Date()
                switch restoreRecovery.nextWhileSourceRuns(problem: problem, sinceCreated: Date().timeIntervalSince(created)) {
                case .wait(let delay): return .wait(after: delay)
                case .giveUp(let failure), .retry(let failure):
                    if case .unschedulable = problem { return try await scheduleElsewhere(target, failure: failure) }
                    return .fail(reason: "RestoreFailed", message: failure)
                }
            }
        }
        if serving {
            ports.events.record(.normal, reason: "Restored", note: "pod \(targetName) is running and ready on \(status.targetNode ?? "")", about: migration)
            return .advance(to: .replaying)
        }
        return .wait(after: nil)
    }

    /// Whether `error` answers a create with a refusal no retry changes: 400, 403 (quota, PodSecurity,
    /// RBAC, a terminating namespace) or 422 (validation, a webhook).
    static func isRejection(_ error: any Error) -> Bool {
        guard let code = KubernetesErrors.code(of: error) else { return false }
        return code == 400 || code == 403 || code == 422
    }

    /// Whether the source pod is gone and the checkpoint is the only copy of the state: a Sequential
    /// migration past the source's deletion.
    var sourceGone: Bool { strategy == .sequential && done(RestoringStep.sourceDeleted, in: \.restoringSteps) }

    /// The restore rules for this migration.
    var restoreRecovery: RestoreRecovery {
        RestoreRecovery(spec: spec, patience: configuration.restorePatience, backoff: configuration.restoreBackoff)
    }

    /// A target that is not serving after the source is gone: wait, restore again elsewhere, or give up
    /// (``RestoreRecovery``).
    private func recoverRestore(_ target: Pod) async throws -> PhaseOutcome {
        let nodeName = target.spec?.nodeName ?? status.targetNode ?? ""
        let node = try await find(Node.self, nodeName)
        let problem = RestoreRecovery.problem(of: target, node: node)
        let restore = status.restore ?? RestoreStatus()
        let now = Date()
        let first = restore.firstAttemptTime?.date ?? now
        let started = restore.attemptStartTime?.date ?? now
        let step = restoreRecovery.next(
            problem: problem, attempts: Int(restore.attempts ?? 1), sinceFirst: now.timeIntervalSince(first),
            sinceAttempt: now.timeIntervalSince(started))
        switch step {
        case .wait(let delay):
            return .wait(after: delay)
        case .giveUp(let failure):
            return .fail(reason: "RestoreFailed", message: failure)
        case .retry(let failure):
            return try await abandon(target, on: nodeName, failure: failure)
        }
    }

    /// While the source runs: a target the scheduler has not bound within the restore patience is given up and
    /// created again, from the same image, on another node that fits — the replay queue holds every message
    /// since the checkpoint, so any target restored from it catches up. Each node is tried once, at most
    /// `spec.restore.maxAttempts` of them; with none left the migration fails `TargetUnschedulable` with the
    /// scheduler's message, and the rollback removes the target while the source keeps serving.
    private func scheduleElsewhere(_ target: Pod, failure: String) async throws -> PhaseOutcome {
        let refusedOn = NodePin.node(of: target) ?? status.targetNode ?? ""
        let tried = Set((status.restore?.failedNodes ?? []) + [refusedOn])
        let excluded = tried.union([status.sourceNode ?? ""])
        guard tried.count < restoreRecovery.maxAttempts, let source = try sourcePodRecord(),
            try await chooseNode(for: source, excluding: excluded).node != nil
        else {
            return .fail(reason: "TargetUnschedulable", message: "\(failure); no other node to try (tried \(tried.sorted().joined(separator: ", ")))")
        }
        return try await abandon(target, on: refusedOn, failure: failure)
    }

    /// Gives `target` up (nil: it is already gone) and schedules the next attempt: records the failure, the
    /// next node (one that fits and has not failed, else any other that fits, else the same node again) and
    /// the backoff, then deletes the target. The record comes first, so a restart finishes the deletion
    /// instead of judging the pod again.
    func abandon(_ target: Pod?, on failedNode: String, failure: String) async throws -> PhaseOutcome {
        var restore = status.restore ?? RestoreStatus()
        var failedNodes = restore.failedNodes ?? []
        if !failedNode.isEmpty, !failedNodes.contains(failedNode) { failedNodes.append(failedNode) }
        // Counted once the source is gone; while it runs (a target moved off a node that refused it) the nodes
        // tried are the count.
        let attempts = Int(restore.attempts ?? Int32(max(1, failedNodes.count)))
        restore.failedNodes = failedNodes
        restore.lastFailure = failure
        restore.abandonedPodUID = target?.metadata.uid
        let backoff = restoreRecovery.backoff(beforeAttempt: attempts + 1)
        restore.nextAttemptTime = MicroTime(Date().addingTimeInterval(backoff.seconds))
        status.restore = restore
        var next = failedNode
        if let source = try sourcePodRecord(), let node = try await restoreNode(for: source, alsoAvoided: failedNode) {
            next = node
        }
        status.targetNode = next
        try await persist()
        ports.events.record(
            .warning, reason: "RestoreRetry",
            note: "restore attempt \(attempts) failed: \(failure); restoring again from \(status.checkpointImage ?? "the checkpoint") on node \(next) in \(String(format: "%.0f", backoff.seconds)) s",
            about: migration)
        if let target {
            try await remove(Pod.self, targetPodName, options: DeleteOptions(
                gracePeriodSeconds: 0, preconditions: DeleteOptions.Preconditions(uid: target.metadata.uid)))
        }
        return .wait(after: .milliseconds(200))
    }

    /// The source pod as captured in Pending.
    func sourcePodRecord() throws -> Pod? {
        guard let saved = status.savedSourcePod else { return nil }
        return try JSONValueDecoder().decode(Pod.self, from: saved)
    }

    /// Sequential, before the target exists: record and orphan-delete the StatefulSet, then delete the
    /// source pod. Returns an outcome while waiting, nil once the target may be created.
    private func prepareSequentialTarget() async throws -> PhaseOutcome? {
        if let setName = status.statefulSetName {
            if !done(RestoringStep.statefulSetSaved, in: \.restoringSteps) {
                guard let set = try await find(StatefulSet.self, setName) else {
                    return .fail(reason: "OwnerNotFound", message: "StatefulSet \(setName) disappeared before the migration could record it")
                }
                status.savedStatefulSet = try JSONValueEncoder().encode(set)
                status.originalReplicas = Int32(set.spec?.replicas ?? 1)
                try await markDone(RestoringStep.statefulSetSaved, in: \.restoringSteps)
            }
            if !done(RestoringStep.statefulSetOrphaned, in: \.restoringSteps) {
                let savedUID = status.savedStatefulSet?["metadata"]?["uid"]?.stringValue
                if let set = try await find(StatefulSet.self, setName) {
                    guard set.metadata.uid == savedUID else {
                        return .fail(reason: "StatefulSetChanged", message: "StatefulSet \(setName) was replaced while the migration ran")
                    }
                    if set.metadata.deletionTimestamp == nil {
                        try await remove(StatefulSet.self, setName, options: DeleteOptions(
                            preconditions: DeleteOptions.Preconditions(uid: savedUID), propagationPolicy: .orphan))
                    }
                    return .wait(after: .milliseconds(100))
                }
                try await markDone(RestoringStep.statefulSetOrphaned, in: \.restoringSteps)
            }
        }
        if !done(RestoringStep.sourceDeleted, in: \.restoringSteps) {
            if let source = try await find(Pod.self, sourcePodName), source.metadata.uid == status.sourcePodUID {
                // The StatefulSet controller must have let go of the pod first (the orphan finalizer strips
                // its ownerReference), or a new controller could still act on it.
                if source.metadata.ownerReferences?.contains(where: { $0.controller == true && $0.kind == "StatefulSet" }) == true {
                    return .wait(after: .milliseconds(100))
                }
                if source.metadata.deletionTimestamp == nil {
                    let grace = spec.sourceDeletionGracePeriodSeconds ?? configuration.sourceDeletionGracePeriodSeconds
                    try await remove(Pod.self, sourcePodName, options: DeleteOptions(
                        gracePeriodSeconds: grace, preconditions: DeleteOptions.Preconditions(uid: status.sourcePodUID)))
                    ports.events.record(.normal, reason: "SourceDeleted", note: "deleted \(sourcePodName) on \(status.sourceNode ?? ""); its state is in the checkpoint", about: migration)
                }
                return .wait(after: nil)
            }
            try await markDone(RestoringStep.sourceDeleted, in: \.restoringSteps)
        }
        return nil
    }

    /// Sequential, once the target holds the state: re-create the StatefulSet from its record and wait until
    /// its controller has adopted every pod it selects (the target and the siblings the orphan-delete let go).
    /// Until then those pods look like bare pods: a migration of a sibling started in between would take its
    /// pod for one and move it the wrong way (ShadowPod, which the StatefulSet would then answer with a fresh
    /// pod). nil when done.
    func recreateStatefulSet() async throws -> PhaseOutcome? {
        guard let setName = status.statefulSetName, !done(RestoringStep.statefulSetRecreated, in: \.restoringSteps) else {
            return nil
        }
        if let existing = try await find(StatefulSet.self, setName) {
            if let orphans = try await unadoptedPods(of: existing), !orphans.isEmpty {
                return .wait(after: .milliseconds(100))
            }
        } else {
            guard let saved = status.savedStatefulSet else {
                return .fail(reason: "StatefulSetRecordMissing", message: "StatefulSet \(setName) was not recorded")
            }
            var set = try JSONValueDecoder().decode(StatefulSet.self, from: saved)
            set.metadata = ObjectMeta(
                name: set.metadata.name, namespace: set.metadata.namespace, labels: set.metadata.labels,
                annotations: set.metadata.annotations, ownerReferences: set.metadata.ownerReferences,
                finalizers: set.metadata.finalizers)
            set.status = nil
            do {
                _ = try await api.create(set, namespace: namespace, options: WriteOptions(fieldManager: MigrationNames.fieldManager))
            } catch where KubernetesErrors.isAlreadyExists(error) {}
            ports.events.record(.normal, reason: "StatefulSetRecreated", note: "re-created StatefulSet \(setName); it adopts its pods", about: migration)
            return .wait(after: .milliseconds(100))
        }
        try await markDone(RestoringStep.statefulSetRecreated, in: \.restoringSteps)
        return nil
    }

    /// The names of `set`'s pods (selected, and named `<set>-<ordinal>`: what its controller adopts) in its
    /// namespace that have no controller yet; nil when its selector cannot be listed by (no `matchLabels`).
    func unadoptedPods(of set: StatefulSet) async throws -> [String]? {
        guard let labels = set.spec?.selector.matchLabels, !labels.isEmpty else { return nil }
        let selector = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let pods = try await api.list(Pod.self, namespace: namespace, options: ListOptions(labelSelector: selector)).items
        return pods.filter {
            $0.metadata.controllerReference == nil && $0.metadata.deletionTimestamp == nil && Self.isMember($0, of: set)
        }
        .compactMap(\.metadata.name)
    }

    /// Whether `pod` is named as a pod of `set` (`<set>-<ordinal>`), which the StatefulSet controller requires
    /// before it adopts one.
    static func isMember(_ pod: Pod, of set: StatefulSet) -> Bool {
        guard let name = pod.metadata.name, let setName = set.metadata.name, name.hasPrefix(setName + "-") else { return false }
        let ordinal = name.dropFirst(setName.count + 1)
        return !ordinal.isEmpty && ordinal.allSatisfy(\.isNumber)
    }
}
