public import KubeModel
public import MigrationAPI

/// Which containers of the source pod are checkpointed, and in what order: every running container, as a
/// whole pod's state is the state of all its processes — the replayed container (`containerName`) first, then
/// the sidecars (init containers with `restartPolicy: Always`) and the other app containers in the pod's
/// order. Regular init containers are not: they ran to completion before the app started, so there is no
/// process to checkpoint, and the kubelet runs them again in the restored pod before the restored containers
/// start (as it does for every new pod; CRI-O and containerd restore only the containers whose image is a
/// checkpoint image). Containers the pod names in ``PodOverrideAnnotation/freshContainers`` are left out and
/// start from their own image in the target.
///
/// The replayed container goes first because the containers are checkpointed one at a time, each while the
/// others run: a sidecar checkpointed after it has seen everything the restored container will do again
/// from the replay queue, so a sidecar fed by the app (over localhost, say) must, like the app itself, treat
/// a message it has seen as seen (de-duplicate by message ID). Checkpointed first, it would miss what the app
/// did between the two checkpoints, and nothing would redo it.
public enum CheckpointedContainers {
    /// At most this many containers per migration: the transfer Job reports each image's digest in its
    /// termination message, which Kubernetes cuts at 4096 bytes.
    public static let limit = 16

    /// Why the containers of a pod cannot be checkpointed as asked.
    public struct Problem: Error, Hashable, Sendable {
        /// A CamelCase failure reason.
        public var reason: String
        /// The explanation, for people.
        public var message: String
    }

    /// The containers to checkpoint in `pod`, `primary` first.
    ///
    /// - Parameters:
    ///   - pod: the source pod (its spec, its container statuses when it has them, its annotations).
    ///   - primary: the replayed container, one of the pod's app containers.
    public static func plan(for pod: Pod, primary: String) -> Result<[ContainerCheckpoint], Problem> {
        let podName = pod.metadata.name ?? ""
        let fresh = PodOverrideAnnotation.freshContainerNames(pod.metadata.annotations ?? [:])
        let apps = pod.spec?.containers ?? []
        let sidecars = (pod.spec?.initContainers ?? []).filter { $0.restartPolicy == "Always" }
        let regularInit = (pod.spec?.initContainers ?? []).filter { $0.restartPolicy != "Always" }.map(\.name)
        if fresh.contains(primary) {
            return .failure(Problem(
                reason: "FreshContainerConflict",
                message: "pod \(podName) lists container \(primary) in \(PodOverrideAnnotation.freshContainers), but its messages are replayed: its state must be checkpointed"))
        }
        let known = Set(apps.map(\.name) + sidecars.map(\.name))
        if let unknown = fresh.subtracting(known).sorted().first {
            let why = regularInit.contains(unknown) ? " (an init container that runs to completion is never checkpointed; drop it from the list)" : ""
            return .failure(Problem(
                reason: "ContainerNotFound",
                message: "pod \(podName) lists \(unknown) in \(PodOverrideAnnotation.freshContainers), but it has no running container of that name\(why); its containers: \(known.sorted().joined(separator: ", "))"))
        }
        var chosen = [ContainerCheckpoint(name: primary)]
        chosen += sidecars.filter { !fresh.contains($0.name) }.map { ContainerCheckpoint(name: $0.name, sidecar: true) }
        chosen += apps.filter { $0.name != primary && !fresh.contains($0.name) }.map { ContainerCheckpoint(name: $0.name) }
        guard chosen.count <= limit else {
            return .failure(Problem(
                reason: "TooManyContainers",
                message: "pod \(podName) has \(chosen.count) containers to checkpoint; ms2m checkpoints at most \(limit) per pod (name stateless ones in \(PodOverrideAnnotation.freshContainers))"))
        }
        let statuses = (pod.status?.containerStatuses ?? []) + (pod.status?.initContainerStatuses ?? [])
        for container in chosen {
            guard let status = statuses.first(where: { $0.name == container.name }) else { continue }
            if status.state?.running == nil {
                let state = status.state?.waiting?.reason ?? (status.state?.terminated != nil ? "terminated" : "not running")
                return .failure(Problem(
                    reason: "ContainerNotRunning",
                    message: "container \(container.name) of pod \(podName) is \(state); only a running container can be checkpointed (a stateless one can be named in \(PodOverrideAnnotation.freshContainers) to start fresh)"))
            }
        }
        return .success(chosen)
    }

    /// The image tag for `container`'s checkpoint: the migration's tag for the replayed container (as the
    /// reference names it), `<tag>-<container>` for the others, cut to the 128 characters a tag may have.
    public static func imageTag(_ migrationTag: String, container: String, primary: Bool) -> String {
        guard !primary else { return migrationTag }
        let suffix = "-" + container
        return String(migrationTag.prefix(max(1, 128 - suffix.count))) + suffix
    }
}
