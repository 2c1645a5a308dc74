import KubeModel

/// The status a StatefulSet should report for the pods it owns (`updateStatus` and `completeRollingUpdate`
/// of kube-controller-manager's StatefulSet controller). Pure.
enum StatefulSetStatusCalculation {
    /// The status of `set` given its claimed `pods`, the current and update revision names, and `now`.
    static func status(
        of set: StatefulSet, pods: [Pod], currentRevision: String, updateRevision: String, now: Time
    ) -> StatefulSetStatus {
        let minReadySeconds = set.spec?.minReadySeconds ?? 0
        var status = StatefulSetStatus(
            observedGeneration: set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0,
            updatedReplicas: 0, availableReplicas: 0, currentRevision: currentRevision,
            updateRevision: updateRevision, collisionCount: set.status?.collisionCount ?? 0,
            conditions: set.status?.conditions)
        for pod in pods {
            status.replicas += 1
            if StatefulSetIdentity.isRunningAndReady(pod) {
                status.readyReplicas! += 1
                if StatefulSetIdentity.isAvailable(pod, minReadySeconds: minReadySeconds, now: now) {
                    status.availableReplicas! += 1
                }
            }
            guard !pod.metadata.isBeingDeleted else { continue }
            let revision = StatefulSetIdentity.revision(of: pod)
            if revision == currentRevision { status.currentReplicas! += 1 }
            if revision == updateRevision { status.updatedReplicas! += 1 }
        }
        let rolling = (set.spec?.updateStrategy?.type ?? WorkloadPolicies.rollingUpdate) == WorkloadPolicies.rollingUpdate
        if rolling, status.updatedReplicas == status.replicas, status.readyReplicas == status.replicas {
            status.currentReplicas = status.updatedReplicas
            status.currentRevision = status.updateRevision
        }
        return status
    }
}
