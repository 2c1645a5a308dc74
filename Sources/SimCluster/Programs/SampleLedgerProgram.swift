import Foundation
public import SampleWorkload

/// The sample consumer's stateful sidecar (``StatusLedger``, the `ms2m-sample-consumer ledger` command) as a
/// program of the simulated container runtime: it polls the consumer's `/status` on the pod's loopback
/// interface (``ContainerLaunch/localhost``, port ``SampleConsumerProgram/httpPort``), serves its own
/// `/ledger`, `/healthz` and `/readyz` there on ``ledgerPort``, is checkpointed as its encoded
/// ``StatusLedgerState`` and restored from it — the pattern of ``SampleConsumerProgram``.
///
/// The real command's options are read from the container's arguments when given: `--status-url
/// http://127.0.0.1:<port>/<path>` (only the port and path matter on the loopback), `--interval-ms`, `--port`.
public enum SampleLedgerProgram {
    /// The image matcher: repository `ms2m-sample-ledger` or ending in it.
    public static let matcher = SimImageMatcher.repositorySuffix("ms2m-sample-ledger")

    /// The loopback port of the ledger's own endpoints (the command's default `--port`).
    public static let ledgerPort = 8081

    /// The program.
    public static let program: SimulatedProgram = { launch in
        let restored = try launch.restoredState.map { try StatusLedgerState(decoding: $0) }
        let options = LedgerOptions(arguments: launch.arguments)
        let localhost = launch.localhost
        let ledger = StatusLedger(interval: options.interval, restoring: restored) {
            let (status, body) = try await localhost.get(port: options.statusPort, path: options.statusPath)
            guard status == 200 else {
                throw StatusLedgerError.unexpectedStatus(url: "http://127.0.0.1:\(options.statusPort)\(options.statusPath)", status: status)
            }
            return try CounterStatus(statusJSON: body)
        }
        return SampleLedgerProcess(ledger: ledger, localhost: localhost, port: options.port)
    }

    /// What the `ledger` command's arguments say, with its defaults.
    struct LedgerOptions {
        var statusPort = SampleConsumerProgram.httpPort
        var statusPath = "/status"
        var interval = Duration.milliseconds(200)
        var port = SampleLedgerProgram.ledgerPort

        init(arguments: [String]) {
            var values: [String: String] = [:]
            var index = arguments.startIndex
            while index < arguments.endIndex {
                let argument = arguments[index]
                if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                    values[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
                } else if argument.hasPrefix("--"), index + 1 < arguments.endIndex {
                    values[argument] = arguments[index + 1]
                    index += 1
                }
                index += 1
            }
            if let url = values["--status-url"].flatMap(URLComponents.init(string:)) {
                statusPort = url.port ?? 80
                statusPath = (url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath)
                    + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
            }
            if let milliseconds = values["--interval-ms"].flatMap(Int.init), milliseconds > 0 {
                interval = .milliseconds(milliseconds)
            }
            if let port = values["--port"].flatMap(Int.init) { self.port = port }
        }
    }
}

/// A running status ledger in a simulated container.
public final class SampleLedgerProcess: SimulatedProcess {
    /// The ledger (tests and the simulation read its ``StatusLedger/state``).
    public let ledger: StatusLedger
    private let localhost: PodLocalhost
    private let port: Int

    init(ledger: StatusLedger, localhost: PodLocalhost, port: Int) {
        self.ledger = ledger
        self.localhost = localhost
        self.port = port
    }

    public func run() async -> Int32 {
        let ledger = self.ledger
        do {
            try localhost.serve(port: port) { path in
                let answer = StatusLedgerRoutes.response(method: "GET", path: path, ledger: ledger.state)
                return (answer.status, answer.body)
            }
        } catch {
            // The port is taken: no endpoints, the ledger keeps polling.
        }
        defer { localhost.stopServing(port: port) }
        await ledger.run()
        return Task.isCancelled ? 137 : 0
    }

    public func terminate() async { ledger.stop() }

    public func checkpoint() async throws -> [UInt8] { ledger.state.encoded() }

    public func isReady() async -> Bool { ledger.isReady }
}
