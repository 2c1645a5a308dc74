public import Logging

extension SimProgramBinding {
    /// The programs of the sample workload and its companions, for a cluster that runs the sample: the
    /// counter consumer (``SampleConsumerProgram``), its status-ledger sidecar (``SampleLedgerProgram``),
    /// run-to-completion init containers (``RunToCompletionProgram``: `ms2m-sample-init` and `busybox`
    /// images) and idle containers (``IdleProgram``).
    public static func samplePrograms(logger: Logger = Logger(label: "ms2m.sim.sample-consumer")) -> [SimProgramBinding] {
        [
            SimProgramBinding(SampleConsumerProgram.matcher, program: SampleConsumerProgram.program(logger: logger)),
            SimProgramBinding(SampleLedgerProgram.matcher, program: SampleLedgerProgram.program),
            SimProgramBinding(RunToCompletionProgram.matcher, program: RunToCompletionProgram.program),
            SimProgramBinding(RunToCompletionProgram.busyboxMatcher, program: RunToCompletionProgram.program),
            SimProgramBinding(IdleProgram.matcher, program: IdleProgram.program),
        ]
    }
}
