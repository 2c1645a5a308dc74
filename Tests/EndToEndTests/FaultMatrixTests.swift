import Foundation
import KubeModel
import MigrationAPI
import MigrationEngine
import OperatorAssembly
import OperatorCore
import SampleWorkload
import SimCluster
import TestSupport
import Testing

/// The fault matrix of issue 16: each fault × each strategy, against the simulated cluster with a real broker
/// and registry, while a producer publishes throughout. Every cell ends one of three ways, and says which:
/// - **completed**: the pod runs on a new node and has applied every message exactly once, including those
///   it counted before the checkpoint (its state is continuous);
/// - **failed, the source serves**: the source keeps running and has applied every message exactly once;
/// - **failed with the state retained, then resumed**: the source is gone, nothing runs the workload fresh,
///   the checkpoint image and the replay queue are kept and reported; resumed by the user once the fault is
///   gone, the migration completes as above.
/// and in every case nothing is left behind: no Job, no archive on the source node, no replay or journal queue,
/// no control queue of a pod that no longer exists, no checkpoint image in the registry.
@Suite("end to end: the fault matrix — every fault × every strategy keeps the state and every message", .serialized)
struct FaultMatrixTests {
    @Test("fault × strategy", arguments: FaultMatrixCell.selected)
    func cell(_ cell: FaultMatrixCell) async throws {
        try await EndToEnd.run { e in try await FaultMatrixRun(e, cell).run() }
    }
}

/// How a migration moves its pod.
enum MatrixStrategy: String, CaseIterable, Sendable {
    /// A bare pod: `<pod>-shadow` beside the running source.
    case shadowPod = "ShadowPod"
    /// One StatefulSet ordinal: the source goes first, the target takes its name.
    case sequential = "Sequential"
    /// One ReplicaSet (Deployment) replica: ShadowPod, then handed to the ReplicaSet.
    case replicaSetHandOff = "ReplicaSet"
}

/// What goes wrong, and when.
enum MatrixFault: Sendable, Hashable {
    /// The kubelet's checkpoint call fails.
    case checkpointError
    /// The transfer Job's container exits with an error.
    case transferJobFails
    /// The registry is down from Checkpointing until a moment into Transferring.
    case registryOutage
    /// Pulling the checkpoint image fails twice, then works.
    case imagePullTransient
    /// Pulling the checkpoint image always fails (on every node) until the fault is cleared.
    case imagePullPermanent
    /// The restored container exits at once, again and again, on the first target node.
    case targetCrashLoop
    /// The target node dies (NotReady, kubelet gone) while the target is being restored.
    case targetNodeNotReady
    /// The target node dies and its Node object is deleted while the target replays.
    case targetNodeDeleted
    /// RabbitMQ closes every connection while the target replays.
    case brokerConnectionsDropped
    /// The operator (in this process) is stopped abruptly in this phase; a new one finishes the migration.
    case operatorKilled(MigrationPhase)
    /// The `ms2m-operator` process gets SIGKILL in this phase; a new process finishes the migration.
    case operatorProcessKilled(MigrationPhase)

    static let all: [MatrixFault] = [
        .checkpointError, .transferJobFails, .registryOutage, .imagePullTransient, .imagePullPermanent, .targetCrashLoop,
        .targetNodeNotReady, .targetNodeDeleted, .brokerConnectionsDropped,
        .operatorKilled(.checkpointing), .operatorKilled(.transferring), .operatorKilled(.restoring),
        .operatorKilled(.replaying), .operatorKilled(.finalizing),
        .operatorProcessKilled(.restoring), .operatorProcessKilled(.finalizing),
    ]

    /// A short name for pod and queue names.
    var slug: String {
        switch self {
        case .checkpointError: "ckpt"
        case .transferJobFails: "job"
        case .registryOutage: "reg"
        case .imagePullTransient: "pull1"
        case .imagePullPermanent: "pull2"
        case .targetCrashLoop: "crash"
        case .targetNodeNotReady: "notready"
        case .targetNodeDeleted: "nodedel"
        case .brokerConnectionsDropped: "broker"
        case .operatorKilled(let phase): "kill\(phase.rawValue.prefix(4).lowercased())"
        case .operatorProcessKilled(let phase): "sigkill\(phase.rawValue.prefix(4).lowercased())"
        }
    }
}

