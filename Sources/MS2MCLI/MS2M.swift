import ArgumentParser

/// The `ms2m` command line (also usable as the kubectl plugin `kubectl-ms2m`).
@main
struct MS2M: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ms2m",
        abstract: "Live-migrate stateful pods between Kubernetes nodes (MS2M).",
        subcommands: [
            SimulateCommand.self, EmulatorCommand.self, BenchCommand.self, PlanCommand.self, MigrateCommand.self,
            StatusCommand.self, DrainCommand.self,
        ]
    )
}
