public import OperatorCore

/// What a simulated container runtime knows about a container it starts: the pod it belongs to, the
/// container's image and configuration, where its volumes live on this machine, and — when the container is
/// restored from a checkpoint — the state the checkpoint captured.
public struct ContainerLaunch: Sendable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name (what the container reads from `/etc/hostname`).
    public var podName: String
    /// The node the pod runs on.
    public var nodeName: String
    /// The container's name.
    public var containerName: String
    /// The image the pod asked for (for a restored container: the checkpoint image).
    public var image: String
    /// The image whose program runs: the pod's image, or for a restored container the checkpoint's rootfs image.
    public var programImage: String
    /// `command` then `args`, with paths under volume mounts rewritten to local directories.
    public var arguments: [String]
    /// Environment, `env` values resolved (downward API fields included).
    public var environment: [String: String]
    /// Local file that stands for the container's `terminationMessagePath`.
    public var terminationMessageFile: String
    /// The state captured by ``SimulatedProcess/checkpoint()`` when this container is restored, else nil.
    public var restoredState: [UInt8]?
    /// Broker connections for workloads that talk AMQP (the simulated cluster's broker or a real one).
    public var brokers: any MessageBrokerConnecting
    /// The pod's loopback interface, shared with the pod's other containers (a fresh one of its own when the
    /// launch is made outside a pod).
    public var localhost: PodLocalhost

    public init(
        namespace: String, podName: String, nodeName: String, containerName: String, image: String,
        programImage: String, arguments: [String], environment: [String: String], terminationMessageFile: String,
        restoredState: [UInt8]?, brokers: any MessageBrokerConnecting, localhost: PodLocalhost = PodLocalhost()
    ) {
        self.namespace = namespace
        self.podName = podName
        self.nodeName = nodeName
        self.containerName = containerName
        self.image = image
        self.programImage = programImage
        self.arguments = arguments
        self.environment = environment
        self.terminationMessageFile = terminationMessageFile
        self.restoredState = restoredState
        self.brokers = brokers
        self.localhost = localhost
    }
}

/// A program running in a simulated container.
///
/// The runtime calls ``run()`` once and treats its return as the container's exit (its exit code); cancelling the
/// task that runs it is the runtime's SIGKILL after the grace period, ``terminate()`` its SIGTERM.
public protocol SimulatedProcess: Sendable {
    /// Runs the program until it exits; returns the exit code.
    func run() async -> Int32
    /// SIGTERM: asks the program to stop; ``run()`` should return soon after.
    func terminate() async
    /// CRIU dump with `--leave-running`: serialises the in-memory state the program would resume from. The
    /// program keeps running.
    func checkpoint() async throws -> [UInt8]
    /// Whether the program is ready (the container's readiness).
    func isReady() async -> Bool
}

/// Makes the process for a container from its launch description.
public typealias SimulatedProgram = @Sendable (ContainerLaunch) async throws -> any SimulatedProcess
