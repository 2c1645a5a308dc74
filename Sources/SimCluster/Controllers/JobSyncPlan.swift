import KubeModel

/// What the Job controller does in one sync of an unfinished Job, decided from the Job and its pods alone
/// (`syncJob` and `manageJob` of `pkg/controller/job`, for NonIndexed jobs):
///
/// - counts active (neither finished nor being deleted), ready, terminating, succeeded and failed pods;
///   `succeeded` and `failed` never go down, even when finished pods are deleted;
/// - sets `startTime` when the Job first runs unsuspended;
/// - fails the Job when `failed > backoffLimit` (BackoffLimitExceeded) or `activeDeadlineSeconds` has passed
///   since `startTime` (DeadlineExceeded): `FailureTarget` first, active pods deleted, and `Failed` once no pod
///   is left running or terminating;
/// - completes it when `succeeded ≥ completions` (or, without completions, a pod succeeded and none is
///   active): `SuccessCriteriaMet`, remaining pods deleted, then `Complete` with `completionTime`;
/// - when suspended deletes active pods and sets `Suspended`; when resumed resets `startTime`;
/// - otherwise keeps `min(parallelism, completions − succeeded)` pods active, waiting out the exponential
///   backoff after failures (`base · 2^(n−1)`, at most `maximumBackoff`, n failures since the last success).
struct JobSyncPlan: Sendable {
    /// The status to write.
    var status: JobStatus
    /// Pods to delete (surplus, or all active ones of a failed, completed or suspended Job).
    var deletions: [Pod] = []
    /// Pods to create.
    var creations = 0
    /// When to sync again without a watch event (backoff, active deadline).
    var recheckAfter: Duration?

    /// Backoff settings: the first delay and the cap.
    struct Backoff: Sendable {
        var base: Duration
        var maximum: Duration
    }

    init(job: Job, pods: [Pod], failureTimes: [String: Time], backoff: Backoff, now: Time) {
        let spec = job.spec
        var status = job.status ?? JobStatus()
        var conditions = status.conditions ?? []
        let active = pods.filter { !$0.isTerminal && !$0.metadata.isBeingDeleted }
        let terminating = pods.filter { !$0.isTerminal && $0.metadata.isBeingDeleted }
        let succeededPods = pods.filter { $0.status?.phase == .succeeded }
        let failedPods = pods.filter { $0.status?.phase == .failed }
        let succeeded = max(status.succeeded ?? 0, succeededPods.count)
        let failed = max(status.failed ?? 0, failedPods.count)
        let suspended = spec?.suspend == true
        let parallelism = max(0, spec?.parallelism ?? 1)
        let completions = spec?.completions

        status.active = active.count
        status.ready = active.filter(\.isReady).count
        status.terminating = terminating.count
        status.succeeded = succeeded
        status.failed = failed
        if status.startTime == nil && !suspended { status.startTime = now }

        // Has the job met a terminal criterion (now or in an earlier sync)?
        var failure = conditions.first { $0.type == .failureTarget && $0.status == .true }
            .map { (reason: $0.reason ?? "", message: $0.message ?? "") }
        var deadlineLeft: Duration?
        if failure == nil {
            if failed > (spec?.backoffLimit ?? 6) {
                failure = (JobReasons.backoffLimitExceeded, JobReasons.backoffLimitExceededMessage)
            } else if !suspended, let deadline = spec?.activeDeadlineSeconds, let start = status.startTime {
                let left = start.secondsSinceEpoch + deadline - now.secondsSinceEpoch
                if left <= 0 {
                    failure = (JobReasons.deadlineExceeded, JobReasons.deadlineExceededMessage)
                } else {
                    deadlineLeft = .seconds(left)
                }
            }
        }
        let successMet = conditions.contains { $0.type == .successCriteriaMet && $0.status == .true }
            || (completions.map { succeeded >= $0 } ?? (succeeded > 0 && active.isEmpty))

        if let failure {
            Self.set(.failureTarget, reason: failure.reason, message: failure.message, in: &conditions, now: now)
            deletions = active
            if active.isEmpty && terminating.isEmpty {
                Self.set(.failed, reason: failure.reason, message: failure.message, in: &conditions, now: now)
            }
        } else if successMet {
            Self.set(.successCriteriaMet, reason: JobReasons.completionsReached,
                     message: JobReasons.completionsReachedMessage, in: &conditions, now: now)
            deletions = active
            if active.isEmpty && terminating.isEmpty {
                Self.set(.complete, reason: JobReasons.completionsReached,
                         message: JobReasons.completionsReachedMessage, in: &conditions, now: now)
                status.completionTime = now
            }
        } else if suspended {
            Self.set(.suspended, reason: JobReasons.suspended, message: JobReasons.suspendedMessage,
                     in: &conditions, now: now)
            deletions = active
        } else {
            if conditions.contains(where: { $0.type == .suspended && $0.status == .true }) {
                Self.set(.suspended, status: .false, reason: JobReasons.resumed, message: JobReasons.resumedMessage,
                         in: &conditions, now: now)
                status.startTime = now
                if let deadline = spec?.activeDeadlineSeconds { deadlineLeft = .seconds(deadline) }
            }
            let wanted: Int
            if let completions {
                wanted = max(0, min(parallelism, completions - succeeded))
            } else {
                wanted = succeeded > 0 ? active.count : parallelism
            }
            if active.count > wanted {
                // Delete the least progressed pods first: not ready before ready, newest first.
                let ordered = active.sorted { a, b in
                    if a.isReady != b.isReady { return !a.isReady }
                    return (a.metadata.creationTimestamp ?? now) > (b.metadata.creationTimestamp ?? now)
                }
                deletions = Array(ordered.prefix(active.count - wanted))
            } else if active.count < wanted {
                let wait = Self.backoffRemaining(
                    succeededPods: succeededPods, failedPods: failedPods, failureTimes: failureTimes,
                    backoff: backoff, now: now)
                if let wait, wait > .zero {
                    recheckAfter = wait
                } else {
                    creations = wanted - active.count
                }
            }
            if let deadlineLeft { recheckAfter = min(recheckAfter ?? deadlineLeft, deadlineLeft) }
        }
        status.conditions = conditions.isEmpty ? nil : conditions
        self.status = status
    }

