public import Prometheus

/// The controller runtime's Prometheus metrics, registered in one `PrometheusCollectorRegistry` and served at
/// `/metrics`. Names follow controller-runtime and client-go (`workqueue_*`, `controller_runtime_*`,
/// `rest_client_*`, `leader_election_master_status`), so existing dashboards and alerts apply.
public final class RuntimeMetrics: Sendable {
    /// The registry everything is registered in; add the operator's own metrics to it.
    public let registry: PrometheusCollectorRegistry

    /// Metrics in a fresh registry (or in `registry`).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }

    // MARK: Families

    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60),
    ]

    /// A counter in this registry (for the operator's own metrics as well as the runtime's).
    public func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
    }

    /// A gauge in this registry.
    public func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }

    /// A duration histogram (latency buckets from 1 ms to 60 s) in this registry.
    public func histogram(_ name: String, _ help: String, _ labels: [(String, String)]) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: Self.latencyBuckets)
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    // MARK: Per component

    /// Metrics of the work queue `name`.
    public func workQueue(named name: String) -> WorkQueueMetrics { WorkQueueMetrics(self, name: name) }

    /// Metrics of the controller `name`.
    public func controller(named name: String) -> ReconcileMetrics { ReconcileMetrics(self, controller: name) }

    /// The leader-election status gauge of the lease `name` (1 while leading).
    public func leaderStatus(lease name: String) -> Gauge {
        gauge("leader_election_master_status", "Whether this replica leads (1) or not (0).", [("name", name)])
    }

    /// Records one API request through the ports: its verb, result code and latency.
    public func recordRequest(verb: String, resource: String, code: String, duration: Duration) {
        counter("rest_client_requests_total", "API requests by verb, resource and result code.", [
            ("code", code), ("verb", verb), ("resource", resource),
        ]).increment()
        histogram("rest_client_request_duration_seconds", "API request latency by verb and resource.", [
            ("verb", verb), ("resource", resource),
        ]).record(duration)
    }
}

/// A work queue's metrics (client-go's `workqueue` provider): depth, adds, time queued, time processed, retries.
public final class WorkQueueMetrics: Sendable {
    let depth: Gauge
    let adds: Counter
    let queueDuration: DurationHistogram
    let workDuration: DurationHistogram
    let retries: Counter

    init(_ metrics: RuntimeMetrics, name: String) {
        let labels = [("name", name), ("controller", name)]
        depth = metrics.gauge("workqueue_depth", "Current depth of the work queue.", labels)
        adds = metrics.counter("workqueue_adds_total", "Keys added to the work queue.", labels)
        queueDuration = metrics.histogram(
            "workqueue_queue_duration_seconds", "How long a key waits in the queue before a worker takes it.", labels)
        workDuration = metrics.histogram(
            "workqueue_work_duration_seconds", "How long processing a key takes.", labels)
        retries = metrics.counter("workqueue_retries_total", "Rate-limited re-adds (retries) of keys.", labels)
    }
}

/// A controller's reconcile metrics (controller-runtime's `controller_runtime_reconcile_*`).
public final class ReconcileMetrics: Sendable {
    let success: Counter
    let requeueAfter: Counter
    let error: Counter
    let errors: Counter
    let terminalErrors: Counter
    let duration: DurationHistogram
    let activeWorkers: Gauge

    init(_ metrics: RuntimeMetrics, controller: String) {
        let total = "controller_runtime_reconcile_total"
        let totalHelp = "Reconciles per controller and result."
        success = metrics.counter(total, totalHelp, [("controller", controller), ("result", "success")])
        requeueAfter = metrics.counter(total, totalHelp, [("controller", controller), ("result", "requeue_after")])
        error = metrics.counter(total, totalHelp, [("controller", controller), ("result", "error")])
        errors = metrics.counter(
            "controller_runtime_reconcile_errors_total", "Reconciles that failed.", [("controller", controller)])
        terminalErrors = metrics.counter(
            "controller_runtime_terminal_reconcile_errors_total", "Reconciles that failed terminally (not retried).",
            [("controller", controller)])
        duration = metrics.histogram(
            "controller_runtime_reconcile_time_seconds", "Reconcile duration per controller.",
            [("controller", controller)])
        activeWorkers = metrics.gauge(
            "controller_runtime_active_workers", "Workers reconciling now.", [("controller", controller)])
    }
}
