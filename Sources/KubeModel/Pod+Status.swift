public import Unstructured

/// The observed state of a pod (core/v1 `PodStatus`).
public struct PodStatus: Codable, Hashable, Sendable {
    /// The lifecycle phase.
    public var phase: PodPhase?
    /// Conditions: `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`, ….
    public var conditions: [PodCondition]?
    /// A CamelCase reason, e.g. `Evicted`.
    public var reason: String?
    /// The node the pod is expected to go to after preemption.
    public var nominatedNodeName: String?
    /// The primary IP of the node.
    public var hostIP: String?
    /// The primary IP of the pod.
    public var podIP: String?
    /// When the kubelet accepted the pod.
    public var startTime: Time?
    /// The other fields, out of line so a PodStatus without them stays small; nil while all of them are
    /// absent (kept so by every initializer and setter, which makes the synthesized `==` exact).
    private var details: OutOfLine<PodStatusDetails>?

    /// The pod generation this status reflects.
    public var observedGeneration: Int64? {
        get { details?.value.observedGeneration }
        set { setDetail(\.observedGeneration, newValue) }
    }
    /// Why the pod is in this state.
    public var message: String? {
        get { details?.value.message }
        set { setDetail(\.message, newValue) }
    }
    /// The IPs of the node.
    public var hostIPs: [PodIP]? {
        get { details?.value.hostIPs }
        set { setDetail(\.hostIPs, newValue) }
    }
    /// The IPs of the pod (one per family).
    public var podIPs: [PodIP]? {
        get { details?.value.podIPs }
        set { setDetail(\.podIPs, newValue) }
    }
    /// The init containers' states.
    public var initContainerStatuses: [ContainerStatus]? {
        get { details?.value.initContainerStatuses }
        set { setDetail(\.initContainerStatuses, newValue) }
    }
    /// The application containers' states.
    public var containerStatuses: [ContainerStatus]? {
        get { details?.value.containerStatuses }
        set { setDetail(\.containerStatuses, newValue) }
    }
    /// The ephemeral containers' states.
    public var ephemeralContainerStatuses: [ContainerStatus]? {
        get { details?.value.ephemeralContainerStatuses }
        set { setDetail(\.ephemeralContainerStatuses, newValue) }
    }
    /// `Guaranteed`, `Burstable` or `BestEffort`.
    public var qosClass: String? {
        get { details?.value.qosClass }
        set { setDetail(\.qosClass, newValue) }
    }
    /// The state of an in-place resize.
    public var resize: String? {
        get { details?.value.resize }
        set { setDetail(\.resize, newValue) }
    }
    /// Dynamic resource claim states, kept raw.
    public var resourceClaimStatuses: [JSONValue]? {
        get { details?.value.resourceClaimStatuses }
        set { setDetail(\.resourceClaimStatuses, newValue) }
    }

    private mutating func setDetail<Field>(_ field: WritableKeyPath<PodStatusDetails, Field>, _ value: Field) {
        var values = details?.value ?? PodStatusDetails()
        values[keyPath: field] = value
        details = values.isEmpty ? nil : OutOfLine(values)
    }

    /// Creates a value; every optional field defaults to absent.
    public init(
        observedGeneration: Int64? = nil,
        phase: PodPhase? = nil,
        conditions: [PodCondition]? = nil,
        message: String? = nil,
        reason: String? = nil,
        nominatedNodeName: String? = nil,
        hostIP: String? = nil,
        hostIPs: [PodIP]? = nil,
        podIP: String? = nil,
        podIPs: [PodIP]? = nil,
        startTime: Time? = nil,
        initContainerStatuses: [ContainerStatus]? = nil,
        containerStatuses: [ContainerStatus]? = nil,
        ephemeralContainerStatuses: [ContainerStatus]? = nil,
        qosClass: String? = nil,
        resize: String? = nil,
        resourceClaimStatuses: [JSONValue]? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.reason = reason
        self.nominatedNodeName = nominatedNodeName
        self.hostIP = hostIP
        self.podIP = podIP
        self.startTime = startTime
        let details = PodStatusDetails(
            observedGeneration: observedGeneration,
            message: message,
            hostIPs: hostIPs,
            podIPs: podIPs,
            initContainerStatuses: initContainerStatuses,
            containerStatuses: containerStatuses,
            ephemeralContainerStatuses: ephemeralContainerStatuses,
            qosClass: qosClass,
            resize: resize,
            resourceClaimStatuses: resourceClaimStatuses)
        self.details = details.isEmpty ? nil : OutOfLine(details)
    }

