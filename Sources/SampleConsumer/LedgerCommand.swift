import ArgumentParser
import Foundation
import Logging
import SampleWorkload

/// `ledger`: the stateful sidecar of the sample consumer. Polls the consumer's `/status` over the pod's
/// loopback every `--interval-ms`, keeps what it saw in memory (``StatusLedger``) and serves it at `/ledger`
/// (with `/healthz` and `/readyz`) on `--port`. SIGTERM (or SIGINT) stops it.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Poll the consumer's status and keep a ledger of it in memory (a stateful sidecar).")

    @Option(help: "The consumer's status endpoint.")
    var statusURL: String = "http://127.0.0.1:8080/status"

    @Option(help: "Milliseconds between polls.")
    var intervalMs: Int = 200

    @Option(help: "The port of the endpoints /ledger, /healthz and /readyz.")
    var port: Int = 8081

    @Option(help: "The address the endpoints listen on.")
    var host: String = "0.0.0.0"

    func validate() throws {
        guard intervalMs > 0 else { throw ValidationError("--interval-ms must be positive") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard statusURL.hasPrefix("http://") else { throw ValidationError("--status-url must be an http:// URL") }
    }

    func run() async throws {
        let logger = Logger(label: "ms2m.sample-ledger")
        let ledger = StatusLedger(
            interval: .milliseconds(intervalMs), source: StatusLedger.httpSource(url: statusURL))
        let server = HTTPEndpointServer(host: host, port: port, logger: logger) { method, path in
            StatusLedgerRoutes.response(method: method, path: path, ledger: ledger.state)
        }
        try await server.start()
        let signals = TerminationSignals { ledger.stop() }
        defer { signals.cancel() }
        await ledger.run()
        await server.stop()
        let state = ledger.state
        logger.info(
            "Exited",
            metadata: [
                "instanceID": "\(state.instanceID)", "samples": "\(state.samples)",
                "maxApplied": "\(state.maxApplied)", "regressions": "\(state.regressions)",
            ])
    }
}
