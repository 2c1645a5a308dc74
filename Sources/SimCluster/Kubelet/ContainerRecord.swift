import KubeModel

/// What a kubelet knows about one container of a pod: its current process and the state it reports.
struct ContainerRecord: Sendable {
    var name: String
    var image: String
    /// The running process (nil before the first start and after it exited).
    var process: (any SimulatedProcess)?
    /// The task running the process; cancelling it is SIGKILL.
    var runTask: Task<Void, Never>?
    /// Bumped on every start, so a late exit report of an earlier instance is ignored.
    var instance = 0
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

    var status: ContainerStatus {
        ContainerStatus(
            name: name, state: state, lastState: lastState ?? ContainerState(), ready: ready,
            restartCount: restartCount, image: image, imageID: imageID ?? "", containerID: containerID,
            started: state.running != nil)
    }
}

/// Derives a pod's phase and conditions from its containers, as the kubelet's status manager does.
enum PodStatusCalculation {
    /// `Pending` until a container has run, `Running` while any runs or will restart, and `Succeeded` or
    /// `Failed` once every container has exited for good.
    static func phase(_ containers: [ContainerRecord]) -> PodPhase {
        if !containers.isEmpty && containers.allSatisfy({ $0.state.terminated != nil && $0.isFinal }) {
            return containers.allSatisfy { $0.state.terminated?.exitCode == 0 } ? .succeeded : .failed
        }
        if containers.contains(where: { $0.isRunning || $0.restartCount > 0 || $0.state.terminated != nil || $0.lastState?.terminated != nil }) {
            return .running
        }
        return .pending
    }

    /// The pod conditions, keeping each one's transition time unless its status flips.
    static func conditions(
        _ containers: [ContainerRecord], sandboxReady: Bool, previous: [PodCondition], now: Time
    ) -> [PodCondition] {
        let allReady = !containers.isEmpty && containers.allSatisfy(\.ready)
        let notReady = containers.filter { !$0.ready }.map(\.name)
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
            condition(.initialized, true, reason: nil, message: nil),
            condition(.ready, allReady, reason: readyReason, message: readyMessage),
            condition(.containersReady, allReady, reason: readyReason, message: readyMessage),
            condition(.podScheduled, true, reason: nil, message: nil),
        ]
    }

    /// `Guaranteed`, `Burstable` or `BestEffort` from the containers' requests and limits.
    static func qosClass(_ pod: Pod) -> String {
        let containers = pod.spec?.containers ?? []
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
