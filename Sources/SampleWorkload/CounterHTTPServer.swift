public import Logging

/// The sample consumer's HTTP/1.1 endpoints, for probes and for tests that read the count:
///
/// - `GET /count`: `{"count":N,"duplicatesSkipped":M,"mode":"primary"|"replay"}`
/// - `GET /status`: every field of ``CounterStatus`` (``CounterStatus/statusJSON``), what a status ledger polls
/// - `GET /healthz`: 200 while the process serves
/// - `GET /readyz`: 200 only while the consumer is ready (connected and consuming), else 503
///
/// Answers come from ``CounterConsumer/status``, which is read without awaiting the actor.
public final class CounterHTTPServer: Sendable {
    private let server: HTTPEndpointServer

    /// A server reporting `consumer`'s status.
    public convenience init(
        consumer: CounterConsumer, host: String = "0.0.0.0", port: Int = 8080,
        logger: Logger = Logger(label: "ms2m.sample-consumer.http")
    ) {
        self.init(host: host, port: port, logger: logger, status: { consumer.status })
    }

    /// A server reporting whatever `status` returns (it runs on an event loop and must not block).
    public init(
        host: String = "0.0.0.0", port: Int = 8080,
        logger: Logger = Logger(label: "ms2m.sample-consumer.http"),
        status: @escaping @Sendable () -> CounterStatus
    ) {
        server = HTTPEndpointServer(host: host, port: port, logger: logger) { method, path in
            CounterHTTPRoutes.response(method: method, path: path, status: status())
        }
    }

    /// The address to listen on (`0.0.0.0` in a pod, `127.0.0.1` in tests).
    public var host: String { server.host }
    /// The port asked for; 0 lets the kernel choose (see ``port``).
    public var requestedPort: Int { server.requestedPort }

    /// The port listened on, once started.
    public var port: Int? { server.port }

    /// Starts listening and returns the port.
    @discardableResult
    public func start() async throws -> Int { try await server.start() }

    /// Stops listening (connections in progress finish their request).
    public func stop() async { await server.stop() }

    /// Serves until the calling task is cancelled.
    public func run() async throws {
        try await start()
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        await stop()
    }
}

/// The answers of the sample consumer's endpoints, from its status: what ``CounterHTTPServer`` serves, and
/// what the simulated runtime serves on a simulated pod's loopback interface.
public enum CounterHTTPRoutes {
    /// The answer to `method` on `path` (a query is ignored).
    public static func response(method: String, path: String, status: CounterStatus) -> HTTPEndpointResponse {
        guard method == "GET" || method == "HEAD" else { return .text(405, "method not allowed\n") }
        switch path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" {
        case "/count":
            return .json(Array(status.countJSON.utf8))
        case "/status":
            return .json(status.statusJSON)
        case "/healthz":
            return .text(200, "ok\n")
        case "/readyz":
            return status.isReady ? .text(200, "ready\n") : .text(503, "not ready\n")
        default:
            return .text(404, "not found\n")
        }
    }
}
