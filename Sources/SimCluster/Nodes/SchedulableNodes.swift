import KubeClient
import KubeModel
import OperatorCore

/// Waiting for nodes to become schedulable. kube-apiserver admits every new Node with the
/// `node.kubernetes.io/not-ready:NoSchedule` taint (TaintNodesByCondition) and the node lifecycle controller
/// lifts it once the node reports Ready, so a cluster that has just registered its nodes is not ready for
/// placement until then — the moment `kind` and cluster installers wait for.
public enum SchedulableNodes {
    /// The taint a new Node is admitted with.
    public static let notReadyTaint = "node.kubernetes.io/not-ready"

    /// Waits until none of `names` (every node when nil) carries the not-ready NoSchedule taint; throws
    /// ``Timeout`` naming the nodes that still do after `timeout`.
    public static func wait(client: KubeClient, names: Set<String>? = nil, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let nodes: [Node] = try await client.list(Node.self, namespace: nil, options: ListOptions()).items
            var waiting: [String] = []
            for node in nodes where names?.contains(node.metadata.name ?? "") ?? true {
                let taints: [Taint] = node.spec?.taints ?? []
                if taints.contains(where: { $0.key == notReadyTaint && $0.effect == .noSchedule }) {
                    waiting.append(node.metadata.name ?? "")
                }
            }
            if waiting.isEmpty { return }
            guard ContinuousClock.now < deadline else { throw Timeout(nodes: waiting.sorted()) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Nodes that kept the not-ready taint past the wait.
    public struct Timeout: Error, CustomStringConvertible {
        public var nodes: [String]
        public var description: String { "nodes still not ready for placement: \(nodes.joined(separator: ", "))" }
    }
}
