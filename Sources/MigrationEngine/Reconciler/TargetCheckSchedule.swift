import Synchronization

/// When each migration's target was last checked while it replays: the check reads the pod and its node (two
/// GETs), so it runs at most once per ``interval`` per migration rather than on every depth poll (10 a second).
/// A target that fails also changes its pod, whose event wakes the migration anyway.
final class TargetCheckSchedule: Sendable {
    private let last = Mutex<[String: ContinuousClock.Instant]>([:])
    let interval: Duration

    init(interval: Duration = .seconds(1)) { self.interval = interval }

    /// Whether the target of migration `namespace/name` is to be checked now; if so, the check is counted as
    /// done.
    func isDue(namespace: String, name: String) -> Bool {
        let key = Self.key(namespace: namespace, name: name)
        let now = ContinuousClock.now
        return last.withLock { last in
            if let previous = last[key], now - previous < interval { return false }
            last[key] = now
            return true
        }
    }

    /// Forgets migration `namespace/name` (it is gone).
    func forget(namespace: String, name: String) {
        let key = Self.key(namespace: namespace, name: name)
        _ = last.withLock { $0.removeValue(forKey: key) }
    }

    private static func key(namespace: String, name: String) -> String { "\(namespace)/\(name)" }
}
