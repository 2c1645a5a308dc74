/// Leader election on a coordination.k8s.io/v1 Lease, with client-go's `leaderelection` timing.
public struct LeaderElectionConfiguration: Sendable {
    /// The Lease's name.
    public var leaseName: String
    /// The Lease's namespace.
    public var leaseNamespace: String
    /// This replica's identity (its pod name, plus something unique per process).
    public var identity: String
    /// How long non-leaders wait, after they last saw the lease change, before taking it over.
    public var leaseDuration: Duration
    /// How long the leader keeps retrying a failed renewal before it gives leadership up.
    public var renewDeadline: Duration
    /// How long to wait between attempts to acquire or renew.
    public var retryPeriod: Duration
    /// Whether the leader releases the lease when it stops (shutdown or cancellation), so another replica
    /// takes over at once instead of after `leaseDuration`.
    public var releaseOnCancel: Bool

    /// client-go's defaults: 15 s lease, 10 s renew deadline, 2 s retry period; release on cancel.
    public init(
        leaseName: String,
        leaseNamespace: String,
        identity: String,
        leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2),
        releaseOnCancel: Bool = true
    ) {
        self.leaseName = leaseName
        self.leaseNamespace = leaseNamespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// The problems client-go's `NewLeaderElector` rejects; empty when the configuration is usable.
    public var problems: [String] {
        var problems: [String] = []
        if identity.isEmpty { problems.append("identity must not be empty") }
        if leaseName.isEmpty || leaseNamespace.isEmpty { problems.append("the lease needs a name and a namespace") }
        if leaseDuration <= renewDeadline { problems.append("leaseDuration must be greater than renewDeadline") }
        if renewDeadline <= retryPeriod * 1.2 { problems.append("renewDeadline must be greater than 1.2 × retryPeriod") }
        if retryPeriod <= .zero { problems.append("retryPeriod must be positive") }
        return problems
    }
}

/// Why leader election stopped.
public enum LeaderElectionError: Error, Equatable, CustomStringConvertible {
    /// Renewals kept failing past `renewDeadline`; another replica may lead now.
    case leadershipLost(identity: String)
    /// The configuration is unusable.
    case invalidConfiguration([String])

    public var description: String {
        switch self {
        case .leadershipLost(let identity): return "leader election lost by \(identity)"
        case .invalidConfiguration(let problems): return "invalid leader election configuration: \(problems.joined(separator: "; "))"
        }
    }
}