/// How a cell must end.
enum MatrixOutcome: Sendable, Equatable {
    case completed
    case failedSourceServes(failedPhase: MigrationPhase)
    case retainedThenResumed
}

/// One cell of the matrix: a fault, a strategy, and the outcome the design promises for them.
struct FaultMatrixCell: Sendable, CustomTestStringConvertible {
    var fault: MatrixFault
    var strategy: MatrixStrategy

    static let all: [FaultMatrixCell] = MatrixFault.all.flatMap { fault in
        MatrixStrategy.allCases.map { FaultMatrixCell(fault: fault, strategy: $0) }
    }

    /// Every cell, or those whose description contains one of the comma-separated texts in
    /// `MS2M_FAULT_MATRIX_CELLS` (to run a few while working on them).
    static var selected: [FaultMatrixCell] {
        guard let filter = ProcessInfo.processInfo.environment["MS2M_FAULT_MATRIX_CELLS"], !filter.isEmpty else { return all }
        let texts = filter.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return all.filter { cell in texts.contains { cell.testDescription.contains($0) } }
    }

    var testDescription: String { "\(fault) × \(strategy.rawValue) → \(expected)" }

    /// Before the source is gone a failure rolls back to it; after (Sequential, from Restoring on) the
    /// restore is retried elsewhere, and only a fault on every node leaves the state retained.
    var expected: MatrixOutcome {
        let sourceRuns = strategy != .sequential
        switch fault {
        case .checkpointError: return .failedSourceServes(failedPhase: .checkpointing)
        case .transferJobFails: return .failedSourceServes(failedPhase: .transferring)
        case .registryOutage, .imagePullTransient, .brokerConnectionsDropped, .operatorKilled, .operatorProcessKilled:
            return .completed
        case .imagePullPermanent: return sourceRuns ? .failedSourceServes(failedPhase: .restoring) : .retainedThenResumed
        case .targetCrashLoop, .targetNodeNotReady: return sourceRuns ? .failedSourceServes(failedPhase: .restoring) : .completed
        case .targetNodeDeleted: return sourceRuns ? .failedSourceServes(failedPhase: .replaying) : .completed
        }
    }
}

/// The operator a cell started after killing the first one, to be stopped when the cell ends.
final class OperatorSlot: @unchecked Sendable {
    var running: EndToEnd.RunningOperator?
    var process: OperatorProcess?

    func stop() async {
        await running?.stop()
        await process?.stop()
    }
}

/// One cell, run.
struct FaultMatrixRun {
    let e: EndToEnd
    let cell: FaultMatrixCell
    /// Unique per cell: RabbitMQ is shared by every test of the process.
    let id: String

    init(_ e: EndToEnd, _ cell: FaultMatrixCell) {
        self.e = e
        self.cell = cell
        id = "\(cell.fault.slug)-\(cell.strategy.rawValue.prefix(3).lowercased())"
    }

    /// The workload's pod, queue and nodes.
    struct Workload {
        var source: String
        var target: String
        var queue: String
        var sourceNode: String
        var targetNode: String
        var spareNode: String
    }

    /// The engine settings of every cell: short restore patience and backoff, so waiting out a failure
    /// costs seconds.
    static func configure(_ options: inout OperatorOptions) {
        options.engine.restorePatience = .seconds(3)
        options.engine.restoreBackoff = .milliseconds(200)
    }

