public import ControllerRuntime
import MigrationAPI
import Synchronization

/// Which migration cares about which pod and StatefulSet, so events on those wake the right migration.
/// Filled by the reconciler as it reads migrations; read by the controller's watch mappings.
public final class MigrationIndex: Sendable {
    private struct State {
        var byPod: [String: Set<ReconcileRequest>] = [:]
        var byStatefulSet: [String: Set<ReconcileRequest>] = [:]
        var keys: [ReconcileRequest: [String]] = [:]
    }
    private let state = Mutex(State())

    /// An empty index.
    public init() {}

    /// Records the pods and StatefulSet `migration` involves (replacing what was recorded for it).
    func record(_ migration: StatefulMigration) {
        let request = ReconcileRequest(for: migration)
        let ns = migration.metadata.namespace ?? ""
        var keys = ["pod:\(ns)/\(migration.spec.sourcePod)"]
        if let target = migration.status?.targetPod { keys.append("pod:\(ns)/\(target)") }
        if let set = migration.status?.statefulSetName { keys.append("sts:\(ns)/\(set)") }
        state.withLock { s in
            Self.drop(request, from: &s)
            s.keys[request] = keys
            for key in keys {
                if key.hasPrefix("pod:") {
                    s.byPod[String(key.dropFirst(4)), default: []].insert(request)
                } else {
                    s.byStatefulSet[String(key.dropFirst(4)), default: []].insert(request)
                }
            }
        }
    }

    /// Forgets a migration.
    func remove(_ request: ReconcileRequest) {
        state.withLock { Self.drop(request, from: &$0) }
    }

    /// The migrations involving pod `namespace/name`.
    public func migrations(forPod name: String, namespace: String) -> [ReconcileRequest] {
        state.withLock { Array($0.byPod["\(namespace)/\(name)"] ?? []) }
    }

    /// The migrations involving StatefulSet `namespace/name`.
    public func migrations(forStatefulSet name: String, namespace: String) -> [ReconcileRequest] {
        state.withLock { Array($0.byStatefulSet["\(namespace)/\(name)"] ?? []) }
    }

    private static func drop(_ request: ReconcileRequest, from s: inout State) {
        for key in s.keys[request] ?? [] {
            let bare = String(key.dropFirst(4))
            if key.hasPrefix("pod:") {
                s.byPod[bare]?.remove(request)
                if s.byPod[bare]?.isEmpty == true { s.byPod[bare] = nil }
            } else {
                s.byStatefulSet[bare]?.remove(request)
                if s.byStatefulSet[bare]?.isEmpty == true { s.byStatefulSet[bare] = nil }
            }
        }
        s.keys[request] = nil
    }
}
