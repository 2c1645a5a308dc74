import Synchronization

/// The loopback interface the containers of one pod share. In a real pod every container is in the same
/// network namespace, so a process listening on `localhost:8080` in one container is reached from every other
/// container of the pod at `http://127.0.0.1:8080` — and from no other pod
/// (https://kubernetes.io/docs/concepts/workloads/pods/#pod-networking). Simulated containers run in-process,
/// so this stands for that interface: a program ``serve(port:_:)``s HTTP-like `GET` requests on a port and the
/// pod's other programs ``get(port:path:)`` from it.
///
/// The kubelet makes one interface per pod instance (a pod recreated or restored elsewhere gets a fresh
/// one) and hands each container a view of it in ``ContainerLaunch/localhost``. Listeners belong to the
/// container that opened them: when its process exits (or is killed) the kubelet closes them, as the
/// kernel closes a dead process's sockets.
public struct PodLocalhost: Sendable {
    /// Answers one `GET` of `path` (with its query, e.g. `/status?verbose=1`): the HTTP status code and body.
    public typealias Handler = @Sendable (_ path: String) async -> (status: Int, body: [UInt8])

    let network: LoopbackNetwork
    /// The container whose listeners ``serve(port:_:)`` opens.
    let owner: String

    /// A loopback interface of its own, shared with nobody (for programs run outside a simulated pod).
    public init() {
        self.init(network: LoopbackNetwork(), owner: "")
    }

    init(network: LoopbackNetwork, owner: String) {
        self.network = network
        self.owner = owner
    }

    /// Listens on `port`: later ``get(port:path:)`` calls of the pod's containers are answered by `handler`.
    /// Throws ``PodLocalhostError/addressInUse(port:)`` when a listener has the port already.
    public func serve(port: Int, _ handler: @escaping Handler) throws(PodLocalhostError) {
        try network.listen(port: port, owner: owner, handler: handler)
    }

    /// Stops listening on `port`, if this container listens there.
    public func stopServing(port: Int) {
        network.close(port: port, owner: owner)
    }

    /// `GET http://127.0.0.1:<port><path>`: the listener's answer. Throws
    /// ``PodLocalhostError/connectionRefused(port:)`` when nothing listens on `port`.
    public func get(port: Int, path: String) async throws(PodLocalhostError) -> (status: Int, body: [UInt8]) {
        guard let handler = network.handler(port: port) else { throw .connectionRefused(port: port) }
        return await handler(path)
    }

    /// Whether something listens on `port`.
    public func isListening(port: Int) -> Bool { network.handler(port: port) != nil }
}

/// Why a ``PodLocalhost`` call failed, as the socket call would have.
public enum PodLocalhostError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing listens on the port (`ECONNREFUSED`).
    case connectionRefused(port: Int)
    /// Another listener has the port (`EADDRINUSE`).
    case addressInUse(port: Int)

    public var description: String {
        switch self {
        case .connectionRefused(let port): "dial tcp 127.0.0.1:\(port): connect: connection refused"
        case .addressInUse(let port): "listen tcp 127.0.0.1:\(port): bind: address already in use"
        }
    }
}

/// The listeners of one pod's loopback interface, by port, each with the container that opened it.
final class LoopbackNetwork: Sendable {
    private let listeners = Mutex<[Int: (owner: String, handler: PodLocalhost.Handler)]>([:])

    func listen(port: Int, owner: String, handler: @escaping PodLocalhost.Handler) throws(PodLocalhostError) {
        let taken = listeners.withLock { listeners -> Bool in
            if listeners[port] != nil { return true }
            listeners[port] = (owner, handler)
            return false
        }
        if taken { throw .addressInUse(port: port) }
    }

    func close(port: Int, owner: String) {
        listeners.withLock { listeners in
            if listeners[port]?.owner == owner { listeners[port] = nil }
        }
    }

    /// Closes every listener `owner` opened (its process exited).
    func closeListeners(of owner: String) {
        listeners.withLock { listeners in
            listeners = listeners.filter { $0.value.owner != owner }
        }
    }

    func handler(port: Int) -> PodLocalhost.Handler? {
        listeners.withLock { $0[port]?.handler }
    }
}