    /// Runs the cell with an operator running throughout — through the checks too, since a rollback goes on
    /// after `Failed` — except that a cell killing the operator starts its own (``migrate(_:_:)``).
    func run() async throws {
        var killed = false
        if case .operatorKilled = cell.fault { killed = true }
        if case .operatorProcessKilled = cell.fault { killed = true }
        let running = killed ? nil : e.startOperator(configure: Self.configure)
        let replacement = OperatorSlot()
        do {
            try await runCell(replacement: replacement)
        } catch {
            await running?.stop()
            await replacement.stop()
            throw error
        }
        await running?.stop()
        await replacement.stop()
    }

    private func runCell(replacement: OperatorSlot) async throws {
        let workload = try await createWorkload()
        var spec = e.migrationSpec(source: workload.source, target: workload.targetNode, queue: workload.queue)
        spec.restore = RestorePolicy(maxAttempts: 2, deadlineSeconds: 60)
        spec.phaseTimeouts = PhaseTimeouts(transferring: 30)
        let finalPod = cell.expected == .completed ? workload.target : workload.source
        // A slow consumer (12 ms a message, at 50 messages a second) makes the replay last long enough for a
        // fault to land in it.
        let (migration, produced) = try await e.withTraffic(queue: workload.queue, rate: 50, finalPod: finalPod, idPrefix: id) {
            try await migrate(spec, workload, replacement: replacement)
        }
        #expect(produced > 0)
        let reason = "\(migration.status?.failureReason ?? ""): \(migration.status?.failureMessage ?? "")"
        switch cell.expected {
        case .completed, .retainedThenResumed:
            #expect(migration.status?.phase == .completed, "\(reason)")
            let moved = try await e.pod(workload.target)
            #expect(moved?.spec?.nodeName != workload.sourceNode, "the pod moved")
            #expect(moved?.spec?.nodeName == migration.status?.targetNode)
        case .failedSourceServes(let failedPhase):
            #expect(migration.status?.phase == .failed)
            #expect(migration.status?.failedPhase == failedPhase, "\(reason)")
            let source = try await e.pod(workload.source)
            #expect(source?.spec?.nodeName == workload.sourceNode && source?.metadata.deletionTimestamp == nil, "the source keeps serving")
            #expect(source?.status?.containerStatuses?.first?.restartCount == 0)
        }
        try await expectNothingLeft(workload, migration: migration)
        print("fault matrix \(cell.testDescription): \(migration.status?.phase?.rawValue ?? "-") produced=\(produced) timings=\(migration.status?.phaseTimings ?? [:]) restore=\(migration.status?.restore.map { "attempts \($0.attempts ?? 0) failed on \($0.failedNodes ?? [])" } ?? "-") replay=\(migration.status?.replay.map { "depth \($0.initialDepth ?? 0) rebuilds \($0.rebuilds ?? 0)" } ?? "-")")
    }

    // MARK: Workload

    /// The sample consumer made slow: 12 ms a message, one message in flight (so the replay queue's depth
    /// falls as the consumer works, not at once by a prefetch).
    private func slowConsumer(_ container: Container) -> Container {
        var container = container
        let variables = CounterConsumerConfiguration.EnvironmentVariable.self
        container.env = (container.env ?? []).filter { $0.name != variables.prefetch } + [
            EnvVar(name: variables.applyDelayMilliseconds, value: "12"), EnvVar(name: variables.prefetch, value: "1"),
        ]
        return container
    }

