import KubeModel
import MigrationAPI
import Placement

/// Why a restored target pod is not serving, sorted by what can be done about it.
enum RestoreProblem: Equatable, Sendable {
    /// The kubelet is still trying and may succeed (image pull, container creation): wait, for a while.
    case transient(String)
    /// The target's node is gone or not Ready: nothing runs there; try another node.
    case nodeLost(String)
    /// The restored process exited or crashed, or the pod failed: try another node.
    case crashed(String)
    /// No retry can help (an invalid image reference, a pull the pod forbids).
    case unrecoverable(String)
    /// The scheduler has not bound the pod to its node (it refused it, or has not got to it yet); it tries
    /// again when the cluster changes: wait, for a while, then try another node.
    case unschedulable(String)

    /// What went wrong, for people.
    var message: String {
        switch self {
        case .transient(let message), .nodeLost(let message), .crashed(let message), .unrecoverable(let message),
            .unschedulable(let message):
            message
        }
    }

    /// The same problem with `context` (which pod, where) before its message.
    func prefixed(_ context: String) -> RestoreProblem {
        let text = "\(context): \(message)"
        switch self {
        case .transient: return .transient(text)
        case .nodeLost: return .nodeLost(text)
        case .crashed: return .crashed(text)
        case .unrecoverable: return .unrecoverable(text)
        case .unschedulable: return .unschedulable(text)
        }
    }
}

/// What the engine does next about a target that is not serving (after the source is gone).
enum RestoreStep: Equatable, Sendable {
    /// Look again after this long (or when the pod changes).
    case wait(Duration)
    /// Give this target up and restore again, on another node if one fits.
    case retry(failure: String)
    /// Give the restore up: the migration fails, keeping its state.
    case giveUp(failure: String)
}

/// The restore retry rules, as a pure function of what the target shows and how long and how often the
/// engine has tried: waiting out a transient failure for ``patienceSeconds`` per target, retrying crashes and
/// lost nodes at once, all within ``maxAttempts`` targets and ``deadlineSeconds`` from the first.
struct RestoreRecovery: Sendable {
    /// Container waiting reasons the kubelet retries by itself, which may clear.
    static let transientReasons: Set<String> = [
        "ErrImagePull", "ImagePullBackOff", "CreateContainerError", "CreateContainerConfigError", "RunContainerError",
    ]
    /// Container waiting reasons no retry clears.
    static let unrecoverableReasons: Set<String> = ["InvalidImageName", "ErrImageNeverPull"]

    var maxAttempts: Int
    var deadlineSeconds: Double
    var patienceSeconds: Double
    var backoffSeconds: Double

    /// The rules for `spec` (its `restore` field, defaults otherwise) and the engine's patience and backoff.
    init(spec: StatefulMigrationSpec, patience: Duration, backoff: Duration) {
        maxAttempts = Int(spec.restore?.maxAttempts ?? RestorePolicy.defaultMaxAttempts)
        deadlineSeconds = Double(spec.restore?.deadlineSeconds ?? RestorePolicy.defaultDeadlineSeconds)
        patienceSeconds = patience.seconds
        backoffSeconds = backoff.seconds
    }

    init(maxAttempts: Int, deadlineSeconds: Double, patienceSeconds: Double, backoffSeconds: Double) {
        self.maxAttempts = maxAttempts
        self.deadlineSeconds = deadlineSeconds
        self.patienceSeconds = patienceSeconds
        self.backoffSeconds = backoffSeconds
    }

    /// Why `pod` (on `node`, nil when the node does not exist) is not serving; nil while it may still come
    /// up by itself or serves. The message names the pod and its node.
    static func problem(of pod: Pod, node: Node?) -> RestoreProblem? {
        let where_ = "pod \(pod.metadata.name ?? "") on node \(node?.metadata.name ?? NodePin.node(of: pod) ?? "")"
        guard let node else { return .nodeLost("\(where_): the node no longer exists") }
        if !node.isReady { return .nodeLost("\(where_): the node is not Ready") }
        return podProblem(pod).map { $0.prefixed(where_) }
    }