    /// The condition of the given type, if present.
    public func condition(_ type: PodConditionType) -> PodCondition? {
        conditions?.first { $0.type == type }
    }

    /// The status of the named container (application, init or ephemeral).
    public func containerStatus(named name: String) -> ContainerStatus? {
        let all = (containerStatuses ?? []) + (initContainerStatuses ?? []) + (ephemeralContainerStatuses ?? [])
        return all.first { $0.name == name }
    }
}

/// The lifecycle phase of a pod.
public struct PodPhase: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Accepted, but not all containers are running yet.
    public static let pending: PodPhase = "Pending"
    /// Bound to a node, all containers created, at least one running.
    public static let running: PodPhase = "Running"
    /// All containers terminated successfully and will not restart.
    public static let succeeded: PodPhase = "Succeeded"
    /// All containers terminated, at least one in failure.
    public static let failed: PodPhase = "Failed"
    /// The state could not be obtained.
    public static let unknown: PodPhase = "Unknown"
}

/// The type of a pod condition.
public struct PodConditionType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The pod has been bound to a node.
    public static let podScheduled: PodConditionType = "PodScheduled"
    /// All init containers have completed.
    public static let initialized: PodConditionType = "Initialized"
    /// All containers are ready.
    public static let containersReady: PodConditionType = "ContainersReady"
    /// The pod can serve requests and is added to endpoints.
    public static let ready: PodConditionType = "Ready"
    /// The sandbox and network are set up.
    public static let podReadyToStartContainers: PodConditionType = "PodReadyToStartContainers"
    /// The pod is about to be deleted because of a disruption.
    public static let disruptionTarget: PodConditionType = "DisruptionTarget"
}

/// A condition of a pod.
public struct PodCondition: Codable, Hashable, Sendable {
    /// The condition type.
    public var type: PodConditionType
    /// `True`, `False` or `Unknown`.
    public var status: ConditionStatus
    /// The pod generation the condition reflects.
    public var observedGeneration: Int64?
    /// When the condition was last probed.
    public var lastProbeTime: Time?
    /// When `status` last changed.
    public var lastTransitionTime: Time?
    /// A CamelCase reason for the last transition.
    public var reason: String?
    /// A human-readable message.
    public var message: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        type: PodConditionType,
        status: ConditionStatus,
        observedGeneration: Int64? = nil,
        lastProbeTime: Time? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

/// An IP address of a pod or its host.
public struct PodIP: Codable, Hashable, Sendable {
    /// The address.
    public var ip: String

