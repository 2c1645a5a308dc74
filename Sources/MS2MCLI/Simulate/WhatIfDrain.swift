import Foundation
import KubeModel
import MigrationAPI
import Placement
import PolicyEngine
import Unstructured

/// `ms2m simulate --snapshot CLUSTER.yaml --policy POLICY.yaml --drain NODE…`: the drain of your own cluster's
/// nodes played forward by the operator's planner (``DrainForecast``) and printed as a timeline.
struct WhatIfDrain {
    var snapshotPath: String
    var policyPath: String
    var drain: [String]
    var timingsPath: String?
    var evicts: Bool
    var now: Time

    /// Phase durations measured with `ms2m simulate` (scenarios/drain.yaml, Sequential, emulated nodes: no real
    /// CRIU dump, registry push or pull) — the floor of what the engine costs, not what a real node takes.
    static let simulatedDurations = PhaseDurations(
        seconds: [.pending: 0.04, .checkpointing: 0.07, .transferring: 0.17, .restoring: 0.28, .replaying: 0.05, .finalizing: 0.35],
        source: "ms2m simulate's emulated cluster (no real CRIU, registry or image pull: a floor); pass --timings with your cluster's StatefulMigrations for real figures")

    /// The forecast's input: the snapshot, its policies and the file's, the nodes to drain, the durations.
    func input() throws -> DrainForecast.Input {
        let cluster = try ClusterSnapshot.parse(yaml: try PlanCommand.read(snapshotPath), source: snapshotPath)
        let filed = try PlanCommand.loadPolicies(path: policyPath)
        let names = Set(filed.compactMap(\.metadata.name))
        let policies = filed + cluster.policies.filter { !names.contains($0.metadata.name ?? "") }
        let known = Set(cluster.nodes.compactMap(\.metadata.name))
        let unknown = drain.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw CLIInputError("\(snapshotPath) has no node named \(unknown.joined(separator: ", ")) (it has \(known.count) nodes)")
        }
        var durations = Self.simulatedDurations
        if let timingsPath { durations = try Self.durations(fromMigrationsAt: timingsPath) }
        return DrainForecast.Input(
            policies: policies, nodes: cluster.nodes, pods: cluster.pods, namespaceLabels: cluster.namespaceLabels,
            migrations: cluster.migrations, volumes: VolumeTopology(claims: cluster.claims, volumes: cluster.volumes),
            drained: drain, start: now, durations: durations, evicts: evicts)
    }

    /// The median of each phase over the Completed StatefulMigrations in the file at `path`
    /// (`kubectl get statefulmigrations -A -o yaml`).
    static func durations(fromMigrationsAt path: String) throws -> PhaseDurations {
        let file = try ClusterSnapshot.parse(yaml: try PlanCommand.read(path), source: path)
        let completed = file.migrations.filter { $0.status?.phase == .completed && $0.status?.phaseTimings != nil }
        guard !completed.isEmpty else {
            throw CLIInputError("\(path) holds no Completed StatefulMigration with status.phaseTimings to measure phase durations from")
        }
        var seconds: [MigrationPhase: Double] = [:]
        for name in migrationPhaseOrder {
            guard let phase = MigrationPhase(rawValue: name) else { continue }
            let samples = completed.compactMap { $0.status?.phaseTimings?[name].flatMap(goDurationSeconds) }.sorted()
            guard !samples.isEmpty else { continue }
            seconds[phase] = samples[samples.count / 2]
        }
        return PhaseDurations(seconds: seconds, source: "median of \(completed.count) Completed StatefulMigration(s) in \(path)")
    }

    /// The timeline as text: waves, evictions, stranded pods, each node's end, the estimated drain time.
    static func text(_ timeline: DrainTimeline, input: DrainForecast.Input) -> String {
        var out = "What-if: \(input.evicts ? "drain" : "cordon") of \(timeline.drained.count) node(s) (\(Self.list(timeline.drained, limit: 8))), "
        out += "\(input.pods.count) pods on \(input.nodes.count) nodes, policies: \(input.policies.compactMap(\.metadata.name).joined(separator: ", "))\n"
        let phases = migrationPhaseOrder.compactMap { name -> String? in
            guard let phase = MigrationPhase(rawValue: name), let seconds = input.durations.seconds[phase] else { return nil }
            return "\(name) \(Self.seconds(seconds))"
        }
        out += "Each migration: \(Self.seconds(input.durations.total)) (\(phases.joined(separator: ", "))); from \(input.durations.source)\n\n"
        out += "Timeline:\n"
        var events: [(Double, Int, String)] = []
        for (number, wave) in timeline.waves.enumerated() {
            let moves = timeline.moves[wave.moves]
            let shown = moves.prefix(3).map { "\($0.namespace)/\($0.pod) \($0.source)→\($0.target)" }
            let more = moves.count > 3 ? ", … (\(moves.count - 3) more)" : ""
            events.append((wave.time, 1, "wave \(number + 1): \(moves.count) migration(s) start: \(shown.joined(separator: ", "))\(more)"))
        }
        let evictionsByTime = Dictionary(grouping: timeline.evictions, by: \.time)
        for (time, evictions) in evictionsByTime {
            events.append((time, 0, "\(evictions.count) pod(s) evicted without migration (listed below)"))
        }
        for (node, time) in timeline.emptied {
            events.append((time, 2, "node \(node) is empty (DaemonSet pods aside)"))
        }
        for (time, order, text) in events.sorted(by: { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }) {
            out += "  \(Self.clock(time))  \(text)\n"
        }
        if !timeline.evictions.isEmpty {
            out += "\nEvicted without migration (\(timeline.evictions.count)):\n"
            out += TextTable.render(
                header: ["AT", "NAMESPACE", "POD", "NODE", "WHY"],
                rows: timeline.evictions.map { [Self.clock($0.time), $0.namespace, $0.pod, $0.node, $0.why] })
        }
        if !timeline.stranded.isEmpty {
            out += "\nStill on drained nodes at the end (\(timeline.stranded.count)):\n"
            out += TextTable.render(
                header: ["NAMESPACE", "POD", "NODE", "WHY"],
                rows: timeline.stranded.map { [$0.namespace, $0.pod, $0.node, $0.why] })
        }
        out += "\n\(timeline.moves.count) migration(s) in \(timeline.waves.count) wave(s), \(timeline.evictions.count) eviction(s), "
        out += "\(timeline.stranded.count) pod(s) stranded; \(timeline.rounds) planning round(s)\n"
        if let total = timeline.drainSeconds {
            out += "Estimated drain time: \(Self.clock(total))\n"
        } else {
            out += "Estimated drain time: never — \(timeline.drained.count - timeline.emptied.count) node(s) keep pods (above)\n"
        }
        if timeline.cutShort { out += "The forecast stopped after \(timeline.rounds) rounds before the drain ended.\n" }
        return out
    }

    /// The timeline as one JSON document.
    static func json(_ timeline: DrainTimeline, input: DrainForecast.Input) -> String {
        let moves: [JSONValue] = timeline.moves.map {
            ["start": .double($0.start), "finish": .double($0.finish), "policy": .string($0.policy),
             "namespace": .string($0.namespace), "pod": .string($0.pod), "source": .string($0.source),
             "target": .string($0.target), "reason": .string($0.reason.rawValue)]
        }
        let evictions: [JSONValue] = timeline.evictions.map {
            ["time": .double($0.time), "namespace": .string($0.namespace), "pod": .string($0.pod), "node": .string($0.node), "why": .string($0.why)]
        }
        let stranded: [JSONValue] = timeline.stranded.map {
            ["namespace": .string($0.namespace), "pod": .string($0.pod), "node": .string($0.node), "why": .string($0.why)]
        }
        var emptied: JSONObject = [:]
        for (node, time) in timeline.emptied { emptied[node] = .double(time) }
        var phases: JSONObject = [:]
        for (phase, seconds) in input.durations.seconds { phases[phase.rawValue] = .double(seconds) }
        let document: JSONValue = [
            "drained": .array(timeline.drained.map(JSONValue.string)),
            "durations": ["source": .string(input.durations.source), "seconds": .object(phases)],
            "waves": .array(timeline.waves.map { ["time": .double($0.time), "migrations": .int(Int64($0.moves.count))] }),
            "moves": .array(moves), "evictions": .array(evictions), "stranded": .array(stranded),
            "emptied": .object(emptied), "drainSeconds": timeline.drainSeconds.map(JSONValue.double) ?? .null,
            "rounds": .int(Int64(timeline.rounds)), "cutShort": .bool(timeline.cutShort),
        ]
        return String(decoding: document.jsonBytes(), as: UTF8.self)
    }

    static func list(_ names: [String], limit: Int) -> String {
        names.count <= limit ? names.joined(separator: ", ") : names.prefix(limit).joined(separator: ", ") + ", …"
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2fs", value) }

    /// `t+1h02m03s`, `t+4m05.5s`, `t+12.25s`.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds)
        let hours = whole / 3600
        let minutes = whole % 3600 / 60
        let rest = seconds - Double(hours * 3600 + minutes * 60)
        if hours > 0 { return String(format: "t+%dh%02dm%04.1fs", hours, minutes, rest) }
        if minutes > 0 { return String(format: "t+%dm%04.1fs", minutes, rest) }
        return String(format: "t+%.2fs", rest)
    }
}
