import Prometheus

/// The agent's Prometheus metrics, served at `/metrics`:
///
/// - `ms2m_agent_transfers_started_total`, `…_succeeded_total`, `…_failed_total`
/// - `ms2m_agent_pushed_bytes_total`: archive bytes uploaded (a layer the registry already had counts nothing)
/// - `ms2m_agent_transfers_in_flight`: transfers pushing now; `ms2m_agent_transfers_queued`: waiting for a slot
public final class AgentMetrics: Sendable {
    /// The registry every metric is in.
    public let registry: PrometheusCollectorRegistry
    let started: Counter
    let succeeded: Counter
    let failed: Counter
    let pushedBytes: Counter
    let inFlight: Gauge
    let queued: Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        started = registry.makeCounter(name: "ms2m_agent_transfers_started_total", help: "Transfers accepted.")
        succeeded = registry.makeCounter(
            name: "ms2m_agent_transfers_succeeded_total", help: "Transfers whose images were all confirmed.")
        failed = registry.makeCounter(name: "ms2m_agent_transfers_failed_total", help: "Transfers that failed or were cancelled.")
        pushedBytes = registry.makeCounter(name: "ms2m_agent_pushed_bytes_total", help: "Archive bytes uploaded.")
        inFlight = registry.makeGauge(name: "ms2m_agent_transfers_in_flight", help: "Transfers pushing now.")
        queued = registry.makeGauge(name: "ms2m_agent_transfers_queued", help: "Transfers waiting for a slot.")
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }
}
