import Foundation
import Synchronization

/// Shows a simulation's progress on standard output: on a terminal, a table of migrations redrawn in place
/// with ANSI escapes; otherwise one line per step and per phase change. Quiet for `--output json`.
final class SimulationConsole: Sendable {
    enum Style: Sendable { case terminal, lines, quiet }

    private struct State: Sendable {
        /// Lines of the migration table last drawn (terminal), to move the cursor back over them.
        var drawnLines = 0
        /// Phase last printed per migration (lines).
        var printedPhases: [String: String] = [:]
    }

    let style: Style
    private let state = Mutex(State())

    init(style: Style) { self.style = style }

    /// The style for standard output: `quiet` for JSON, `terminal` when it is a TTY, else `lines`.
    static func style(json: Bool) -> Style {
        if json { return .quiet }
        return isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb" ? .terminal : .lines
    }

    func handle(_ event: SimulationEvent) {
        switch (style, event) {
        case (.quiet, _):
            return
        case (.terminal, .step(let text)):
            state.withLock { $0.drawnLines = 0 }
            write("• \(text)\n")
        case (.lines, .step(let text)):
            write("\(text)\n")
        case (.terminal, .migrations(let migrations)):
            let lines = Self.table(migrations)
            state.withLock { s in
                var out = s.drawnLines > 0 ? "\u{1B}[\(s.drawnLines)A" : ""
                for line in lines { out += "\u{1B}[2K" + line + "\n" }
                s.drawnLines = lines.count
                write(out)
            }
        case (.lines, .migrations(let migrations)):
            state.withLock { s in
                for m in migrations where s.printedPhases[m.name] != m.phase {
                    s.printedPhases[m.name] = m.phase
                    var line = String(format: "%@ %@ (%@): %@ at %.2fs", "migration", m.name, m.sourcePod, m.phase, m.elapsed)
                    if let target = m.targetNode { line += " → \(target)" }
                    if let failure = m.failure, m.phase == "Failed" { line += " — \(failure)" }
                    write(line + "\n")
                }
            }
        }
    }

    /// The migration table: one row per migration, phases as columns (seconds spent; `…` for the current one).
    static func table(_ migrations: [MigrationProgress]) -> [String] {
        let short = ["Pending": "pend", "Checkpointing": "ckpt", "Transferring": "xfer", "Restoring": "rest", "Replaying": "repl", "Finalizing": "fin"]
        var lines = [
            pad("migration", 44) + pad("pod", 24) + pad("route", 16) + pad("phase", 14)
                + migrationPhaseOrder.map { pad(short[$0] ?? $0, 7) }.joined() + "total"
        ]
        for m in migrations {
            let route = "\(m.sourceNode ?? "?")→\(m.targetNode ?? "?")"
            var row = pad(m.name, 44) + pad(m.sourcePod, 24) + pad(route, 16) + pad(m.phase, 14)
            for phase in migrationPhaseOrder {
                if let s = m.phaseSeconds[phase] {
                    row += pad(String(format: "%.2f", s), 7)
                } else {
                    row += pad(phase == m.phase ? "…" : "", 7)
                }
            }
            row += String(format: "%.2fs", m.elapsed)
            lines.append(row)
        }
        return lines
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        let clipped = text.count >= width ? String(text.prefix(width - 1)) : text
        return clipped + String(repeating: " ", count: max(1, width - clipped.count))
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    // MARK: The verdict

    /// The human-readable verdict.
    static func verdict(_ report: SimulationReport) -> String {
        var out = "\n"
        out += "Migrations (\(report.mode), drained \(report.drainNode)):\n"
        if report.migrations.isEmpty { out += "  none\n" }
        for m in report.migrations {
            let phases = migrationPhaseOrder.compactMap { p in m.phaseSeconds[p].map { String(format: "%@ %.2fs", p, $0) } }
            out += String(
                format: "  %@ %@: %@ → %@ (%@) %@ in %@\n", m.phase == "Completed" ? "✓" : "✗", m.name, m.sourceNode ?? "?",
                m.targetNode ?? "?", m.strategy ?? "?", m.phase, m.totalSeconds.map { String(format: "%.2fs", $0) } ?? "?")
            if !phases.isEmpty { out += "      " + phases.joined(separator: ", ") + "\n" }
            if let replayed = m.messagesReplayed { out += "      replayed \(replayed) message(s), ended \(m.replayEndReason ?? "?")\n" }
            if let reason = m.failureReason { out += "      \(reason): \(m.failureMessage ?? "")\n" }
        }
        out += "\nConsumers:\n"
        out += "  " + ["pod", "node", "produced", "applied", "lost", "dup skipped", "longest gap", "not ready"].enumerated()
            .map { pad($0.element, [26, 16, 10, 10, 6, 13, 13, 10][$0.offset]) }.joined() + "\n"
        for c in report.consumers {
            let node = c.nodeBefore == c.nodeAfter ? (c.nodeAfter ?? "?") : "\(c.nodeBefore ?? "?")→\(c.nodeAfter ?? "?")"
            out += "  " + pad(c.pod, 26) + pad(node, 16) + pad("\(c.produced)", 10) + pad("\(c.applied)", 10) + pad("\(c.lost)", 6)
                + pad("\(c.duplicatesSkipped)", 13) + pad(String(format: "%.3fs", c.longestApplyGapSeconds), 13)
                + String(format: "%.3fs", c.notReadySeconds) + "\n"
        }
        let sidecars = report.consumers.compactMap { c in c.sidecar.map { (c.pod, $0) } }
        if !sidecars.isEmpty {
            out += "\nSidecars (stateful; checkpointed and restored with their pod):\n"
            for (pod, sidecar) in sidecars {
                out += "  \(pod)/\(sidecar.container): \(sidecar.instanceKept ? "state kept" : "STARTED EMPTY"), samples \(sidecar.samplesBefore) → \(sidecar.samplesAfter), last saw \(sidecar.lastApplied) applied, \(sidecar.regressions) regression(s)\n"
            }
        }
        if let drain = report.drain {
            out += String(
                format: "\nDrain (kubectl drain): %@ in %.1f s, %d eviction(s) refused, evicted: %@", drain.completed ? "completed" : "NOT completed",
                drain.seconds, drain.evictionsRefused, drain.evicted.isEmpty ? "none" : drain.evicted.joined(separator: ", "))
        }
        out += "\nLeft behind: " + (report.leftovers.isEmpty ? "nothing" : report.leftovers.all.joined(separator: ", ")) + "\n"
        out += "Broker: \(report.broker); checkpoint images: \(report.checkpointImages); took \(String(format: "%.1f", report.elapsedSeconds)) s\n\n"
        if report.success {
            var phases: [String: Int] = [:]
            for migration in report.migrations { phases[migration.phase, default: 0] += 1 }
            let outcome = phases.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            out += "PASS: \(report.migrations.count) migration(s) (\(outcome.isEmpty ? "none" : outcome)) as expected, \(report.produced) messages produced, \(report.applied) applied exactly once, none lost, nothing left behind.\n"
        } else {
            out += "FAIL:\n" + report.problems.map { "  - \($0)\n" }.joined()
        }
        return out
    }
}