    private func createWorkload() async throws -> Workload {
        let nodes = ["node-a", "node-b", "node-c"]
        let source: String
        let queue: String
        let target: String
        switch cell.strategy {
        case .shadowPod:
            source = "c-\(id)"
            queue = "q-\(id)"
            target = "\(source)-shadow"
            var spec = PodSpec(containers: [slowConsumer(e.consumerContainer(queue: queue))])
            spec.nodeName = "node-a"
            _ = try await e.client.create(Pod(metadata: ObjectMeta(name: source, namespace: "default", labels: ["app": source]), spec: spec), namespace: "default", options: WriteOptions())
        case .sequential:
            let name = "s-\(id)"
            var podSpec = PodSpec(containers: [slowConsumer(e.consumerContainer(queue: nil))])
            podSpec.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [
                NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "kubernetes.io/hostname", operator: .in, values: nodes)])
            ])))
            var spec = StatefulSetSpec(selector: LabelSelector(matchLabels: ["app": name]), template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: podSpec))
            spec.replicas = 1
            spec.serviceName = name
            _ = try await e.client.create(StatefulSet(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
            source = "\(name)-0"
            queue = source
            target = source
        case .replicaSetHandOff:
            let app = "r-\(id)"
            var podSpec = PodSpec(containers: [slowConsumer(e.consumerContainer(queue: nil))])
            podSpec.affinity = Affinity(nodeAffinity: NodeAffinity(requiredDuringSchedulingIgnoredDuringExecution: NodeSelector(nodeSelectorTerms: [
                NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "kubernetes.io/hostname", operator: .in, values: nodes)])
            ])))
            let labels = ["app": app, "pod-template-hash": "5d8c7b9f4"]
            let spec = ReplicaSetSpec(replicas: 1, selector: LabelSelector(matchLabels: labels), template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: podSpec))
            let set = try await e.client.create(ReplicaSet(metadata: ObjectMeta(name: "\(app)-5d8c7b9f4", namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
            var found: String?
            try await e.waitUntil("the ReplicaSet's pod") {
                found = try await e.pods(of: set).first?.metadata.name
                return found != nil
            }
            source = try #require(found)
            queue = source
            target = "\(source)-shadow"
        }
        try await e.waitForRunning(source)
        let sourceNode = try #require(try await e.pod(source)?.spec?.nodeName)
        let others = nodes.filter { $0 != sourceNode }
        return Workload(source: source, target: target, queue: queue, sourceNode: sourceNode, targetNode: others[0], spareNode: others[1])
    }

    // MARK: Faults

    private func phase() async throws -> MigrationPhase? {
        try await e.migration("move").status?.phase
    }

    /// Waits (polling every 10 ms) until the migration is in `wanted`; fails the cell if it ends first or
    /// passes it, so a fault never silently misses its phase.
    private func waitForPhase(_ wanted: MigrationPhase, timeout: Duration = .seconds(60)) async throws {
        let order: [MigrationPhase] = [.pending, .checkpointing, .transferring, .restoring, .replaying, .finalizing, .completed, .failed]
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = try await phase() ?? .pending
            if current == wanted { return }
            if (order.firstIndex(of: current) ?? 0) > (order.firstIndex(of: wanted) ?? 0) {
                Issue.record("the migration passed \(wanted.rawValue) (now \(current.rawValue)) before the fault was injected")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting for phase \(wanted.rawValue)")
        throw CancellationError()
    }

    private func create(_ spec: StatefulMigrationSpec) async throws {
        _ = try await e.client.create(StatefulMigration(metadata: ObjectMeta(name: "move", namespace: "default"), spec: spec), namespace: "default", options: WriteOptions())
    }

    /// Runs the migration with the cell's fault injected; returns it once final (resumed first when its state
    /// was retained).
    private func migrate(
        _ spec: StatefulMigrationSpec, _ workload: Workload, replacement: OperatorSlot
    ) async throws -> StatefulMigration {
        let faults = e.cluster.faults
        switch cell.fault {
        case .checkpointError:
            faults.failCheckpoints(pod: workload.source)
        case .transferJobFails:
            // Only the transfer: the cleanup Job of the rollback (same image) must run.
            faults.failStarts(SimFaults.StartFault(image: .imageContains("checkpoint-transfer"), failure: .exitWithError, times: 1))
        case .imagePullTransient:
            faults.failStarts(SimFaults.StartFault(checkpointImagesOnly: true, failure: .imagePull(message: "registry unavailable"), times: 2))
        case .imagePullPermanent:
            faults.failStarts(SimFaults.StartFault(checkpointImagesOnly: true, failure: .imagePull(message: "manifest unknown")))
        case .targetCrashLoop:
            faults.failStarts(SimFaults.StartFault(node: workload.targetNode, checkpointImagesOnly: true, failure: .exitWithError))
        case .targetNodeNotReady:
            // Keeps the target waiting in Restoring (a failure the kubelet retries) until its node dies.
            faults.failStarts(SimFaults.StartFault(node: workload.targetNode, checkpointImagesOnly: true, failure: .createContainerError(message: "slow storage")))
        case .operatorKilled(.checkpointing), .operatorProcessKilled(.checkpointing):
            // The sample consumer checkpoints in ~30 ms, less than the 50 ms the phase is polled at, so the kill
            // could miss the phase; a kubelet that takes 400 ms (CRIU takes seconds on real workloads) keeps the
            // migration in Checkpointing long enough to kill the operator there.
            faults.setKubeletDelay(.milliseconds(400))
        case .registryOutage, .targetNodeDeleted, .brokerConnectionsDropped, .operatorKilled, .operatorProcessKilled:
            break
        }

        if case .operatorProcessKilled(let phase) = cell.fault {
            try await create(spec)
            let first = try OperatorProcess(e)
            do {
                try await waitForPhase(phase)
            } catch {
                Issue.record("the operator's log: \(first.logTail)")
                await first.kill()
                throw error
            }
            await first.kill()
            try await Task.sleep(for: .milliseconds(300))
            let second = try OperatorProcess(e)
            replacement.process = second
            do {
                return try await e.waitForFinal("move")
            } catch {
                Issue.record("the second operator's log: \(second.logTail)")
                throw error
            }
        }

        if case .operatorKilled(let phase) = cell.fault {
            try await create(spec)
            try await e.runOperatorKilled(configure: Self.configure, when: "phase \(phase.rawValue)") {
                let current = try await self.phase()
                if current == phase { return true }
                #expect(current?.isFinal != true, "the migration finished before the operator could be killed in \(phase.rawValue)")
                return current?.isFinal == true
            }
            // The operator is gone; the world goes on; a new one resumes from the status.
            try await Task.sleep(for: .milliseconds(300))
            replacement.running = e.startOperator(configure: Self.configure)
            return try await e.waitForFinal("move")
        }

        try await create(spec)
        do {
            switch cell.fault {
            case .registryOutage:
                try await waitForPhase(.checkpointing)
                e.registry.pause()
                try await waitForPhase(.transferring)
                try await Task.sleep(for: .milliseconds(1500))
                try await e.registry.resume()
            case .targetNodeNotReady:
                try await e.waitUntil("the target waiting on \(workload.targetNode)") {
                    let target = try await e.pod(workload.target)
                    return target?.spec?.nodeName == workload.targetNode
                        && target?.metadata.labels?[RestoredPodOrigin.migrationLabel] == "move"
                        && target?.status?.containerStatuses?.first?.state?.waiting?.reason == "CreateContainerError"
                }
                #expect(try await phase() == .restoring)
                try await e.cluster.loseNode(workload.targetNode)
            case .targetNodeDeleted:
                try await waitForPhase(.replaying)
                try await e.cluster.loseNode(workload.targetNode)
                _ = try await e.client.delete(Node.self, name: workload.targetNode, namespace: nil, options: DeleteOptions())
            case .brokerConnectionsDropped:
                try await waitForPhase(.replaying)
                _ = try await RabbitMQTestServer.shared.rabbitmqctl(["close_all_connections", "ms2m fault matrix"])
            default:
                break
            }
            var final = try await e.waitForFinal("move")
            if cell.expected == .retainedThenResumed {
                // The rollback after Failed retains the state: the condition says when it is done.
                try await e.waitUntil("the state to be retained") {
                    final = try await e.migration("move")
                    return final.status?.conditions?.contains { $0.type == MigrationConditionType.stateRetained } == true
                }
                try await expectStateRetained(final, workload)
                faults.clear()
                _ = try await e.client.patch(StatefulMigration.self, name: "move", namespace: "default", patch: .merge(["metadata": ["annotations": .object([
                    RecoveryAnnotation.action: .string(RecoveryAnnotation.resume),
                    RecoveryAnnotation.targetNode: .string(workload.spareNode),
                ])]]), subresource: nil, options: WriteOptions())
                try await e.waitUntil("the resumed migration to complete", timeout: .seconds(60)) {
                    final = try await e.migration("move")
                    return final.status?.phase == .completed
                }
            }
            return final
        }
    }

    // MARK: Checks

    /// A failure after the source is gone: nothing runs the workload fresh, and the state is kept and reported.
    private func expectStateRetained(_ migration: StatefulMigration, _ workload: Workload) async throws {
        #expect(migration.status?.phase == .failed)
        let retained = migration.status?.conditions?.first { $0.type == MigrationConditionType.stateRetained }
        #expect(retained?.status == .true, "\(migration.status?.conditions ?? [])")
        #expect(migration.status?.retainedState?.image?.contains("@sha256:") == true, "the image is reported with its digest")
        let replayQueue = MigrationControlMessage.replayQueue(forPrimaryQueue: workload.queue)
        #expect(migration.status?.retainedState?.replayQueue == replayQueue)
        let depth = try await e.brokers.broker(url: e.brokerURL, credentials: nil).queueStatus(replayQueue)?.messageCount
        #expect((depth ?? 0) > 0, "the replay queue keeps what arrived since the checkpoint")
        #expect(try await e.pod(workload.source) == nil, "nothing runs the ordinal fresh")
        #expect(try await e.client.list(StatefulSet.self, namespace: "default", options: ListOptions()).items.isEmpty, "the StatefulSet stays away")
    }

    /// Nothing the migration made is left once its rollback or finalizer is done.
    private func expectNothingLeft(_ workload: Workload, migration: StatefulMigration) async throws {
        try await e.waitUntil("the migration's cleanup to finish", timeout: .seconds(60)) {
            try await e.migration("move").metadata.finalizers ?? [] == []
        }
        #expect(try await e.client.list(Job.self, namespace: "default", options: ListOptions()).items.map(\.metadata.name).isEmpty)
        #expect(e.checkpointArchives(on: workload.sourceNode).isEmpty, "archives left on \(workload.sourceNode)")
        let broker = try await e.brokers.broker(url: e.brokerURL, credentials: nil)
        for queue in [MigrationControlMessage.replayQueue(forPrimaryQueue: workload.queue), MigrationControlMessage.journalQueue(forPrimaryQueue: workload.queue)] {
            #expect(try await broker.queueStatus(queue) == nil, "\(queue) left")
        }
        for pod in Set([workload.source, workload.target]) {
            let existing = try await e.pod(pod)
            if existing == nil || existing?.metadata.deletionTimestamp != nil {
                #expect(try await broker.queueStatus(MigrationControlMessage.controlQueue(forPod: pod)) == nil, "the control queue of \(pod), which is gone, is left")
            }
        }
        if case .failedSourceServes = cell.expected, workload.target != workload.source {
            let target = try await e.pod(workload.target)
            #expect(target == nil || target?.metadata.deletionTimestamp != nil, "the target is removed")
        }
        if let image = migration.status?.checkpointImage, image.contains("@") {
            #expect(try await manifestExists(image) == false, "the checkpoint image \(image) is left in the registry")
        }
    }

    /// Whether the registry still serves the manifest `reference` (`host/repository@digest`) names.
    private func manifestExists(_ reference: String) async throws -> Bool {
        let withoutHost = reference.dropFirst(e.registry.host.count + 1)
        guard let at = withoutHost.firstIndex(of: "@") else { return false }
        let repository = withoutHost[..<at]
        let digest = withoutHost[withoutHost.index(after: at)...]
        let result = try await ProcessRunner.run("/usr/bin/curl", [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-I",
            "-H", "Accept: application/vnd.oci.image.manifest.v1+json",
            "http://\(e.registry.host)/v2/\(repository)/manifests/\(digest)",
        ])
        return result.output == "200"
    }
}
