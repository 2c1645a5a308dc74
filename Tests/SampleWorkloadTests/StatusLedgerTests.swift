import Foundation
import SampleWorkload
import Synchronization
import TestSupport
import Testing

/// A status source that answers from a script: each poll takes the next entry (an applied count, or nil
/// for a failed poll); past the end it repeats the last.
final class ScriptedStatusSource: Sendable {
    struct Unreachable: Error {}
    private let script: Mutex<(entries: [Int64?], next: Int)>

    init(_ entries: [Int64?]) { script = Mutex((entries, 0)) }

    var polls: Int { script.withLock { $0.next } }

    func poll() throws -> CounterStatus {
        let entry = script.withLock { script -> Int64?? in
            guard !script.entries.isEmpty else { return .some(nil) }
            defer { script.next += 1 }
            return script.entries[min(script.next, script.entries.count - 1)]
        }
        guard let count = entry ?? nil else { throw Unreachable() }
        return CounterStatus(count: count, isReady: true)
    }

    var source: CounterStatusSource { { try self.poll() } }
}

@Suite("Status ledger")
struct StatusLedgerTests {
    @Test("samples, lastApplied, maxApplied, regressions and failed polls follow the scripted consumer")
    func recordsPolls() async {
        let script = ScriptedStatusSource([0, 3, nil, 7, 2, 5, 9])
        let ledger = StatusLedger(interval: .milliseconds(1), source: script.source)
        #expect(!ledger.isReady)
        for _ in 0..<7 { await ledger.poll() }
        let state = ledger.state
        #expect(state.samples == 6)
        #expect(state.failedPolls == 1)
        #expect(state.lastApplied == 9)
        #expect(state.maxApplied == 9)
        #expect(state.regressions == 2, "2 and 5 were below the 7 seen before")
        #expect(ledger.isReady)
    }

    @Test("a fresh ledger has a new instance id each time; a failed first poll leaves it not ready")
    func freshLedgers() async {
        let failing = StatusLedger(source: ScriptedStatusSource([nil]).source)
        await failing.poll()
        #expect(!failing.isReady)
        #expect(failing.state.failedPolls == 1)
        let other = StatusLedger(source: ScriptedStatusSource([nil]).source)
        #expect(failing.state.instanceID != other.state.instanceID)
    }

    @Test("the state round-trips through encode and decode, and a restored ledger continues from it")
    func restoreContinues() async throws {
        let first = StatusLedger(source: ScriptedStatusSource([4, 6]).source)
        await first.poll()
        await first.poll()
        let bytes = first.state.encoded()
        let decoded = try StatusLedgerState(decoding: bytes)
        #expect(decoded.instanceID == first.state.instanceID)
        #expect(decoded.samples == 2 && decoded.lastApplied == 6 && decoded.maxApplied == 6)
        #expect(decoded == first.state)
        #expect(decoded.encoded() == bytes, "encoding is stable")

        let restored = StatusLedger(restoring: decoded, source: ScriptedStatusSource([6, 8]).source)
        #expect(restored.isReady, "a restored ledger has its samples")
        await restored.poll()
        await restored.poll()
        #expect(restored.state.instanceID == first.state.instanceID)
        #expect(restored.state.samples == 4)
        #expect(restored.state.lastApplied == 8)
        #expect(restored.state.regressions == 0)
    }

    @Test("run() polls every interval until stop()")
    func runsUntilStopped() async throws {
        let script = ScriptedStatusSource([1])
        let ledger = StatusLedger(interval: .milliseconds(10), source: script.source)
        let running = Task { await ledger.run() }
        try await waitUntil("5 samples") { ledger.state.samples >= 5 }
        ledger.stop()
        await running.value
        let samples = ledger.state.samples
        try await Task.sleep(for: .milliseconds(50))
        #expect(ledger.state.samples == samples, "no polls after stop()")
    }

