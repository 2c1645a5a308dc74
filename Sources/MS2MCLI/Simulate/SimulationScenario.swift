import Foundation
import KubeClient
import KubeModel
import SimCluster
import YAMLCodec

/// A scenario of `ms2m simulate`: a ``SimScenario`` (nodes, workloads with their producers, faults) plus the
/// `simulation:` section saying which node to drain and how long to run. The same YAML is decoded twice, once
/// as each type; each ignores the other's keys.
struct SimulationScenario: Sendable {
    /// The `simulation:` section.
    struct Run: Codable, Sendable, Hashable {
        /// The node cordoned once the workloads run.
        var drainNode: String?
        /// Seconds of production before the drain.
        var warmupSeconds: Double?
        /// Seconds of production after the last migration ended.
        var settleSeconds: Double?
        /// Longest wait for the migrations, and again for the consumers to apply every message.
        var timeoutSeconds: Double?
        /// How the node is emptied: by cordoning it (the default) or as `kubectl drain` does it.
        var drain: Drain?
        /// Stateless Deployments beside the stateful workloads (no policy covers them: a drain evicts them).
        var deployments: [Deployment]?
        /// What a fault scenario expects; the run succeeds (exit 0) when the outcome matches.
        var expect: Expectation?
        /// Lose the target node of the first migration that reaches a phase (a machine that dies).
        var loseTargetNode: NodeLoss?
    }

    /// The node a migration restores onto dies while the migration is in `phase`.
    struct NodeLoss: Codable, Sendable, Hashable {
        /// `Restoring`, `Replaying` (once START_REPLAY was sent) or `Finalizing`.
        var phase: String
    }

    /// The outcome a scenario expects. Whatever it expects, no message may be lost and nothing may be left
    /// behind.
    struct Expectation: Codable, Sendable, Hashable {
        /// `Completed` (the default): every migration completes. `Failed`: every migration fails (and the
        /// pods keep serving where they were).
        var migrations: String?
        /// The fewest restore attempts each migration must have made (a restore fault that forces retries).
        var minRestoreAttempts: Int?
    }

    /// How the node is emptied.
    struct Drain: Codable, Sendable, Hashable {
        /// `cordon` (default): `kubectl cordon`, the policy's cordon trigger starts the migrations. `kubectl`:
        /// `kubectl drain` — cordon, then every pod evicted through the Eviction API with kubectl's retries;
        /// the operator's eviction webhook turns evictions of covered pods into live migrations.
        var mode: String?
        /// The drain's `--timeout` (default: the scenario's timeout).
        var timeoutSeconds: Double?
        /// Seconds between retries of a refused eviction (kubectl: 5).
        var retrySeconds: Double?
        /// Whether the policy's cordon trigger is on (default true). With false, only the evictions start
        /// migrations.
        var cordonTrigger: Bool?
    }

    /// A Deployment of idle containers (image `pause`), optionally guarded by a PodDisruptionBudget.
    struct Deployment: Codable, Sendable, Hashable {
        var name: String
        var replicas: Int?
        /// The PodDisruptionBudget's `minAvailable`; none when absent.
        var minAvailable: Int?
    }

    private struct Envelope: Codable { var simulation: Run? }

    /// The cluster, workloads and faults.
    var cluster: SimScenario
    /// The drain and the timing.
    var run: Run
    /// Where the scenario came from (a path, or `default`).
    var source: String

    /// The placeholder in `producer.queue` standing for each replica's pod name.
    static let podNamePlaceholder = "$(POD_NAME)"

    /// Decodes and checks a scenario.
    init(yaml: String, source: String) throws {
        cluster = try SimScenario.load(yaml: yaml)
        run = try YAML.decode(Envelope.self, from: yaml).simulation ?? Run()
        self.source = source
        try validate()
    }

    /// The embedded default scenario (``defaultYAML``).
    static func builtIn() throws -> SimulationScenario { try SimulationScenario(yaml: defaultYAML, source: "default") }

    /// Loads `path`, or the embedded default when `path` is nil or `default`.
    static func load(_ path: String?) throws -> SimulationScenario {
        guard let path, path != "default" else { return try builtIn() }
        let text: String
        do { text = try TextFile.read(path) } catch {
            throw SimulationError.setup("the scenario: \(error)")
        }
        do { return try SimulationScenario(yaml: text, source: path) } catch let error as SimulationError { throw error } catch {
            throw SimulationError.setup("the scenario \(path) is not valid: \(error)")
        }
    }

    /// The node drained: `simulation.drainNode`, else the first node.
    var drainNode: String { run.drainNode ?? cluster.nodes.first?.name ?? "" }
    var warmup: Duration { .seconds(run.warmupSeconds ?? 2) }
    var settle: Duration { .seconds(run.settleSeconds ?? 2) }
    var timeout: Duration { .seconds(run.timeoutSeconds ?? 180) }
    /// Whether the node is emptied as `kubectl drain` does.
    var drainsWithEvictions: Bool { run.drain?.mode == "kubectl" }

    /// Whether the scenario expects its migrations to fail.
    var expectsFailure: Bool { run.expect?.migrations == "Failed" }

