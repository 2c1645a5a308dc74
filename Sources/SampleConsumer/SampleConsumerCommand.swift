import ArgumentParser

/// The `ms2m-sample-consumer` command: `consume` (the default), `produce`, or `ledger` (the stateful sidecar). The executable's entry point.
@main
struct SampleConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ms2m-sample-consumer",
        abstract:
            "The MS2M sample stateful workload: a message counter that follows MS2M replay control messages.",
        discussion:
            "See docs/sample-workload.md for the environment, the control-queue contract and manifests.",
        subcommands: [ConsumeCommand.self, ProduceCommand.self, LedgerCommand.self],
        defaultSubcommand: ConsumeCommand.self)
}
