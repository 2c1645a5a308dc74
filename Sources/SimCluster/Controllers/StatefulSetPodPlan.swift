import KubeModel

/// One step the StatefulSet controller takes on a pod.
enum StatefulSetAction: Equatable, Sendable {
    /// Create the claims and then the pod at `ordinal` from the revision `revision` (current or update).
    case create(ordinal: Int, revision: String)
    /// Delete a pod that has finished (Failed or Succeeded), so it is recreated.
    case deleteFinished(Pod)
    /// Patch the identity labels of an adopted pod that lacks them.
    case restoreIdentity(Pod, ordinal: Int)
    /// Delete a pod whose ordinal is beyond the replica count (scale down).
    case condemn(Pod, ordinal: Int)
    /// Delete a pod on an older revision so it is recreated at the update revision (rolling update).
    case replace(Pod)
}

/// What the StatefulSet controller does in one sync, decided from the claimed pods alone
/// (`updateStatefulSet` in `stateful_set_control.go`):
///
/// 1. Each ordinal in range, lowest first: a finished pod is deleted; a missing pod is created (OrderedReady:
///    then wait); OrderedReady waits for a terminating or not running-and-ready pod; a pod missing its
///    identity labels gets them.
/// 2. Pods beyond the range, highest first, are deleted (OrderedReady: one at a time, only when the ones
///    below are healthy, unless it is the first unhealthy pod).
/// 3. With `RollingUpdate`, from the highest ordinal down to the partition: the first pod not on the update
///    revision is deleted (it is recreated at the update revision), and the rollout waits for unhealthy pods.
///    A pod whose revision equals the update revision is never deleted.
struct StatefulSetPodPlan: Sendable {
    /// The actions, in order.
    private(set) var actions: [StatefulSetAction] = []

    init(set: StatefulSet, pods: [Pod], currentRevision: String, updateRevision: String) {
        let setName = set.metadata.name ?? ""
        let start = StatefulSetIdentity.startOrdinal(set)
        let end = start + StatefulSetIdentity.replicas(set)
        let monotonic = (set.spec?.podManagementPolicy ?? WorkloadPolicies.orderedReady) != WorkloadPolicies.parallel
        let minReadySeconds = set.spec?.minReadySeconds ?? 0
        let now = Time.now()

        var replicas: [Int: Pod] = [:]
        var condemned: [(ordinal: Int, pod: Pod)] = []
        for pod in pods {
            guard let ordinal = StatefulSetIdentity.ordinal(of: pod, inSet: setName) else { continue }
            if ordinal >= start && ordinal < end { replicas[ordinal] = pod } else { condemned.append((ordinal, pod)) }
        }
        condemned.sort { $0.ordinal > $1.ordinal }
        let firstUnhealthy = (start..<end).lazy.compactMap { replicas[$0] }
            .first { !StatefulSetIdentity.isHealthy($0) }
            ?? condemned.lazy.map(\.pod).first { !StatefulSetIdentity.isHealthy($0) }

        // 1. Living replicas.
        let strategy = set.spec?.updateStrategy
        let rolling = (strategy?.type ?? WorkloadPolicies.rollingUpdate) == WorkloadPolicies.rollingUpdate
        let partition = strategy?.rollingUpdate?.partition
        for ordinal in start..<end {
            guard let pod = replicas[ordinal] else {
                let atCurrent: Bool
                if let partition {
                    atCurrent = rolling && ordinal < start + partition
                } else {
                    atCurrent = rolling && ordinal < start + (set.status?.currentReplicas ?? 0)
                }
                actions.append(.create(ordinal: ordinal, revision: atCurrent ? currentRevision : updateRevision))
                if monotonic { return }
                continue
            }
            if pod.isTerminal {
                if !pod.metadata.isBeingDeleted { actions.append(.deleteFinished(pod)) }
                if monotonic { return }
                continue
            }
            if monotonic {
                if pod.metadata.isBeingDeleted { return }
                if !StatefulSetIdentity.isAvailable(pod, minReadySeconds: minReadySeconds, now: now) { return }
            }
            if !StatefulSetIdentity.identityLabelsMatch(pod, set: set, ordinal: ordinal) {
                actions.append(.restoreIdentity(pod, ordinal: ordinal))
            }
        }

        // 2. Condemned pods, highest ordinal first.
        for (ordinal, pod) in condemned {
            if pod.metadata.isBeingDeleted {
                if monotonic { return }
                continue
            }
            if monotonic, pod != firstUnhealthy,
                !StatefulSetIdentity.isAvailable(pod, minReadySeconds: minReadySeconds, now: now)
            {
                return
            }
            actions.append(.condemn(pod, ordinal: ordinal))
            if monotonic { return }
        }

        // 3. Rolling update from the highest ordinal down to the partition.
        guard rolling else { return }
        let lowest = start + max(0, partition ?? 0)
        guard lowest < end else { return }
        for ordinal in stride(from: end - 1, through: lowest, by: -1) {
            guard let pod = replicas[ordinal], !pod.isTerminal else { return }
            if StatefulSetIdentity.revision(of: pod) != updateRevision && !pod.metadata.isBeingDeleted {
                actions.append(.replace(pod))
                return
            }
            if !StatefulSetIdentity.isHealthy(pod) { return }
        }
    }
}