    /// What `pod`'s own status shows against it (its node aside); nil while it may still come up by itself
    /// or serves. Every problem ends a restore while the source still runs; once it is gone, the kind decides.
    static func podProblem(_ pod: Pod) -> RestoreProblem? {
        if (pod.spec?.nodeName ?? "").isEmpty, pod.status?.phase != .failed {
            let scheduled = pod.status?.condition(.podScheduled)
            let scheduler = pod.spec?.schedulerName ?? "default-scheduler"
            if scheduled?.status == .false {
                return .unschedulable("scheduler \(scheduler) did not bind it (\(scheduled?.reason ?? "")): \(scheduled?.message ?? "")")
            }
            return .unschedulable("scheduler \(scheduler) has not bound it yet")
        }
        if pod.status?.phase == .failed {
            return .crashed("pod failed: \(pod.status?.message ?? pod.status?.reason ?? "no message")")
        }
        if pod.status?.phase == .succeeded { return .crashed("pod exited") }
        for container in pod.status?.containerStatuses ?? [] {
            if let terminated = container.state?.terminated {
                return .crashed("container \(container.name) exited with \(terminated.exitCode) (\(terminated.reason ?? "")): \(terminated.message ?? "")")
            }
            if container.restartCount > 0 {
                return .crashed("container \(container.name) restarted \(container.restartCount) times: the restored process crashed")
            }
            if let waiting = container.state?.waiting, let reason = waiting.reason {
                let text = "container \(container.name): \(reason): \(waiting.message ?? "")"
                if reason == "CrashLoopBackOff" { return .crashed(text) }
                if unrecoverableReasons.contains(reason) { return .unrecoverable(text) }
                if transientReasons.contains(reason) { return .transient(text) }
            }
        }
        return nil
    }

    /// The next step for a target with `problem` (nil: not serving yet, no failure shown), the `attempts`-th
    /// target, created `sinceAttempt` seconds ago, `sinceFirst` seconds after the first.
    func next(problem: RestoreProblem?, attempts: Int, sinceFirst: Double, sinceAttempt: Double) -> RestoreStep {
        let left = deadlineSeconds - sinceFirst
        let outOfTime = left <= 0
        let mayRetry = attempts < maxAttempts && !outOfTime
        let exhausted = outOfTime
            ? "the restore deadline of \(Int(deadlineSeconds)) s passed"
            : "\(attempts) restore attempt(s) failed (spec.restore.maxAttempts is \(maxAttempts))"
        switch problem {
        case nil:
            if outOfTime { return .giveUp(failure: "the target did not become ready: \(exhausted)") }
            return .wait(.milliseconds(Int64(min(left, 30) * 1000)))
        case .unrecoverable(let message)?:
            return .giveUp(failure: "\(message) (no retry can fix this)")
        case .transient(let message)?, .unschedulable(let message)?:
            if sinceAttempt < patienceSeconds, !outOfTime {
                return .wait(.milliseconds(Int64(min(patienceSeconds - sinceAttempt, left, 5) * 1000)))
            }
            return mayRetry ? .retry(failure: message) : .giveUp(failure: "\(message); \(exhausted)")
        case .nodeLost(let message)?, .crashed(let message)?:
            return mayRetry ? .retry(failure: message) : .giveUp(failure: "\(message); \(exhausted)")
        }
    }

    /// The next step for a target with `problem` while the source still runs, `sinceCreated` seconds after it
    /// was created: a transient failure is waited out for ``patienceSeconds``; anything else, or a transient
    /// failure past that, gives the restore up (the source keeps serving, so there is nothing to retry for).
    func nextWhileSourceRuns(problem: RestoreProblem, sinceCreated: Double) -> RestoreStep {
        switch problem {
        case .transient(let message), .unschedulable(let message):
            if sinceCreated < patienceSeconds {
                return .wait(.milliseconds(Int64(min(patienceSeconds - sinceCreated, 5) * 1000)))
            }
            return .giveUp(failure: "\(message) (still failing after \(Int(patienceSeconds)) s)")
        case .nodeLost, .crashed, .unrecoverable:
            return .giveUp(failure: problem.message)
        }
    }

    /// How long to wait before creating the `attempt`-th target (attempt 2 onwards): the backoff doubling from
    /// ``backoffSeconds``, at most 30 s.
    func backoff(beforeAttempt attempt: Int) -> Duration {
        let seconds = min(30, backoffSeconds * Double(1 << min(max(0, attempt - 2), 10)))
        return .milliseconds(Int64(seconds * 1000))
    }
}
