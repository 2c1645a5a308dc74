import ControllerRuntime
import KubeModel
import Logging
import OperatorCore

/// Reconciles one Job the way kube-controller-manager's Job and TTL-after-finished controllers do: claims
/// its pods, applies a ``JobSyncPlan`` (pod creations and deletions, then status), and deletes a finished Job
/// once `ttlSecondsAfterFinished` has passed.
struct JobReconciler: Reconciler {
    let api: any KubernetesAPI
    let jobs: InformerCache<Job>
    let pods: InformerCache<Pod>
    let options: SimJobController.Options
    let expectations: PodExpectations
    /// When the controller first saw each failed or succeeded pod (by uid), for pods that report no
    /// container finish time.
    let finishTimes: PodFinishTimes
    let logger: Logger

    func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        guard let job = jobs.get(request.key), job.metadata.uid != nil, job.spec != nil else {
            expectations.forget(request.key)
            return .done
        }
        if job.isFinished {
            finishTimes.forget(pods.list(namespace: request.namespace).filter {
                $0.metadata.controllerReference?.uid == job.metadata.uid
            })
            return try await collectIfExpired(job)
        }
        if job.metadata.isBeingDeleted { return .done }
        guard expectations.satisfied(request.key, pods: pods) else { return .requeue(after: .milliseconds(500)) }

        let claimed = try await claimPods(of: job)
        let now = Time.now()
        let recorded = finishTimes.record(claimed, now: now)
        let plan = JobSyncPlan(
            job: job, pods: claimed, failureTimes: recorded,
            backoff: .init(base: options.backoffBase, maximum: options.maximumBackoff), now: now)

        for pod in plan.deletions {
            expectations.deleted(pod, for: request.key)
            do {
                _ = try await api.delete(
                    Pod.self, name: pod.metadata.name ?? "", namespace: pod.metadata.namespace,
                    options: DeleteOptions(preconditions: .init(uid: pod.metadata.uid)))
                logger.info("Deleted Pod", metadata: ["pod": "\(pod.metadata.name ?? "")", "job": "\(request)"])
            } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {}
        }
        for _ in 0..<plan.creations {
            let created = try await api.create(
                JobPodFactory.newPod(for: job), namespace: job.metadata.namespace, options: WriteOptions())
            if let name = created.metadata.name { expectations.created(name, for: request.key) }
            logger.info("Created Pod", metadata: ["pod": "\(created.metadata.name ?? "")", "job": "\(request)"])
        }
        if plan.status != job.status {
            var updated = job
            updated.status = plan.status
            do {
                _ = try await api.updateStatus(updated, options: WriteOptions())
            } catch where KubernetesErrors.isNotFound(error) {}
        }
        return plan.recheckAfter.map { .requeue(after: $0) } ?? .done
    }

    /// The Job's pods after adopting matching orphans and releasing owned pods that stopped matching.
    private func claimPods(of job: Job) async throws -> [Pod] {
        let selector = JobPodFactory.selector(job)
        let uid = job.metadata.uid ?? ""
        let claimer = PodClaimer(api: api)
        var claimed: [Pod] = []
        for pod in pods.list(namespace: job.metadata.namespace ?? "") {
            let matches = selector.matches(pod.metadata.labels ?? [:])
            switch PodClaim.decide(pod: pod, ownerUID: uid, ownerIsBeingDeleted: job.metadata.isBeingDeleted, matches: matches) {
            case .owned: claimed.append(pod)
            case .adopt:
                do { claimed.append(try await claimer.adopt(pod, by: job)) } catch where
                    KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {}
            case .release: try await claimer.release(pod, ownerUID: uid)
            case .ignore: continue
            }
        }
        return claimed
    }

    /// Deletes a finished Job whose `ttlSecondsAfterFinished` has passed since it finished (re-checked on a
    /// fresh read, deleted with a uid precondition), or says when to look again.
    private func collectIfExpired(_ job: Job) async throws -> ReconcileResult {
        guard let remaining = Self.ttlRemaining(job, now: .now()) else { return .done }
        if remaining > .zero { return .requeue(after: remaining) }
        let fresh: Job
        do {
            fresh = try await api.get(Job.self, name: job.metadata.name ?? "", namespace: job.metadata.namespace)
        } catch where KubernetesErrors.isNotFound(error) {
            return .done
        }
        guard !fresh.metadata.isBeingDeleted, let left = Self.ttlRemaining(fresh, now: .now()) else { return .done }
        if left > .zero { return .requeue(after: left) }
        do {
            _ = try await api.delete(
                Job.self, name: fresh.metadata.name ?? "", namespace: fresh.metadata.namespace,
                options: DeleteOptions(
                    preconditions: .init(uid: fresh.metadata.uid), propagationPolicy: options.ttlPropagationPolicy))
            logger.info("Deleted finished Job after its TTL", metadata: ["job": "\(ReconcileRequest(for: fresh))"])
        } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {}
        return .done
    }

    /// The time left before a finished Job with a TTL expires (negative once expired), or nil when it has no
    /// TTL or has not finished (`timeLeft`).
    static func ttlRemaining(_ job: Job, now: Time) -> Duration? {
        guard let ttl = job.spec?.ttlSecondsAfterFinished, job.isFinished,
            let finished = job.status?.conditions?.first(where: {
                ($0.type == .complete || $0.type == .failed) && $0.status == .true
            })?.lastTransitionTime
        else { return nil }
        return .seconds(finished.secondsSinceEpoch + Int64(ttl) - now.secondsSinceEpoch)
    }
}
