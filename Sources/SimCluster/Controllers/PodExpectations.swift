import ControllerRuntime
import KubeModel
import Synchronization

/// Pod creations and deletions a controller has made but its cache has not shown yet
/// (`controller.ControllerExpectations`). While any are outstanding, a sync must not count pods from the
/// cache, or it would create a second pod for a slot the first already fills.
final class PodExpectations: Sendable {
    private struct Pending: Sendable {
        var creations: Set<String> = []
        var deletions: [String: String] = [:]  // name → uid
        var since: ContinuousClock.Instant
    }
    private let pending = Mutex<[ObjectKey: Pending]>([:])
    private let timeout: Duration

    /// Expectations that lapse after `timeout` (kube-controller-manager: 5 minutes) in case a watch event is
    /// lost.
    init(timeout: Duration = .seconds(5)) { self.timeout = timeout }

    /// Records that the pod `name` was created for `key`.
    func created(_ name: String, for key: ObjectKey) {
        pending.withLock { all in
            all[key, default: Pending(since: .now)].creations.insert(name)
            all[key]!.since = .now
        }
    }

    /// Records that `pod` was deleted for `key`.
    func deleted(_ pod: Pod, for key: ObjectKey) {
        guard let name = pod.metadata.name else { return }
        pending.withLock { all in
            all[key, default: Pending(since: .now)].deletions[name] = pod.metadata.uid ?? ""
            all[key]!.since = .now
        }
    }

    /// Whether the cache in `pods` reflects every recorded creation and deletion for `key` (or they lapsed).
    func satisfied(_ key: ObjectKey, pods: InformerCache<Pod>) -> Bool {
        pending.withLock { all in
            guard var entry = all[key] else { return true }
            entry.creations = entry.creations.filter { pods.get(namespace: key.namespace, name: $0) == nil }
            entry.deletions = entry.deletions.filter { name, uid in
                guard let cached = pods.get(namespace: key.namespace, name: name) else { return false }
                return cached.metadata.uid == uid && !cached.metadata.isBeingDeleted
            }
            if (entry.creations.isEmpty && entry.deletions.isEmpty) || ContinuousClock.now - entry.since > timeout {
                all[key] = nil
                return true
            }
            all[key] = entry
            return false
        }
    }

    /// Forgets `key` (its object is gone).
    func forget(_ key: ObjectKey) { _ = pending.withLock { $0.removeValue(forKey: key) } }
}