    @Test("the HTTP source reads a consumer's /status through PlainHTTPClient; the ledger serves /ledger")
    func overHTTP() async throws {
        let status = Mutex(CounterStatus(count: 12, duplicatesSkipped: 1, mode: .replaying(queue: "replay-1"), isReady: true, connections: 2))
        let consumer = CounterHTTPServer(host: "127.0.0.1", port: 0) { status.withLock { $0 } }
        let port = try await consumer.start()
        defer { Task { await consumer.stop() } }

        let (code, body) = try await PlainHTTPClient.get("http://127.0.0.1:\(port)/status")
        #expect(code == 200)
        #expect(try CounterStatus(statusJSON: body) == status.withLock { $0 })
        let ledger = StatusLedger(source: StatusLedger.httpSource(url: "http://127.0.0.1:\(port)/status"))
        await ledger.poll()
        #expect(ledger.state.lastApplied == 12)
        let missing = StatusLedger(source: StatusLedger.httpSource(url: "http://127.0.0.1:\(port)/nothing"))
        await missing.poll()
        #expect(missing.state.failedPolls == 1)

        let server = HTTPEndpointServer(host: "127.0.0.1", port: 0, logger: .init(label: "test")) { method, path in
            StatusLedgerRoutes.response(method: method, path: path, ledger: ledger.state)
        }
        let ledgerPort = try await server.start()
        defer { Task { await server.stop() } }
        let served = try await PlainHTTPClient.get("http://127.0.0.1:\(ledgerPort)/ledger")
        #expect(served.status == 200)
        #expect(try StatusLedgerState(decoding: served.body) == ledger.state)
        #expect(try await PlainHTTPClient.get("http://127.0.0.1:\(ledgerPort)/readyz").status == 200)

        await server.stop()
        await #expect(throws: PlainHTTPClientError.self) {
            _ = try await PlainHTTPClient.get("http://127.0.0.1:\(ledgerPort)/ledger", timeout: .seconds(2))
        }
    }

    @Test("CounterStatus /status JSON round-trips, primary and replay")
    func statusJSON() throws {
        let primary = CounterStatus(count: 3, duplicatesSkipped: 0, mode: .primary, isReady: true, awaitingStartReplay: false, connections: 1)
        #expect(String(decoding: primary.statusJSON, as: UTF8.self)
            == #"{"awaitingStartReplay":false,"connections":1,"count":3,"duplicatesSkipped":0,"mode":"primary","ready":true}"#)
        #expect(try CounterStatus(statusJSON: primary.statusJSON) == primary)
        let replay = CounterStatus(count: 9, mode: .replaying(queue: "q"), awaitingStartReplay: true)
        #expect(try CounterStatus(statusJSON: replay.statusJSON) == replay)
        let routed = CounterHTTPRoutes.response(method: "GET", path: "/status?x=1", status: primary)
        #expect(routed.status == 200 && routed.body == primary.statusJSON)
        #expect(CounterHTTPRoutes.response(method: "POST", path: "/status", status: primary).status == 405)
    }
}

/// The `ms2m-sample-consumer ledger` command against a consumer status endpoint served by the test.
@Suite("ms2m-sample-consumer ledger executable")
struct LedgerExecutableTests {
    @Test("ledger polls --status-url, serves /ledger on --port, and exits 0 on SIGTERM")
    func ledgerCommand() async throws {
        let executable = try Tools.builtExecutable("ms2m-sample-consumer")
        let status = Mutex(CounterStatus(count: 7, isReady: true))
        let consumer = CounterHTTPServer(host: "127.0.0.1", port: 0) { status.withLock { $0 } }
        let consumerPort = try await consumer.start()
        defer { Task { await consumer.stop() } }
        let ledgerPort = try Tools.freePort()

        let ledger = Process()
        ledger.executableURL = URL(fileURLWithPath: executable)
        ledger.arguments = [
            "ledger", "--status-url", "http://127.0.0.1:\(consumerPort)/status", "--interval-ms", "20",
            "--port", "\(ledgerPort)", "--host", "127.0.0.1",
        ]
        ledger.standardOutput = FileHandle.nullDevice
        ledger.standardError = FileHandle.nullDevice
        try ledger.run()
        defer { if ledger.isRunning { kill(ledger.processIdentifier, SIGKILL) } }

        var seen: StatusLedgerState?
        try await waitUntil("/ledger reports 7 applied", timeout: .seconds(20)) {
            guard let answer = try? await PlainHTTPClient.get("http://127.0.0.1:\(ledgerPort)/ledger") else { return false }
            seen = try? StatusLedgerState(decoding: answer.body)
            return seen?.lastApplied == 7
        }
        status.withLock { $0.count = 3 }
        try await waitUntil("/ledger reports a regression", timeout: .seconds(20)) {
            let answer = try? await PlainHTTPClient.get("http://127.0.0.1:\(ledgerPort)/ledger")
            let state = answer.flatMap { try? StatusLedgerState(decoding: $0.body) }
            return (state?.regressions ?? 0) > 0 && state?.instanceID == seen?.instanceID && state?.maxApplied == 7
        }
        kill(ledger.processIdentifier, SIGTERM)
        try await waitUntil("the ledger exits", timeout: .seconds(10)) { !ledger.isRunning }
        #expect(ledger.terminationReason == .exit)
        #expect(ledger.terminationStatus == 0)
    }
}
