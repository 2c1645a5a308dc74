/// A node's warm transfer agent (`ms2m-agent`, one pod per node from its DaemonSet), as the engine found it:
/// Running and Ready on the node, at its pod IP.
public struct TransferAgentEndpoint: Sendable, Hashable {
    /// The agent pod's namespace and name.
    public var namespace: String
    public var pod: String
    /// The node it serves.
    public var node: String
    /// Where it listens: the pod IP and port.
    public var podIP: String
    public var port: Int

    /// An endpoint.
    public init(namespace: String, pod: String, node: String, podIP: String, port: Int) {
        self.namespace = namespace
        self.pod = pod
        self.node = node
        self.podIP = podIP
        self.port = port
    }
}

/// One archive the agent pushes: `container`'s checkpoint, a file name in the node's checkpoint directory,
/// to `destination` (`registry/repo:tag`, or `oci:<dir>:<tag>` in a simulation).
public struct TransferAgentPush: Sendable, Hashable {
    public var container: String
    public var archive: String
    public var destination: String

    /// A push.
    public init(container: String, archive: String, destination: String) {
        self.container = container
        self.archive = archive
        self.destination = destination
    }
}

/// What the engine asks an agent to do for one migration: push every checkpointed container's archive, and
/// remove the archives once every push is confirmed.
public struct TransferAgentRequest: Sendable, Hashable {
    /// The migration (its UID keys the transfer: asking again finds it).
    public var migrationNamespace: String
    public var migrationName: String
    public var migrationUID: String
    /// The checkpointed pod.
    public var pod: String
    public var pushes: [TransferAgentPush]
    /// Registry options: plain HTTP, gzip, and the `.dockerconfigjson` to push with.
    public var insecure: Bool
    public var compress: Bool
    public var dockerConfigJSON: [UInt8]?

    /// A request.
    public init(
        migrationNamespace: String, migrationName: String, migrationUID: String, pod: String, pushes: [TransferAgentPush],
        insecure: Bool = false, compress: Bool = false, dockerConfigJSON: [UInt8]? = nil
    ) {
        self.migrationNamespace = migrationNamespace
        self.migrationName = migrationName
        self.migrationUID = migrationUID
        self.pod = pod
        self.pushes = pushes
        self.insecure = insecure
        self.compress = compress
        self.dockerConfigJSON = dockerConfigJSON
    }
}

/// Where an agent's transfer stands.
public enum TransferAgentOutcome: Sendable, Hashable {
    /// Queued or pushing.
    case running
    /// Every image pushed: each container's manifest digest.
    case succeeded(digests: [String: String])
    /// The transfer failed (the archives are kept).
    case failed(String)
}

/// Calls node agents. Errors are those of the call (unreachable, refused: 401/403, 4xx/5xx) — the engine then
/// transfers with a Job instead.
public protocol TransferAgentCalling: Sendable {
    /// Starts the transfer (or finds the one already started for the migration's UID) and returns its outcome.
    func start(_ request: TransferAgentRequest, at agent: TransferAgentEndpoint) async throws -> TransferAgentOutcome
    /// The outcome of the migration's transfer; nil when the agent does not know it (it restarted).
    func outcome(ofMigration uid: String, at agent: TransferAgentEndpoint) async throws -> TransferAgentOutcome?
}
