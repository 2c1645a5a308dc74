import KubeModel

/// The part a container plays in its pod, from where and how the pod declares it
/// (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/ and
/// https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/).
enum ContainerRole: Sendable, Hashable {
    /// A regular init container (`spec.initContainers` without `restartPolicy: Always`): runs to completion
    /// before the next container starts; restarted after a failure unless the pod's `restartPolicy` is
    /// `Never`, never after it completed.
    case initContainer
    /// A restartable init container (`spec.initContainers` with `restartPolicy: Always`), a sidecar: the next
    /// container starts once it runs; it keeps running beside the app containers and is restarted whenever it
    /// exits, until the pod terminates or its app containers have all finished.
    case sidecar
    /// An app container (`spec.containers`): restarted per the pod's `restartPolicy`.
    case app

    /// The role of `container`, declared in `spec.initContainers` when `isInit`.
    init(_ container: Container, isInit: Bool) {
        self = !isInit ? .app : container.restartPolicy == "Always" ? .sidecar : .initContainer
    }

    /// Whether the kubelet starts the container again after it exited with `exitCode`, while the pod neither
    /// terminates nor has finished (its app containers all exited for good).
    func restartsAfterExit(exitCode: Int32, podRestartPolicy: String) -> Bool {
        switch self {
        case .app: podRestartPolicy == "Always" || (podRestartPolicy == "OnFailure" && exitCode != 0)
        // "If the Pod's restartPolicy is set to Always, the init containers use restartPolicy OnFailure."
        case .initContainer: podRestartPolicy != "Never" && exitCode != 0
        case .sidecar: true
        }
    }
}

/// What a kubelet knows about one container of a pod: its current process and the state it reports.
struct ContainerRecord: Sendable {
    var name: String
    var image: String
    var role: ContainerRole
    /// The running process (nil before the first start and after it exited).
    var process: (any SimulatedProcess)?
    /// The task running the process; cancelling it is SIGKILL.
    var runTask: Task<Void, Never>?
    /// Bumped on every start, so a late exit report of an earlier instance is ignored (0: never started).
    var instance = 0
    /// The kubelet has tried to start it (it may be waiting for a retry).
    var startRequested = false
    var restartCount = 0
    var state = ContainerState(waiting: ContainerStateWaiting(reason: "ContainerCreating"))
    var lastState: ContainerState?
    var ready = false
    var containerID: String?
    var imageID: String?
    /// The image whose program runs (differs from `image` for a restored checkpoint).
    var programImage: String?
    /// No restart will follow the last exit (restart policy, or the pod is terminating).
    var isFinal = false

    var isRunning: Bool { state.running != nil }
    /// A process of it has run (it may have exited since).
    var hasStarted: Bool { instance > 0 }
    /// It exited 0 and will not run again: a regular init container that completed.
    var hasCompleted: Bool { isFinal && state.terminated?.exitCode == 0 }

    var status: ContainerStatus {
        ContainerStatus(
            name: name, state: state, lastState: lastState ?? ContainerState(), ready: ready,
            restartCount: restartCount, image: image, imageID: imageID ?? "", containerID: containerID,
            started: state.running != nil)
    }
}

/// Derives a pod's phase and conditions from its containers, as the kubelet's status manager does.
enum PodStatusCalculation {
    /// `Pending` while the init containers run (`Failed` when one failed for good under `restartPolicy:
    /// Never`), then from the app containers: `Pending` until one has run, `Running` while any runs or will
    /// restart, and `Succeeded` or `Failed` once every app container has exited for good. Sidecars do not
    /// count once the app containers started.
    static func phase(_ containers: [ContainerRecord]) -> PodPhase {
        let apps = containers.filter { $0.role == .app }
        if !apps.contains(where: \.hasStarted) {
            if InitContainerSequence.failedInitContainer(containers) != nil { return .failed }
            if !InitContainerSequence.incomplete(containers).isEmpty { return .pending }
        }
        if !apps.isEmpty && apps.allSatisfy({ $0.state.terminated != nil && $0.isFinal }) {
            return apps.allSatisfy { $0.state.terminated?.exitCode == 0 } ? .succeeded : .failed
        }
        if apps.contains(where: { $0.isRunning || $0.restartCount > 0 || $0.state.terminated != nil || $0.lastState?.terminated != nil }) {
            return .running
        }
        return .pending
    }

    /// The pod conditions, keeping each one's transition time unless its status flips. `Initialized` is
    /// `False` (`ContainersNotInitialized`) until every regular init container completed and every sidecar
    /// started, or an app container started; `Ready` and `ContainersReady` need the app containers and the
    /// sidecars ready.
    static func conditions(
        _ containers: [ContainerRecord], sandboxReady: Bool, previous: [PodCondition], now: Time
    ) -> [PodCondition] {
        let serving = containers.filter { $0.role != .initContainer }
        let allReady = !serving.isEmpty && serving.allSatisfy(\.ready)
        let notReady = serving.filter { !$0.ready }.map(\.name)
        let incomplete = InitContainerSequence.incomplete(containers)
        let initialized = incomplete.isEmpty || containers.contains { $0.role == .app && $0.hasStarted }
        let phase = phase(containers)
        let completed = phase == .succeeded || phase == .failed
        func condition(_ type: PodConditionType, _ isTrue: Bool, reason: String?, message: String?) -> PodCondition {
            let status: ConditionStatus = isTrue ? .true : .false
            let old = previous.first { $0.type == type }
            let since = old?.status == status ? (old?.lastTransitionTime ?? now) : now
            return PodCondition(
                type: type, status: status, lastTransitionTime: since, reason: isTrue ? nil : reason,
                message: isTrue ? nil : message)
        }
        let readyReason = completed ? "PodCompleted" : "ContainersNotReady"
        let readyMessage = completed ? nil : "containers with unready status: [\(notReady.joined(separator: " "))]"
        return [
            condition(.podReadyToStartContainers, sandboxReady && !completed, reason: nil, message: nil),
            condition(
                .initialized, initialized, reason: "ContainersNotInitialized",
                message: "containers with incomplete status: [\(incomplete.joined(separator: " "))]"),
            condition(.ready, allReady, reason: readyReason, message: readyMessage),
            condition(.containersReady, allReady, reason: readyReason, message: readyMessage),
            condition(.podScheduled, true, reason: nil, message: nil),
        ]
    }

    /// `Guaranteed`, `Burstable` or `BestEffort` from the requests and limits of the containers and init
    /// containers.
    static func qosClass(_ pod: Pod) -> String {
        let containers = pod.spec?.allContainers ?? []
        let any = containers.contains { !($0.resources?.requests ?? [:]).isEmpty || !($0.resources?.limits ?? [:]).isEmpty }
        if !any { return "BestEffort" }
        let guaranteed = containers.allSatisfy { c in
            let limits = c.resources?.limits ?? [:]
            let requests = c.resources?.requests ?? [:]
            return ["cpu", "memory"].allSatisfy { r in limits[r] != nil && (requests[r] ?? limits[r]) == limits[r] }
        }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