    /// The time still to wait before creating replacement pods, or nil when there was no failure since the
    /// last success (`backoffRecord` and `getRemainingTime`).
    static func backoffRemaining(
        succeededPods: [Pod], failedPods: [Pod], failureTimes: [String: Time], backoff: Backoff, now: Time
    ) -> Duration? {
        let lastSuccess = succeededPods.compactMap { finishTime(of: $0, recorded: failureTimes) }.max()
        let failures = failedPods.compactMap { finishTime(of: $0, recorded: failureTimes) }
            .filter { lastSuccess == nil || $0 > lastSuccess! }
        guard let lastFailure = failures.max() else { return nil }
        var delay = backoff.base
        for _ in 1..<failures.count where delay < backoff.maximum { delay *= 2 }
        delay = min(delay, backoff.maximum)
        let elapsed = Duration.seconds(now.secondsSinceEpoch - lastFailure.secondsSinceEpoch)
        return delay - elapsed
    }

    /// When a finished pod finished: its containers' latest `finishedAt`, else when the controller first saw
    /// it finished.
    static func finishTime(of pod: Pod, recorded: [String: Time]) -> Time? {
        let finished = (pod.status?.containerStatuses ?? []).compactMap { $0.state?.terminated?.finishedAt }.max()
        return finished ?? recorded[pod.metadata.uid ?? ""]
    }

    /// Sets a condition, keeping its transition time unless its status flips.
    static func set(
        _ type: JobConditionType, status: ConditionStatus = .true, reason: String, message: String,
        in conditions: inout [JobCondition], now: Time
    ) {
        if let index = conditions.firstIndex(where: { $0.type == type }) {
            let existing = conditions[index]
            guard existing.status != status || existing.reason != reason || existing.message != message else { return }
            if existing.status != status { conditions[index].lastTransitionTime = now }
            conditions[index].status = status
            conditions[index].reason = reason
            conditions[index].message = message
            conditions[index].lastProbeTime = now
            return
        }
        conditions.append(JobCondition(
            type: type, status: status, lastProbeTime: now, lastTransitionTime: now, reason: reason, message: message))
    }
}
