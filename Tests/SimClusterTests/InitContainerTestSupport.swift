import Foundation
import KubeModel
@testable import SimCluster
import Synchronization

/// What the containers of one test did, in order: `launch:<container>`, `terminate:<container>` (SIGTERM
/// received) and `exit:<container>` (the process returned).
final class ContainerEventLog: Sendable {
    private let events = Mutex<[String]>([])

    func record(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }

    /// The position of `event` in the log, if it happened.
    func index(of event: String) -> Int? { all.firstIndex(of: event) }

    /// `program` with its launches, SIGTERMs and exits recorded here.
    func recording(_ program: @escaping SimulatedProgram) -> SimulatedProgram {
        { [self] launch in
            let process = try await program(launch)
            self.record("launch:\(launch.containerName)")
            return RecordingProcess(wrapped: process, container: launch.containerName, log: self)
        }
    }
}

/// A process whose SIGTERM and exit are written to a ``ContainerEventLog``.
final class RecordingProcess: SimulatedProcess {
    let wrapped: any SimulatedProcess
    let container: String
    let log: ContainerEventLog

    init(wrapped: any SimulatedProcess, container: String, log: ContainerEventLog) {
        self.wrapped = wrapped
        self.container = container
        self.log = log
    }

    func run() async -> Int32 {
        let code = await wrapped.run()
        log.record("exit:\(container)")
        return code
    }

    func terminate() async {
        log.record("terminate:\(container)")
        await wrapped.terminate()
    }

    func checkpoint() async throws -> [UInt8] { try await wrapped.checkpoint() }
    func isReady() async -> Bool { await wrapped.isReady() }
}

/// Readiness the test switches: processes of the `gated` image run idle and are ready only while the gate
/// is open.
final class ReadinessGate: Sendable {
    private let open = Mutex(false)

    func setOpen(_ isOpen: Bool) { open.withLock { $0 = isOpen } }
    var isOpen: Bool { open.withLock { $0 } }

    static let image = "registry.local:5000/ms2m/gated:v1"

    /// The program for `gated` images, launches and exits recorded in `log`.
    func program(log: ContainerEventLog) -> SimProgramBinding {
        SimProgramBinding(.repository("gated"), program: log.recording { [self] _ in GatedProcess(gate: self) })
    }
}

/// An idle process whose readiness is its gate's.
final class GatedProcess: SimulatedProcess {
    let gate: ReadinessGate
    private let idle = IdleProcess()

    init(gate: ReadinessGate) { self.gate = gate }

    func run() async -> Int32 { await idle.run() }
    func terminate() async { await idle.terminate() }
    func checkpoint() async throws -> [UInt8] { Array("gated".utf8) }
    func isReady() async -> Bool { gate.isOpen }
}

extension SimClusterHarness {
    static let initImage = "registry.local:5000/ms2m/ms2m-sample-init:v1"

    /// The harness's programs plus recorded run-to-completion init images and the `gated` image.
    static func withInitPrograms(log: ContainerEventLog, gate: ReadinessGate) -> (inout SimClusterConfiguration) -> Void {
        { configuration in
            configuration.programs = configuration.programs.map { binding in
                SimProgramBinding(binding.matcher, program: log.recording(binding.program))
            } + [
                SimProgramBinding(RunToCompletionProgram.matcher, program: log.recording(RunToCompletionProgram.program)),
                gate.program(log: log),
            ]
        }
    }
}