    /// Creates a value; every optional field defaults to absent.
    public init(ip: String) {
        self.ip = ip
    }
}

/// The observed state of one container (core/v1 `ContainerStatus`).
public struct ContainerStatus: Codable, Hashable, Sendable {
    /// The container's name.
    public var name: String
    /// The current state.
    public var state: ContainerState?
    /// The previous state, e.g. the last termination.
    public var lastState: ContainerState?
    /// Whether the readiness probe passes.
    public var ready: Bool
    /// How often the container has restarted.
    public var restartCount: Int
    /// The image it runs.
    public var image: String?
    /// The image's digest reference.
    public var imageID: String?
    /// `<runtime>://<id>`.
    public var containerID: String?
    /// Whether the startup probe has passed.
    public var started: Bool?
    /// Resources allocated by the node.
    public var allocatedResources: [String: Quantity]?
    /// Resources actually configured.
    public var resources: ResourceRequirements?
    /// Mount status, kept raw.
    public var volumeMounts: [JSONValue]?
    /// Identities of the first process, kept raw.
    public var user: JSONValue?
    /// The signal used to stop the container.
    public var stopSignal: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        name: String,
        state: ContainerState? = nil,
        lastState: ContainerState? = nil,
        ready: Bool = false,
        restartCount: Int = 0,
        image: String? = nil,
        imageID: String? = nil,
        containerID: String? = nil,
        started: Bool? = nil,
        allocatedResources: [String: Quantity]? = nil,
        resources: ResourceRequirements? = nil,
        volumeMounts: [JSONValue]? = nil,
        user: JSONValue? = nil,
        stopSignal: String? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
        self.allocatedResources = allocatedResources
        self.resources = resources
        self.volumeMounts = volumeMounts
        self.user = user
        self.stopSignal = stopSignal
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case state
        case lastState
        case ready
        case restartCount
        case image
        case imageID
        case containerID
        case started
        case allocatedResources
        case resources
        case volumeMounts
        case user
        case stopSignal
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try c.decode(String.self, forKey: .name)
        self.state = try c.decodeIfPresent(ContainerState.self, forKey: .state)
        self.lastState = try c.decodeIfPresent(ContainerState.self, forKey: .lastState)
        self.ready = try c.decodeIfPresent(Bool.self, forKey: .ready) ?? false
        self.restartCount = try c.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        self.image = try c.decodeIfPresent(String.self, forKey: .image)
        self.imageID = try c.decodeIfPresent(String.self, forKey: .imageID)
        self.containerID = try c.decodeIfPresent(String.self, forKey: .containerID)
        self.started = try c.decodeIfPresent(Bool.self, forKey: .started)
        self.allocatedResources = try c.decodeIfPresent([String: Quantity].self, forKey: .allocatedResources)
        self.resources = try c.decodeIfPresent(ResourceRequirements.self, forKey: .resources)
        self.volumeMounts = try c.decodeIfPresent([JSONValue].self, forKey: .volumeMounts)
        self.user = try c.decodeIfPresent(JSONValue.self, forKey: .user)
        self.stopSignal = try c.decodeIfPresent(String.self, forKey: .stopSignal)
    }
}

/// The state of a container: exactly one of waiting, running or terminated.
public struct ContainerState: Codable, Hashable, Sendable {
    /// Not yet running.
    public var waiting: ContainerStateWaiting?
    /// Running.
    public var running: ContainerStateRunning?
    /// Finished or failed.
    public var terminated: ContainerStateTerminated?

