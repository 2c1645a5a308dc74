import Foundation
import Synchronization

/// Prints transfer progress (bytes, MB/s, ETA) on stderr, rate-limited: at most once a second on a
/// terminal and once every `quietInterval` otherwise, so Job logs do not fill up with progress lines.
/// `update` is called from the transport's thread for every buffer; it only takes a lock and compares times.
final class ProgressReporter: Sendable {
    private struct State {
        var lastPrint: ContinuousClock.Instant
        var lastBytes: Int64 = 0
        var finished = false
    }

    private let total: Int64
    private let label: String
    private let interval: Duration
    private let start = ContinuousClock.now
    private let state: Mutex<State>

    init(total: Int64, label: String, quietInterval: Duration = .seconds(5)) {
        self.total = total
        self.label = label
        self.interval = isatty(STDERR_FILENO) == 1 ? .seconds(1) : quietInterval
        self.state = Mutex(State(lastPrint: ContinuousClock.now))
    }

    func update(_ bytes: Int64) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            guard !state.finished, now - state.lastPrint >= interval else { return nil }
            state.lastPrint = now
            state.lastBytes = bytes
            return format(bytes, elapsed: now - start)
        }
        if let line { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    func finish(_ bytes: Int64) {
        let line: String = state.withLock { state in
            state.finished = true
            return format(bytes, elapsed: ContinuousClock.now - start, done: true)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func format(_ bytes: Int64, elapsed: Duration, done: Bool = false) -> String {
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let rate = Double(bytes) / seconds
        let percent = total > 0 ? Double(bytes) * 100 / Double(total) : 100
        var line = String(format: "%@: %@ / %@ (%.0f%%), %.1f MB/s", label, Self.size(bytes), Self.size(total), percent, rate / 1e6)
        if done {
            line += String(format: ", %.1f s", seconds)
        } else if rate > 0 {
            line += String(format: ", ETA %.0f s", Double(total - bytes) / rate)
        }
        return line
    }

    static func size(_ bytes: Int64) -> String {
        let value = Double(bytes)
        if value >= 1_073_741_824 { return String(format: "%.2f GiB", value / 1_073_741_824) }
        if value >= 1_048_576 { return String(format: "%.1f MiB", value / 1_048_576) }
        return String(format: "%.1f KiB", value / 1024)
    }
}
