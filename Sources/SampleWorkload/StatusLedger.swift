import Foundation
import Synchronization

/// Where a ``StatusLedger`` reads the primary consumer's status: one poll, throwing when the consumer cannot
/// be reached. ``StatusLedger/httpSource(url:timeout:)`` polls a consumer's `/status` endpoint.
public typealias CounterStatusSource = @Sendable () async throws -> CounterStatus

/// Everything a checkpoint of a ``StatusLedger`` carries: who it is, since when it runs, and what it saw of
/// the primary consumer. A restored ledger continues from it, so a migrated sidecar keeps its
/// ``instanceID`` and counts on.
public struct StatusLedgerState: Sendable, Codable, Hashable {
    /// Random at a fresh start; kept across checkpoint and restore (a new value means the ledger lost its
    /// memory).
    public var instanceID: UUID
    /// When the ledger first started, to the millisecond (kept across restores).
    public var startedAt: Date
    /// Successful polls.
    public var samples: Int
    /// The consumer's applied-message count (``CounterStatus/count``) at the last successful poll (0 before
    /// the first).
    public var lastApplied: Int64
    /// The highest applied count seen.
    public var maxApplied: Int64
    /// Polls whose applied count was below ``maxApplied``: the primary had lost state it had reported.
    public var regressions: Int
    /// Polls that failed (consumer unreachable, bad answer).
    public var failedPolls: Int

    /// A fresh ledger: a new instance id, nothing seen.
    public init(instanceID: UUID = UUID(), startedAt: Date = Date()) {
        self.instanceID = instanceID
        self.startedAt = Self.wholeMilliseconds(startedAt)
        self.samples = 0
        self.lastApplied = 0
        self.maxApplied = 0
        self.regressions = 0
        self.failedPolls = 0
    }

    /// Records a successful poll that saw `applied` messages applied.
    public mutating func recordSample(applied: Int64) {
        samples += 1
        if applied < maxApplied { regressions += 1 }
        lastApplied = applied
        maxApplied = max(maxApplied, applied)
    }

    /// Records a failed poll.
    public mutating func recordFailedPoll() {
        failedPolls += 1
    }

    /// The state as JSON bytes (keys sorted; `startedAt` in whole milliseconds since 1970, so decoding gives
    /// back an equal state): the checkpoint state and the body of the ledger's `/ledger` endpoint.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
        // Integers and a string: encoding cannot fail.
        return Array(try! encoder.encode(self))
    }

    /// Decodes bytes written by ``encoded()``.
    public init(decoding bytes: [UInt8]) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            Date(timeIntervalSince1970: Double(try decoder.singleValueContainer().decode(Int64.self)) / 1000)
        }
        self = try decoder.decode(StatusLedgerState.self, from: Data(bytes))
    }

    /// `date` rounded to the millisecond, as ``encoded()`` keeps it.
    private static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}

/// A stateful sidecar for the sample consumer: every ``interval`` it polls the primary consumer's status
/// and keeps, in memory only, what it saw (``StatusLedgerState``): how many polls succeeded, the applied
/// count now and at most, and how often it went backwards. Migrated with its pod, it must keep that memory —
/// and a primary that lost state shows up as ``StatusLedgerState/regressions``. Ready once it has one sample.
public final class StatusLedger: Sendable {
    /// The time between polls.
    public let interval: Duration
    private let source: CounterStatusSource
    private let ledger: Mutex<StatusLedgerState>
    private let pause = InterruptibleSleep()
    private let stopRequested = Mutex(false)

    /// A ledger polling `source` every `interval`, continuing from `restoring` when restored from a checkpoint.
    public init(
        interval: Duration = .milliseconds(200), restoring: StatusLedgerState? = nil,
        source: @escaping CounterStatusSource
    ) {
        self.interval = interval
        self.source = source
        self.ledger = Mutex(restoring ?? StatusLedgerState())
    }

    /// What the ledger has seen so far (its checkpoint state).
    public var state: StatusLedgerState { ledger.withLock { $0 } }

    /// Whether it has sampled the consumer at least once.
    public var isReady: Bool { state.samples > 0 }

    /// Polls the source once and records the outcome.
    public func poll() async {
        do {
            let status = try await source()
            ledger.withLock { $0.recordSample(applied: status.count) }
        } catch {
            if Task.isCancelled { return }
            ledger.withLock { $0.recordFailedPoll() }
        }
    }

    /// Polls every ``interval`` until ``stop()`` or the task's cancellation.
    public func run() async {
        while !stopRequested.withLock({ $0 }), !Task.isCancelled {
            await poll()
            guard !stopRequested.withLock({ $0 }) else { break }
            await pause.sleep(for: interval)
        }
    }

    /// Stops ``run()`` after the poll in progress.
    public func stop() {
        stopRequested.withLock { $0 = true }
        pause.interrupt()
    }

    /// A source that GETs `url` (a consumer's `/status`, e.g. `http://127.0.0.1:8080/status`) and decodes
    /// ``CounterStatus/statusJSON``; a non-200 answer is an error.
    public static func httpSource(url: String, timeout: Duration = .seconds(2)) -> CounterStatusSource {
        {
            let (status, body) = try await PlainHTTPClient.get(url, timeout: timeout)
            guard status == 200 else { throw StatusLedgerError.unexpectedStatus(url: url, status: status) }
            return try CounterStatus(statusJSON: body)
        }
    }
}

/// Why a ledger's poll failed.
public enum StatusLedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status endpoint answered other than 200.
    case unexpectedStatus(url: String, status: Int)

    public var description: String {
        switch self {
        case .unexpectedStatus(let url, let status): "GET \(url) answered \(status)"
        }
    }
}

/// The answers of a ledger's endpoints: `GET /ledger` (its state as ``StatusLedgerState/encoded()``),
/// `/healthz`, and `/readyz` (200 once it has a sample).
public enum StatusLedgerRoutes {
    /// The answer to `method` on `path` (a query is ignored).
    public static func response(method: String, path: String, ledger: StatusLedgerState) -> HTTPEndpointResponse {
        guard method == "GET" || method == "HEAD" else { return .text(405, "method not allowed\n") }
        switch path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" {
        case "/ledger":
            return .json(ledger.encoded())
        case "/healthz":
            return .text(200, "ok\n")
        case "/readyz":
            return ledger.samples > 0 ? .text(200, "ready\n") : .text(503, "not ready\n")
        default:
            return .text(404, "not found\n")
        }
    }
}
