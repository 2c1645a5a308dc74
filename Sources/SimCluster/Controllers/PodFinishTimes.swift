import KubeModel
import Synchronization

/// When the Job controller first saw each pod finished, by pod uid: the finish time of pods that report no
/// container `finishedAt` (the kubelet's, or a test's, status may not carry one).
final class PodFinishTimes: Sendable {
    private let times = Mutex<[String: Time]>([:])

    /// Records `now` for every finished pod not seen finished before, and returns all recorded times.
    func record(_ pods: [Pod], now: Time) -> [String: Time] {
        times.withLock { times in
            for pod in pods where pod.isTerminal {
                if let uid = pod.metadata.uid, times[uid] == nil { times[uid] = now }
            }
            return times
        }
    }

    /// Forgets the pods of a finished Job (keeps the table from growing without bound).
    func forget(_ pods: [Pod]) {
        times.withLock { times in
            for pod in pods { if let uid = pod.metadata.uid { times[uid] = nil } }
        }
    }
}
