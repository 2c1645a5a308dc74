public import ControllerRuntime
import Synchronization

/// The nodes draining for each policy, as its last plan found them, so that a pod's change can be mapped back
/// to the policies that plan it (the reconciler records; the pod watch's mapping reads).
///
/// Node, namespace and policy changes concern every policy and are mapped from the policy cache instead: a
/// policy whose first reconcile is still running is in that cache but not yet here, and an event it missed
/// would not come again.
public final class PolicyRegistry: Sendable {
    private let draining = Mutex<[String: Set<String>]>([:])

    /// An empty registry.
    public init() {}

    /// Records that `nodes` drain for `policy`; returns the nodes that did not drain for it before.
    ///
    /// A pod that changed on one of those nodes after the plan's snapshot and before this record was mapped
    /// to no policy, so the reconciler looks again once when the set grows.
    @discardableResult
    public func record(policy: String, drainingNodes nodes: Set<String>) -> Set<String> {
        draining.withLock { state in
            let added = nodes.subtracting(state[policy] ?? [])
            state[policy] = nodes
            return added
        }
    }

    /// Forgets `policy` (deleted).
    public func remove(policy: String) {
        _ = draining.withLock { $0.removeValue(forKey: policy) }
    }

    /// A request for every policy `node` drains for.
    public func policies(drainingNode node: String) -> [ReconcileRequest] {
        draining.withLock { state in
            state.filter { $0.value.contains(node) }.keys.sorted().map { ReconcileRequest(name: $0) }
        }
    }
}
