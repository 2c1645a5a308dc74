import Synchronization

/// Failures and delays injected into the simulated nodes; tests may change them at any time and the kubelets
/// see the change on their next request or container start.
public final class SimFaults: Sendable {
    /// How a container whose image matches a start fault fails.
    public enum StartFailure: Sendable, Hashable {
        /// The runtime refuses to create the container: `state.waiting.reason` `CreateContainerError`.
        case createContainerError(message: String)
        /// The container starts and exits at once with code 1 (`state.terminated.reason` `Error`).
        case exitWithError
    }

    /// Which checkpoint requests fail: a nil field matches everything.
    public struct CheckpointFailure: Sendable, Hashable {
        /// The node whose kubelet fails, or nil for every node.
        public var node: String?
        /// The pod's namespace, or nil for any.
        public var namespace: String?
        /// The pod's name, or nil for any.
        public var pod: String?
        /// The error text the kubelet reports (wrapped as the kubelet does).
        public var message: String

        public init(node: String? = nil, namespace: String? = nil, pod: String? = nil, message: String = "injected checkpoint failure") {
            self.node = node
            self.namespace = namespace
            self.pod = pod
            self.message = message
        }
    }

    private struct State: Sendable {
        var checkpointFailures: [CheckpointFailure] = []
        var kubeletDelay: Duration = .zero
        var startFailures: [(matcher: SimImageMatcher, failure: StartFailure)] = []
    }
    private let state = Mutex(State())

    /// No faults.
    public init() {}

    /// Makes checkpoint requests that match `failure` answer 500.
    public func failCheckpoints(_ failure: CheckpointFailure) {
        state.withLock { $0.checkpointFailures.append(failure) }
    }

    /// Makes checkpoints of `pod` (in `namespace`) and/or on `node` answer 500; nil matches anything.
    public func failCheckpoints(node: String? = nil, namespace: String? = nil, pod: String? = nil) {
        failCheckpoints(CheckpointFailure(node: node, namespace: namespace, pod: pod))
    }

    /// Delays every kubelet request (healthz, pods, checkpoint) by `delay`; `.zero` removes the delay.
    public func setKubeletDelay(_ delay: Duration) {
        state.withLock { $0.kubeletDelay = delay }
    }

    /// Makes containers whose image matches `matcher` fail to start as `failure` says.
    public func failStarts(of matcher: SimImageMatcher, with failure: StartFailure) {
        state.withLock { $0.startFailures.append((matcher, failure)) }
    }

    /// Removes every fault.
    public func clear() {
        state.withLock { $0 = State() }
    }

    /// The delay every kubelet request waits first.
    public var kubeletDelay: Duration { state.withLock { $0.kubeletDelay } }

    /// The checkpoint failure matching this request, if any.
    public func checkpointFailure(node: String, namespace: String, pod: String) -> CheckpointFailure? {
        state.withLock { s in
            s.checkpointFailures.first { f in
                (f.node ?? node) == node && (f.namespace ?? namespace) == namespace && (f.pod ?? pod) == pod
            }
        }
    }

    /// The start failure for a container image, if any.
    public func startFailure(image: String) -> StartFailure? {
        state.withLock { s in s.startFailures.first { $0.matcher.matches(image) }?.failure }
    }
}
