public import ControllerRuntime
import Synchronization

/// The policies the controller has seen and the nodes draining for each, so node and pod changes can be
/// mapped back to the policies they concern (the reconciler records; the watch mappings read).
public final class PolicyRegistry: Sendable {
    private let draining = Mutex<[String: Set<String>]>([:])

    /// An empty registry.
    public init() {}

    /// Records that `policy` exists and that `nodes` drain for it.
    public func record(policy: String, drainingNodes nodes: Set<String>) {
        draining.withLock { $0[policy] = nodes }
    }

    /// Forgets `policy` (deleted).
    public func remove(policy: String) {
        _ = draining.withLock { $0.removeValue(forKey: policy) }
    }

    /// A request for every known policy.
    public func allPolicies() -> [ReconcileRequest] {
        draining.withLock { $0.keys.sorted().map { ReconcileRequest(name: $0) } }
    }

    /// A request for every policy `node` drains for.
    public func policies(drainingNode node: String) -> [ReconcileRequest] {
        draining.withLock { state in
            state.filter { $0.value.contains(node) }.keys.sorted().map { ReconcileRequest(name: $0) }
        }
    }
}
