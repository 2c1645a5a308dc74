/// The label keys, finalizers, condition reasons and messages the simulated workload controllers write, as
/// kube-controller-manager spells them (`k8s.io/api/apps/v1` and `k8s.io/api/batch/v1`).
public enum WorkloadLabels {
    /// The revision of the set's template a StatefulSet pod was created from (`<set>-<hash>`).
    public static let controllerRevisionHash = "controller-revision-hash"
    /// The StatefulSet pod's own name, so a Service can select exactly one pod.
    public static let statefulSetPodName = "statefulset.kubernetes.io/pod-name"
    /// The ordinal of a StatefulSet pod.
    public static let podIndex = "apps.kubernetes.io/pod-index"

    /// The name of the Job a pod belongs to.
    public static let jobName = "batch.kubernetes.io/job-name"
    /// The uid of the Job a pod belongs to (the generated selector's key).
    public static let jobControllerUID = "batch.kubernetes.io/controller-uid"
    /// The legacy form of ``jobName``, still written by the Job controller.
    public static let legacyJobName = "job-name"
    /// The legacy form of ``jobControllerUID``, still written by the Job controller.
    public static let legacyControllerUID = "controller-uid"
}

/// Job condition reasons and messages, as the Job controller writes them.
enum JobReasons {
    static let completionsReached = "CompletionsReached"
    static let completionsReachedMessage = "Reached expected number of succeeded pods"
    static let backoffLimitExceeded = "BackoffLimitExceeded"
    static let backoffLimitExceededMessage = "Job has reached the specified backoff limit"
    static let deadlineExceeded = "DeadlineExceeded"
    static let deadlineExceededMessage = "Job was active longer than specified deadline"
    static let suspended = "JobSuspended"
    static let suspendedMessage = "Job suspended"
    static let resumed = "JobResumed"
    static let resumedMessage = "Job resumed"
}

/// The string values of workload spec fields the controllers branch on.
enum WorkloadPolicies {
    static let orderedReady = "OrderedReady"
    static let parallel = "Parallel"
    static let rollingUpdate = "RollingUpdate"
    static let onDelete = "OnDelete"
    static let delete = "Delete"
}