    /// Creates a value; every optional field defaults to absent.
    public init(
        waiting: ContainerStateWaiting? = nil,
        running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

/// A waiting container.
public struct ContainerStateWaiting: Codable, Hashable, Sendable {
    /// Why, e.g. `ContainerCreating`, `CrashLoopBackOff`, `ImagePullBackOff`.
    public var reason: String?
    /// Details.
    public var message: String?

    /// Creates a value; every optional field defaults to absent.
    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

/// A running container.
public struct ContainerStateRunning: Codable, Hashable, Sendable {
    /// When it (last) started.
    public var startedAt: Time?

    /// Creates a value; every optional field defaults to absent.
    public init(startedAt: Time? = nil) {
        self.startedAt = startedAt
    }
}

/// A terminated container.
public struct ContainerStateTerminated: Codable, Hashable, Sendable {
    /// The exit code of the last termination.
    public var exitCode: Int
    /// The signal that killed it, if any.
    public var signal: Int?
    /// Why, e.g. `Completed`, `Error`, `OOMKilled`.
    public var reason: String?
    /// Details.
    public var message: String?
    /// When it started.
    public var startedAt: Time?
    /// When it terminated.
    public var finishedAt: Time?
    /// `<runtime>://<id>`.
    public var containerID: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        exitCode: Int = 0,
        signal: Int? = nil,
        reason: String? = nil,
        message: String? = nil,
        startedAt: Time? = nil,
        finishedAt: Time? = nil,
        containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }

    private enum CodingKeys: String, CodingKey {
        case exitCode
        case signal
        case reason
        case message
        case startedAt
        case finishedAt
        case containerID
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.exitCode = try c.decodeIfPresent(Int.self, forKey: .exitCode) ?? 0
        self.signal = try c.decodeIfPresent(Int.self, forKey: .signal)
        self.reason = try c.decodeIfPresent(String.self, forKey: .reason)
        self.message = try c.decodeIfPresent(String.self, forKey: .message)
        self.startedAt = try c.decodeIfPresent(Time.self, forKey: .startedAt)
        self.finishedAt = try c.decodeIfPresent(Time.self, forKey: .finishedAt)
        self.containerID = try c.decodeIfPresent(String.self, forKey: .containerID)
    }
}

/// The out-of-line fields of `PodStatus`.
struct PodStatusDetails: Hashable, Sendable {
    var observedGeneration: Int64? = nil
    var message: String? = nil
    var hostIPs: [PodIP]? = nil
    var podIPs: [PodIP]? = nil
    var initContainerStatuses: [ContainerStatus]? = nil
    var containerStatuses: [ContainerStatus]? = nil
    var ephemeralContainerStatuses: [ContainerStatus]? = nil
    var qosClass: String? = nil
    var resize: String? = nil
    var resourceClaimStatuses: [JSONValue]? = nil

    /// Whether every field is absent.
    var isEmpty: Bool {
        observedGeneration == nil && message == nil && hostIPs == nil && podIPs == nil && initContainerStatuses == nil && containerStatuses == nil && ephemeralContainerStatuses == nil && qosClass == nil && resize == nil && resourceClaimStatuses == nil
    }
}

extension PodStatus {
    private enum CodingKeys: String, CodingKey {
        case observedGeneration
        case phase
        case conditions
        case message
        case reason
        case nominatedNodeName
        case hostIP
        case hostIPs
        case podIP
        case podIPs
        case startTime
        case initContainerStatuses
        case containerStatuses
        case ephemeralContainerStatuses
        case qosClass
        case resize
        case resourceClaimStatuses
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var details = PodStatusDetails()
        details.observedGeneration = try c.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        self.phase = try c.decodeIfPresent(PodPhase.self, forKey: .phase)
        self.conditions = try c.decodeIfPresent([PodCondition].self, forKey: .conditions)
        details.message = try c.decodeIfPresent(String.self, forKey: .message)
        self.reason = try c.decodeIfPresent(String.self, forKey: .reason)
        self.nominatedNodeName = try c.decodeIfPresent(String.self, forKey: .nominatedNodeName)
        self.hostIP = try c.decodeIfPresent(String.self, forKey: .hostIP)
        details.hostIPs = try c.decodeIfPresent([PodIP].self, forKey: .hostIPs)
        self.podIP = try c.decodeIfPresent(String.self, forKey: .podIP)
        details.podIPs = try c.decodeIfPresent([PodIP].self, forKey: .podIPs)
        self.startTime = try c.decodeIfPresent(Time.self, forKey: .startTime)
        details.initContainerStatuses = try c.decodeIfPresent([ContainerStatus].self, forKey: .initContainerStatuses)
        details.containerStatuses = try c.decodeIfPresent([ContainerStatus].self, forKey: .containerStatuses)
        details.ephemeralContainerStatuses = try c.decodeIfPresent([ContainerStatus].self, forKey: .ephemeralContainerStatuses)
        details.qosClass = try c.decodeIfPresent(String.self, forKey: .qosClass)
        details.resize = try c.decodeIfPresent(String.self, forKey: .resize)
        details.resourceClaimStatuses = try c.decodeIfPresent([JSONValue].self, forKey: .resourceClaimStatuses)
        self.details = details.isEmpty ? nil : OutOfLine(details)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try c.encodeIfPresent(phase, forKey: .phase)
        try c.encodeIfPresent(conditions, forKey: .conditions)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(nominatedNodeName, forKey: .nominatedNodeName)
        try c.encodeIfPresent(hostIP, forKey: .hostIP)
        try c.encodeIfPresent(hostIPs, forKey: .hostIPs)
        try c.encodeIfPresent(podIP, forKey: .podIP)
        try c.encodeIfPresent(podIPs, forKey: .podIPs)
        try c.encodeIfPresent(startTime, forKey: .startTime)
        try c.encodeIfPresent(initContainerStatuses, forKey: .initContainerStatuses)
        try c.encodeIfPresent(containerStatuses, forKey: .containerStatuses)
        try c.encodeIfPresent(ephemeralContainerStatuses, forKey: .ephemeralContainerStatuses)
        try c.encodeIfPresent(qosClass, forKey: .qosClass)
        try c.encodeIfPresent(resize, forKey: .resize)
        try c.encodeIfPresent(resourceClaimStatuses, forKey: .resourceClaimStatuses)
    }
}
