/// Decides, from a pod's container records, how far its init containers have come and what the kubelet
/// does next about them — the rules of https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
/// and https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/:
///
/// - init containers start one at a time, in the order of `spec.initContainers`;
/// - a regular init container must exit 0 before the next one starts; one that fails is restarted (with
///   back-off) unless the pod's `restartPolicy` is `Never`, which fails the pod;
/// - a sidecar (`restartPolicy: Always` on the init container) lets the next container start once it runs,
///   and keeps running;
/// - the app containers start once every init container completed or, for sidecars, runs.
///
/// Pure: ``PodWorker`` acts on the step, ``PodStatusCalculation`` reports the progress.
enum InitContainerSequence {
    /// What the kubelet does next to initialize the pod.
    enum Step: Sendable, Hashable {
        /// Start this init container (it has not been asked to start yet).
        case start(String)
        /// Wait for the current init container to complete, to run, or to be restarted.
        case wait
        /// Every init container is done: start the app containers.
        case initialized
        /// This regular init container failed and will not be restarted: the pod has failed.
        case failed(String)
    }

    /// The next step for `containers` (the pod's records, init containers first in spec order).
    static func next(_ containers: [ContainerRecord]) -> Step {
        for record in containers {
            switch record.role {
            case .app:
                continue
            case .sidecar:
                if record.isRunning { continue }
                return record.startRequested ? .wait : .start(record.name)
            case .initContainer:
                if record.hasCompleted { continue }
                if !record.startRequested { return .start(record.name) }
                if record.isFinal && record.state.terminated != nil { return .failed(record.name) }
                return .wait
            }
        }
        return .initialized
    }

    /// The init containers not done yet, in spec order: regular ones that have not completed, sidecars that
    /// do not run. (What the `Initialized` condition lists as "containers with incomplete status".)
    static func incomplete(_ containers: [ContainerRecord]) -> [String] {
        containers.filter { record in
            switch record.role {
            case .app: false
            case .sidecar: !record.isRunning
            case .initContainer: !record.hasCompleted
            }
        }.map(\.name)
    }

    /// The regular init container that failed for good (exited non-zero under `restartPolicy: Never`), if any.
    static func failedInitContainer(_ containers: [ContainerRecord]) -> String? {
        containers.first { $0.role == .initContainer && $0.isFinal && ($0.state.terminated?.exitCode ?? 0) != 0 }?.name
    }
}
