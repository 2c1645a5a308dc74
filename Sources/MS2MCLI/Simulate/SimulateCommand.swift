import ArgumentParser
import Foundation
import KubeModel
import Logging
import PolicyEngine

/// `ms2m simulate [SCENARIO]`: MS2M end to end in one process, with nothing installed.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Drain a node of a simulated cluster under load and report every migration and every message.",
        discussion: """
            Starts, in this process: the Kubernetes API emulator with the ms2m CRDs, simulated CRI-O nodes, the sample \
            consumer as a StatefulSet with a producer per replica, an in-process broker, an OCI image-layout directory \
            for checkpoint images, and the operator. Then it cordons a node, lets the MigrationPolicy (or, with \
            --manual, directly created StatefulMigrations) move the pods off it, and reports messages produced \
            versus applied, the downtime each consumer saw, and anything left behind.

            Needs the checkpoint-transfer binary: swift build --product checkpoint-transfer.
            Exit status: 0 when every migration completed, no message was lost and nothing was left behind; 1 otherwise.

            What-if drain of your own cluster: --snapshot CLUSTER.yaml (as `ms2m plan --snapshot` reads it, e.g. \
            `kubectl get nodes,pods,namespaces,pvc,pv,statefulmigrations,migrationpolicies -A -o yaml`) --policy \
            POLICY.yaml --drain NODE[,NODE…] plays the drain of those nodes forward with the operator's planner — \
            waves within budgets, each pod's target, unplaceable pods with reasons, evictions — and estimates the \
            drain time from phase durations (--timings: your cluster's StatefulMigrations). Nothing is contacted. \
            Exit status: 0 when every drained node empties, 1 otherwise.
            """
    )

    @Argument(help: "A scenario file (see scenarios/); the embedded default when omitted.")
    var scenario: String?

    @Option(help: "Messages per second per consumer (overrides the scenario).")
    var rate: Double?

    @Option(help: "Seconds of production before the drain (overrides the scenario).")
    var warmup: Double?

    @Option(help: "Seconds of production after the migrations (overrides the scenario).")
    var settle: Double?

    @Flag(help: "Create the StatefulMigrations directly (as the policy would stamp them) instead of applying the MigrationPolicy.")
    var manual = false

    @Option(help: "Use a real RabbitMQ at this amqp:// URL instead of the in-process broker.")
    var amqpURL: String?

    @Option(help: "Push checkpoint images to a real registry (host:port) instead of an OCI layout directory.")
    var registry: String?

    @Flag(help: "Talk plain HTTP to --registry.")
    var insecureRegistry = false

    @Option(help: "How checkpoints travel: job (a Job per migration) or agent (ms2m-agent on every node; a Job when an agent cannot).")
    var transferMode: String = "job"

    @Option(help: "The directory holding the CRDs (default: config/crd/bases of this package).")
    var crds: String?

    @Option(help: "text or json (one JSON document on standard output).")
    var output: OutputFormat = .text

    @Option(help: "Log every component at this level to standard error (trace, debug, info, notice, warning, error).")
    var logLevel: String?

    @Option(help: "What-if: a cluster snapshot to drain (YAML of Node, Pod, … objects) instead of the simulated cluster.")
    var snapshot: String?

    @Option(help: "What-if: the MigrationPolicy file (with --snapshot); the snapshot's own policies act too.")
    var policy: String?

    @Option(help: "What-if: the node(s) to drain (repeat, or separate with commas).")
    var drain: [String] = []

    @Option(help: "What-if: measure phase durations from the Completed StatefulMigrations in this YAML file (kubectl get smig -A -o yaml).")
    var timings: String?

    @Flag(help: "What-if: only cordon the nodes (kubectl cordon) instead of draining them (kubectl drain evicts too).")
    var cordonOnly = false

    @Option(help: "What-if: the drain's start (RFC 3339; default now), for schedule windows.")
    var now: String?

    enum OutputFormat: String, ExpressibleByArgument, Sendable { case text, json }

    /// The nodes `--drain` names.
    var drainedNodes: [String] {
        drain.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    func validate() throws {
        if snapshot != nil {
            if scenario != nil { throw ValidationError("a scenario and --snapshot are exclusive: simulate a scenario, or forecast a drain of a snapshot") }
            if policy == nil { throw ValidationError("--snapshot needs --policy POLICY.yaml") }
            if drainedNodes.isEmpty { throw ValidationError("--snapshot needs --drain NODE (the nodes to drain)") }
        } else if policy != nil || !drain.isEmpty || timings != nil || cordonOnly || now != nil {
            throw ValidationError("--policy, --drain, --timings, --cordon-only and --now forecast a drain: they need --snapshot")
        }
        if let now, Time(rfc3339: now) == nil { throw ValidationError("--now must be an RFC 3339 time such as 2026-11-21T02:30:00Z") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        if insecureRegistry && registry == nil { throw ValidationError("--insecure-registry needs --registry") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        if let snapshot, let policy {
            try runWhatIf(snapshot: snapshot, policy: policy)
            return
        }
        let settings: SimulationSettings
        do { settings = try makeSettings() } catch let error as SimulationError {
            throw ValidationError(error.description)
        }
        let console = SimulationConsole(style: SimulationConsole.style(json: output == .json))
        let report: SimulationReport
        do {
            report = try await Simulation(settings: settings, events: { console.handle($0) }).run()
        } catch let error as SimulationError {
            FileHandle.standardError.write(Data("ms2m simulate: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        switch output {
        case .json: print(report.json())
        case .text: print(SimulationConsole.verdict(report), terminator: "")
        }
        if !report.success { throw ExitCode.failure }
    }

    /// The what-if drain: forecast, print, exit 1 when a drained node keeps pods.
    func runWhatIf(snapshot: String, policy: String) throws {
        let whatIf = WhatIfDrain(
            snapshotPath: snapshot, policyPath: policy, drain: drainedNodes, timingsPath: timings, evicts: !cordonOnly,
            now: now.flatMap(Time.init(rfc3339:)) ?? .now())
        let input = try whatIf.input()
        let timeline = DrainForecast.run(input)
        switch output {
        case .json: print(WhatIfDrain.json(timeline, input: input))
        case .text: print(WhatIfDrain.text(timeline, input: input), terminator: "")
        }
        if timeline.drainSeconds == nil { throw ExitCode.failure }
    }

    func makeSettings() throws -> SimulationSettings {
        var settings = SimulationSettings(scenario: try SimulationScenario.load(scenario))
        settings.rate = rate
        settings.warmup = warmup.map { .milliseconds(Int64($0 * 1000)) }
        settings.settle = settle.map { .milliseconds(Int64($0 * 1000)) }
        settings.manual = manual
        settings.amqpURL = amqpURL
        settings.registry = registry
        settings.insecureRegistry = insecureRegistry
        settings.crdDirectory = crds
        switch transferMode.lowercased() {
        case "job": settings.transferAgents = false
        case "agent": settings.transferAgents = true
        default: throw ValidationError("--transfer-mode must be job or agent, not \(transferMode)")
        }
        settings.logLevel = logLevel.flatMap(Logger.Level.init(rawValue:))
        return settings
    }
}
