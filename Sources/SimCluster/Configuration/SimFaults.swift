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
        /// The image cannot be pulled: `state.waiting.reason` `ErrImagePull` (a registry outage, say).
        case imagePull(message: String)
    }

    /// Which container starts fail, how, and for how long.
    public struct StartFault: Sendable {
        /// The images it applies to; nil for any.
        public var image: SimImageMatcher?
        /// The node it applies to; nil for any.
        public var node: String?
        /// Only containers restored from a checkpoint image.
        public var checkpointImagesOnly: Bool
        /// How the start fails.
        public var failure: StartFailure
        /// How many starts fail before the fault is spent; nil for all.
        public var times: Int?
        /// How long after the first failure starts keep failing; nil for ever.
        public var duration: Duration?

        /// A fault; with neither `times` nor `duration` it never ends.
        public init(
            image: SimImageMatcher? = nil, node: String? = nil, checkpointImagesOnly: Bool = false, failure: StartFailure,
            times: Int? = nil, duration: Duration? = nil
        ) {
            self.image = image
            self.node = node
            self.checkpointImagesOnly = checkpointImagesOnly
            self.failure = failure
            self.times = times
            self.duration = duration
        }
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
        var startFaults: [(fault: StartFault, failed: Int, firstFailure: ContinuousClock.Instant?)] = []
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
        failStarts(StartFault(image: matcher, failure: failure))
    }

    /// Makes the container starts `fault` matches fail, until it is spent.
    public func failStarts(_ fault: StartFault) {
        state.withLock { $0.startFaults.append((fault, 0, nil)) }
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

    /// The start failure for a container of `image` starting on `node` (restored from a checkpoint image or
    /// not), if a fault that is not spent matches; the fault counts it.
    public func startFailure(image: String, node: String? = nil, fromCheckpoint: Bool = false) -> StartFailure? {
        let now = ContinuousClock.now
        return state.withLock { s in
            for index in s.startFaults.indices {
                let (fault, failed, first) = s.startFaults[index]
                guard fault.image?.matches(image) ?? true, fault.node == nil || fault.node == node,
                    !fault.checkpointImagesOnly || fromCheckpoint
                else { continue }
                if let times = fault.times, failed >= times { continue }
                if let duration = fault.duration, let first, now - first >= duration { continue }
                s.startFaults[index].failed += 1
                s.startFaults[index].firstFailure = first ?? now
                return fault.failure
            }
            return nil
        }
    }
}