    private func validate() throws {
        if let migrations = run.expect?.migrations, !["Completed", "Failed"].contains(migrations) {
            throw SimulationError.setup("simulation.expect.migrations must be Completed or Failed, not \(migrations)")
        }
        if let phase = run.loseTargetNode?.phase, !["Restoring", "Replaying", "Finalizing"].contains(phase) {
            throw SimulationError.setup("simulation.loseTargetNode.phase must be Restoring, Replaying or Finalizing, not \(phase)")
        }
        if let attempts = run.expect?.minRestoreAttempts, attempts < 1 {
            throw SimulationError.setup("simulation.expect.minRestoreAttempts must be at least 1")
        }
        for (index, fault) in (cluster.faults?.startFailures ?? []).enumerated() {
            let field = "faults.startFailures[\(index)]"
            if let failure = fault.failure, !["CreateContainerError", "ErrImagePull", "ExitWithError"].contains(failure) {
                throw SimulationError.setup("\(field).failure must be CreateContainerError, ErrImagePull or ExitWithError, not \(failure)")
            }
            if let times = fault.times, times < 1 { throw SimulationError.setup("\(field).times must be at least 1") }
            if let seconds = fault.forSeconds, !(seconds > 0) { throw SimulationError.setup("\(field).forSeconds must be positive") }
            if fault.image == nil, fault.node == nil, fault.checkpointImages != true {
                throw SimulationError.setup("\(field) matches every container: name an image, a node, or checkpointImages: true")
            }
        }
        if let mode = run.drain?.mode, !["cordon", "kubectl"].contains(mode) {
            throw SimulationError.setup("simulation.drain.mode must be cordon or kubectl, not \(mode)")
        }
        if let retry = run.drain?.retrySeconds, !(retry > 0) {
            throw SimulationError.setup("simulation.drain.retrySeconds must be positive")
        }
        for deployment in run.deployments ?? [] {
            guard (deployment.replicas ?? 1) >= 1 else {
                throw SimulationError.setup("deployment \(deployment.name): replicas must be at least 1")
            }
            if let minimum = deployment.minAvailable, minimum < 0 || minimum > (deployment.replicas ?? 1) {
                throw SimulationError.setup("deployment \(deployment.name): minAvailable must be 0 to its replicas")
            }
        }
        guard cluster.nodes.count >= 2 else { throw SimulationError.setup("a scenario needs at least two nodes (one to drain, one to move to)") }
        let names = Set(cluster.nodes.map(\.name))
        guard names.contains(drainNode) else { throw SimulationError.setup("simulation.drainNode \(drainNode) is not one of the scenario's nodes") }
        guard let workloads = cluster.workloads, !workloads.isEmpty else { throw SimulationError.setup("a scenario needs a workload") }
        for workload in workloads {
            guard SampleConsumerProgram.matcher.matches(workload.image) else {
                throw SimulationError.setup("workload \(workload.name): image \(workload.image) is not the sample consumer (its repository must end in ms2m-sample-consumer)")
            }
            if let namespace = workload.namespace, namespace != Simulation.namespace {
                throw SimulationError.setup("workload \(workload.name): only namespace \(Simulation.namespace) is simulated")
            }
            guard let producer = workload.producer else { throw SimulationError.setup("workload \(workload.name) has no producer") }
            guard producer.queue.contains(Self.podNamePlaceholder) else {
                throw SimulationError.setup("workload \(workload.name): producer.queue must contain \(Self.podNamePlaceholder) (one queue per replica)")
            }
            guard producer.ratePerSecond > 0 else { throw SimulationError.setup("workload \(workload.name): producer.ratePerSecond must be positive") }
            if let sidecar = workload.sidecar, !SampleLedgerProgram.matcher.matches(sidecar.image) {
                throw SimulationError.setup("workload \(workload.name): sidecar image \(sidecar.image) is not the sample status ledger (its repository must end in ms2m-sample-ledger)")
            }
            if let initContainer = workload.initContainer,
                !RunToCompletionProgram.matcher.matches(initContainer.image) && !RunToCompletionProgram.busyboxMatcher.matches(initContainer.image)
            {
                throw SimulationError.setup("workload \(workload.name): initContainer image \(initContainer.image) is not one the simulation runs to completion (ms2m-sample-init or busybox)")
            }
            let names = [Simulation.containerName, workload.sidecar.map { $0.name ?? Simulation.sidecarName }, workload.initContainer.map { $0.name ?? Simulation.initName }].compactMap { $0 }
            guard Set(names).count == names.count else {
                throw SimulationError.setup("workload \(workload.name): its containers need distinct names (\(names.joined(separator: ", ")))")
            }
        }
    }

    /// The embedded default scenario; `scenarios/default.yaml` holds the same text.
    static let defaultYAML = #"""
# The default `ms2m simulate` scenario, embedded in the ms2m binary (SimulationScenario.defaultYAML mirrors
# this file; a test keeps them equal). Three CRI-O nodes, the sample consumer as a StatefulSet of three
# replicas (each replica its own queue, named after its pod), a producer per replica, and node-a drained.
nodes:
  - name: node-a
  - name: node-b
  - name: node-c
workloads:
  - name: ms2m-sample-consumer
    image: registry.local/ms2m/ms2m-sample-consumer:1
    replicas: 3
    producer:
      # $(POD_NAME): one queue per replica, named after the pod (exchange `<queue>.fanout`).
      queue: $(POD_NAME)
      ratePerSecond: 50
simulation:
  # The node cordoned once the workload runs; the pods on it are live-migrated away.
  drainNode: node-a
  # Seconds of production before the drain starts and after the last migration ended.
  warmupSeconds: 2
  settleSeconds: 2
  # Longest wait for the migrations, and then for the consumers to catch up.
  timeoutSeconds: 180
"""#
}
