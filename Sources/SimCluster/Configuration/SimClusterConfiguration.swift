public import InProcessBroker
public import OperatorCore

/// A program that runs in containers whose image matches ``matcher``.
public struct SimProgramBinding: Sendable {
    /// Which images run the program (repository name, registry and tag ignored).
    public var matcher: SimImageMatcher
    /// Makes the process for a container.
    public var program: SimulatedProgram

    public init(_ matcher: SimImageMatcher, program: @escaping SimulatedProgram) {
        self.matcher = matcher
        self.program = program
    }
}

/// Everything a ``SimulatedCluster`` is made of: its nodes, the programs its containers run, where node
/// filesystems live, and the timing of its kubelets.
public struct SimClusterConfiguration: Sendable {
    /// The nodes, each with its own kubelet.
    public var nodes: [SimNodeConfiguration]
    /// Local directory standing for the machines' disks: node `n` is `<rootDirectory>/nodes/n/`.
    public var rootDirectory: String
    /// Programs by image; the first match wins.
    public var programs: [SimProgramBinding]
    /// Images that run the checkpoint-transfer helper as a local process (default: repositories ending in
    /// `checkpoint-transfer`).
    public var transferImage: SimImageMatcher
    /// The checkpoint-transfer executable the transfer image runs; nil makes such containers fail to start.
    public var transferBinary: String?
    /// Where checkpoint images (any image no program matches) are pulled from.
    public var imageSource: SimImageSource
    /// Broker connections handed to programs (``ContainerLaunch/brokers``).
    public var brokers: any MessageBrokerConnecting
    /// How long a kubelet waits after a pod is bound before it starts its containers (image pull, sandbox).
    public var podStartDelay: Duration
    /// How often each node renews its Lease in `kube-node-lease`.
    public var leaseHeartbeatInterval: Duration
    /// How often each node re-posts its status (condition heartbeat times) when nothing changed.
    public var nodeStatusReportInterval: Duration
    /// How often kubelets re-check container readiness (``SimulatedProcess/isReady()``).
    public var readinessCheckInterval: Duration
    /// The first restart back-off of a crashed container; it doubles per restart up to ``maximumRestartBackoff``
    /// (the kubelet uses 10 s and 5 min; tests want less).
    public var initialRestartBackoff: Duration
    /// The longest restart back-off.
    public var maximumRestartBackoff: Duration
    /// Host paths that stand for shared storage: a `hostPath` volume at or under one of these local paths is
    /// that very path on every node (not a per-node directory under ``rootDirectory``), as a network
    /// filesystem mounted at the same place on each machine would be. `ms2m simulate` lists its OCI
    /// image-layout directory here, so the transfer Job on the source node writes where the target's
    /// kubelet reads.
    public var sharedHostPaths: [String]
    /// Whether each node serves the kubelet HTTP API (`/healthz`, `/pods`, checkpoints) on a loopback port of
    /// its own. Without it nodes report kubelet port 0 and the node proxy answers 503 — for scale tests of
    /// thousands of nodes that never checkpoint.
    public var servesKubeletAPI: Bool

    public init(
        nodes: [SimNodeConfiguration],
        rootDirectory: String,
        programs: [SimProgramBinding] = [],
        transferImage: SimImageMatcher = .repositorySuffix("checkpoint-transfer"),
        transferBinary: String? = nil,
        imageSource: SimImageSource = .registry(plainHTTP: true, caFile: nil, username: nil, password: nil),
        brokers: any MessageBrokerConnecting = InProcessBrokerConnector(),
        podStartDelay: Duration = .milliseconds(50),
        leaseHeartbeatInterval: Duration = .seconds(10),
        nodeStatusReportInterval: Duration = .seconds(60),
        readinessCheckInterval: Duration = .milliseconds(200),
        initialRestartBackoff: Duration = .milliseconds(200),
        maximumRestartBackoff: Duration = .seconds(5),
        sharedHostPaths: [String] = [],
        servesKubeletAPI: Bool = true
    ) {
        self.nodes = nodes
        self.rootDirectory = rootDirectory
        self.programs = programs
        self.transferImage = transferImage
        self.transferBinary = transferBinary
        self.imageSource = imageSource
        self.brokers = brokers
        self.podStartDelay = podStartDelay
        self.leaseHeartbeatInterval = leaseHeartbeatInterval
        self.nodeStatusReportInterval = nodeStatusReportInterval
        self.readinessCheckInterval = readinessCheckInterval
        self.initialRestartBackoff = initialRestartBackoff
        self.maximumRestartBackoff = maximumRestartBackoff
        self.sharedHostPaths = sharedHostPaths
        self.servesKubeletAPI = servesKubeletAPI
    }

    /// The program for `image`, if one is configured.
    public func program(for image: String) -> SimulatedProgram? {
        programs.first { $0.matcher.matches(image) }?.program
    }
}
