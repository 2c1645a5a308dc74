import ArgumentParser
import Foundation
import Logging

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

    @Option(help: "The directory holding the CRDs (default: config/crd/bases of this package).")
    var crds: String?

    @Option(help: "text or json (one JSON document on standard output).")
    var output: OutputFormat = .text

    @Option(help: "Log every component at this level to standard error (trace, debug, info, notice, warning, error).")
    var logLevel: String?

    enum OutputFormat: String, ExpressibleByArgument, Sendable { case text, json }

    func validate() throws {
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number") }
        if insecureRegistry && registry == nil { throw ValidationError("--insecure-registry needs --registry") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
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
        settings.logLevel = logLevel.flatMap(Logger.Level.init(rawValue:))
        return settings
    }
}
