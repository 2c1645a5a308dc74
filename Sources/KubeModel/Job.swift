public import Unstructured

/// Pods run to completion (batch/v1 `Job`).
public struct Job: KubernetesObject, Hashable, HasStatus {
    public static let group = "batch"
    public static let version = "v1"
    public static let kind = "Job"
    public static let plural = "jobs"
    public static let isNamespaced = true

    /// The API version; `batch/v1`.
    public var apiVersion: String?
    /// The kind; `Job`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state.
    public var spec: JobSpec?
    /// The observed state.
    public var status: JobStatus?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Job.apiVersion,
        kind: String? = Job.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: JobSpec? = nil,
        status: JobStatus? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case spec
        case status
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Job.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Job.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(JobSpec.self, forKey: .spec)
        self.status = try c.decodeIfPresent(JobStatus.self, forKey: .status)
    }

    /// Whether the job has a `Complete` condition that is `True`.
    public var isComplete: Bool { status?.conditions?.contains { $0.type == .complete && $0.status == .true } ?? false }

    /// Whether the job has a `Failed` condition that is `True`.
    public var isFailed: Bool { status?.conditions?.contains { $0.type == .failed && $0.status == .true } ?? false }

    /// Whether the job has finished, successfully or not.
    public var isFinished: Bool { isComplete || isFailed }
}

/// The desired state of a job (batch/v1 `JobSpec`).
public struct JobSpec: Codable, Hashable, Sendable {
    /// The most pods running at once.
    public var parallelism: Int?
    /// Successful pods needed for the job to complete.
    public var completions: Int?
    /// Seconds the job may be active before it is failed.
    public var activeDeadlineSeconds: Int64?
    /// Rules for pod failures, kept raw.
    public var podFailurePolicy: JSONValue?
    /// Rules for early success, kept raw.
    public var successPolicy: JSONValue?
    /// Retries before the job is failed (default 6).
    public var backoffLimit: Int?
    /// Retries per index of an indexed job.
    public var backoffLimitPerIndex: Int?
    /// Failed indexes before an indexed job is failed.
    public var maxFailedIndexes: Int?
    /// Selects the job's pods (generated unless `manualSelector`).
    public var selector: LabelSelector?
    /// Whether `selector` is set by hand.
    public var manualSelector: Bool?
    /// The pods to run.
    public var template: PodTemplateSpec
    /// Seconds after finishing before the job is deleted.
    public var ttlSecondsAfterFinished: Int?
    /// `NonIndexed` (default) or `Indexed`.
    public var completionMode: String?
    /// Whether the job is suspended.
    public var suspend: Bool?
    /// `TerminatingOrFailed` or `Failed`.
    public var podReplacementPolicy: String?
    /// The controller managing the job.
    public var managedBy: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        parallelism: Int? = nil,
        completions: Int? = nil,
        activeDeadlineSeconds: Int64? = nil,
        podFailurePolicy: JSONValue? = nil,
        successPolicy: JSONValue? = nil,
        backoffLimit: Int? = nil,
        backoffLimitPerIndex: Int? = nil,
        maxFailedIndexes: Int? = nil,
        selector: LabelSelector? = nil,
        manualSelector: Bool? = nil,
        template: PodTemplateSpec,
        ttlSecondsAfterFinished: Int? = nil,
        completionMode: String? = nil,
        suspend: Bool? = nil,
        podReplacementPolicy: String? = nil,
        managedBy: String? = nil
    ) {
        self.parallelism = parallelism
        self.completions = completions
        self.activeDeadlineSeconds = activeDeadlineSeconds
        self.podFailurePolicy = podFailurePolicy
        self.successPolicy = successPolicy
        self.backoffLimit = backoffLimit
        self.backoffLimitPerIndex = backoffLimitPerIndex
        self.maxFailedIndexes = maxFailedIndexes
        self.selector = selector
        self.manualSelector = manualSelector
        self.template = template
        self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
        self.completionMode = completionMode
        self.suspend = suspend
        self.podReplacementPolicy = podReplacementPolicy
        self.managedBy = managedBy
    }
}

/// The observed state of a job (batch/v1 `JobStatus`).
public struct JobStatus: Codable, Hashable, Sendable {
    /// Conditions: `Complete`, `Failed`, `Suspended`, ….
    public var conditions: [JobCondition]?
    /// When the job started being processed.
    public var startTime: Time?
    /// When the job completed.
    public var completionTime: Time?
    /// Pods running or pending.
    public var active: Int?
    /// Pods that succeeded.
    public var succeeded: Int?
    /// Pods that failed.
    public var failed: Int?
    /// Pods being terminated.
    public var terminating: Int?
    /// Completed indexes of an indexed job, e.g. `1,3-5`.
    public var completedIndexes: String?
    /// Failed indexes of an indexed job.
    public var failedIndexes: String?
    /// Finished pods not yet counted, kept raw.
    public var uncountedTerminatedPods: JSONValue?
    /// Pods with a Ready condition.
    public var ready: Int?

    /// Creates a value; every optional field defaults to absent.
    public init(
        conditions: [JobCondition]? = nil,
        startTime: Time? = nil,
        completionTime: Time? = nil,
        active: Int? = nil,
        succeeded: Int? = nil,
        failed: Int? = nil,
        terminating: Int? = nil,
        completedIndexes: String? = nil,
        failedIndexes: String? = nil,
        uncountedTerminatedPods: JSONValue? = nil,
        ready: Int? = nil
    ) {
        self.conditions = conditions
        self.startTime = startTime
        self.completionTime = completionTime
        self.active = active
        self.succeeded = succeeded
        self.failed = failed
        self.terminating = terminating
        self.completedIndexes = completedIndexes
        self.failedIndexes = failedIndexes
        self.uncountedTerminatedPods = uncountedTerminatedPods
        self.ready = ready
    }
}

/// A condition of a job.
public struct JobCondition: Codable, Hashable, Sendable {
    /// The condition type.
    public var type: JobConditionType
    /// `True`, `False` or `Unknown`.
    public var status: ConditionStatus
    /// When the condition was last probed.
    public var lastProbeTime: Time?
    /// When `status` last changed.
    public var lastTransitionTime: Time?
    /// A CamelCase reason, e.g. `BackoffLimitExceeded`.
    public var reason: String?
    /// A human-readable message.
    public var message: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        type: JobConditionType,
        status: ConditionStatus,
        lastProbeTime: Time? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// The type of a job condition.
public struct JobConditionType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The job completed successfully.
    public static let complete: JobConditionType = "Complete"
    /// The job failed.
    public static let failed: JobConditionType = "Failed"
    /// The job is suspended.
    public static let suspended: JobConditionType = "Suspended"
    /// The job will fail; its pods are being terminated.
    public static let failureTarget: JobConditionType = "FailureTarget"
    /// The job met its success policy; its pods are being terminated.
    public static let successCriteriaMet: JobConditionType = "SuccessCriteriaMet"
}
