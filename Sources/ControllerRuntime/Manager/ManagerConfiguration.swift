/// How a `ControllerManager` runs.
public struct ManagerConfiguration: Sendable {
    /// Leader election; nil runs the controllers without it (a single replica).
    public var leaderElection: LeaderElectionConfiguration?
    /// Where `/healthz` and `/readyz` are served (`:8081`); nil serves none.
    public var healthProbeAddress: BindAddress?
    /// Where `/metrics` is served (`:8080`); nil serves none. When equal to `healthProbeAddress`, one
    /// server answers all three paths.
    public var metricsAddress: BindAddress?
    /// Events: reportingController and reportingInstance, aggregation and rate limits.
    public var events: EventRecorderConfiguration

    /// A configuration; by default no leader election, probes on `:8081`, metrics on `:8080`.
    public init(
        leaderElection: LeaderElectionConfiguration? = nil,
        healthProbeAddress: BindAddress? = BindAddress(port: 8081),
        metricsAddress: BindAddress? = BindAddress(port: 8080),
        events: EventRecorderConfiguration = EventRecorderConfiguration(
            reportingController: "ms2m.io/controller-manager", reportingInstance: "ms2m")
    ) {
        self.leaderElection = leaderElection
        self.healthProbeAddress = healthProbeAddress
        self.metricsAddress = metricsAddress
        self.events = events
    }
}
