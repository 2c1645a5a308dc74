import Foundation
import KubeModel
import MigrationAPI
@testable import MigrationEngine
import OperatorCore
import Testing

@Suite("engine: ShadowPod migration end to end (emulator, in-process broker)", .serialized)
struct ShadowPodFlowTests {
    @Test("Pending → Completed: every message published during the migration reaches the target once")
    func completesWithoutLoss() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            try await h.addRunningPod("app-0", node: "node-a")
            try await h.setUpBroker()
            try await h.publish(1...5)  // consumed by the source before the migration (we drop them here)
            try await h.broker.deleteQueue("orders")
            try await h.broker.declareQueue("orders", durable: true)
            try await h.broker.bindQueue("orders", exchange: "orders.fanout")
            try await h.broker.declareQueue("ms2m.control.app-0", durable: true)  // as the source's consumer does
            try await h.createMigration(spec: h.spec())

            // Pending and Checkpointing run in one pass and stop waiting for the Job.
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.phase == .transferring)
            #expect(m.metadata.finalizers == [MigrationNames.finalizer])
            #expect(m.status?.sourceNode == "node-a")
            #expect(m.status?.targetNode == "node-b")
            #expect(m.status?.strategy == .shadowPod)
            #expect(m.status?.targetPod == "app-0-shadow")
            #expect(m.status?.checkpointID?.hasPrefix("/var/lib/kubelet/checkpoints/checkpoint-app-0_default-app-") == true)
            #expect(h.kubelet.calls.current == [FakeKubelet.Call(node: "node-a", namespace: "default", pod: "app-0", container: "app")])
            #expect(h.broker.bindings(of: "orders.ms2m-replay").map(\.exchange) == ["orders.fanout"])

            // Messages published after the checkpoint are captured in the replay queue.
            try await h.publish(6...25)
            #expect(try await h.broker.queueStatus("orders.ms2m-replay")?.messageCount == 20)

            // Re-running the pass changes nothing (one Job, one checkpoint).
            try await h.reconcile()
            #expect(h.kubelet.calls.current.count == 1)
            let job = try await h.client.get(Job.self, name: "move-transfer", namespace: "default")
            #expect(job.spec?.template.spec?.nodeName == "node-a")
            let args = job.spec?.template.spec?.containers.first?.args ?? []
            #expect(args.contains("--remove-archive"))
            #expect(args.contains("registry.example.com/checkpoints:\(MigrationNames.imageTag(for: m))"))

            try await h.completeTransferJob(for: m)
            try await h.reconcile()
            m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.checkpointImage == "registry.example.com/checkpoints@sha256:" + String(repeating: "ab", count: 32))
            var target = try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")
            #expect(target.spec?.nodeName == "node-b")
            #expect(target.spec?.containers.first?.image == m.status?.checkpointImage)
            #expect(target.spec?.containers.first?.command == nil)
            #expect(target.spec?.containers.first?.env == nil)
            #expect(target.metadata.labels?["app"] == "counter")

            // The target becomes ready; replay starts; the consumer drains the replay queue.
            let consumer = ReplayConsumer()
            consumer.start(broker: h.broker, pod: "app-0-shadow", primary: "orders")
            target = try await h.markRunning(target)
            try await h.reconcile()
            #expect(try await h.phase() == .replaying)
            try await h.publish(26...40)  // still arriving during replay
            for _ in 0..<200 where try await h.phase() == .replaying {
                try await h.reconcile()
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await h.phase() == .finalizing)
            // Finalizing deletes the source first.
            try await h.reconcile()
            #expect((try? await h.client.get(Pod.self, name: "app-0", namespace: "default")) == nil)
            try await h.publish(41...50)  // after the source stopped: only in the primary queue after the unbind
            for _ in 0..<200 where try await h.phase() == .finalizing {
                try await h.reconcile()
                try await Task.sleep(for: .milliseconds(20))
            }
            m = try await h.migration()
            #expect(m.status?.phase == .completed)
            #expect(m.metadata.finalizers ?? [] == [])
            for _ in 0..<200 where consumer.applied.current.count < 45 { try await Task.sleep(for: .milliseconds(10)) }
            consumer.stop()
            let applied = Set(consumer.applied.current)
            #expect(applied == Set((6...50).map { "m-\($0)" }), "lost: \(Set((6...50).map { "m-\($0)" }).subtracting(applied).sorted())")
            #expect(consumer.applied.current.count == applied.count)
            // Nothing left behind.
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
            #expect(try await h.broker.queueStatus("ms2m.control.app-0") == nil, "the gone source's control queue")
            #expect(try await h.broker.queueStatus("ms2m.control.app-0-shadow") != nil, "the target's control queue")
            #expect((try? await h.client.get(Job.self, name: "move-transfer", namespace: "default")) == nil)
            #expect(h.images.deleted.current == [m.status?.checkpointImage ?? ""])
            #expect(m.status?.phaseTimings?.keys.sorted() == ["Checkpointing", "Finalizing", "Pending", "Replaying", "Restoring", "Transferring"])
            #expect(m.status?.replay?.initialDepth == 35 || (m.status?.replay?.initialDepth ?? 0) >= 20)
            #expect(m.status?.conditions?.isTrue("Ready") == true)
            let exposition = h.metrics.exposition()
            #expect(exposition.contains(#"ms2m_migrations_finished_total{result="Completed"} 1"#))
            #expect(exposition.contains(#"ms2m_migration_phase_duration_seconds_count{phase="Replaying"} 1"#))
        }
    }

    @Test("a failed transfer rolls back: the source keeps running, nothing is left")
    func transferFailureRollsBack() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            let source = try await h.addRunningPod("app-0", node: "node-a")
            try await h.setUpBroker()
            try await h.createMigration(spec: h.spec())
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.checkpointRequestTime != nil)
            let transfer = try await h.client.get(Job.self, name: "move-transfer", namespace: "default")
            let transferArgs = transfer.spec?.template.spec?.containers.first?.args ?? []
            #expect(transferArgs.contains("--remove-stale-since") && transferArgs.contains("--remove-archive"))
            try await h.completeTransferJob(for: m, succeed: false)
            // The rollback removes the failed transfer's archive with a --remove-only Job on the source node.
            await #expect(throws: (any Error).self) { try await h.reconcile() }
            let cleanup = try await h.client.get(Job.self, name: "move-cleanup", namespace: "default")
            #expect(cleanup.spec?.template.spec?.nodeName == "node-a")
            let args = cleanup.spec?.template.spec?.containers.first?.args ?? []
            #expect(args.starts(with: ["--remove-only"]))
            #expect(args.contains(m.status?.checkpointID ?? "?"))
            #expect(args.contains("--remove-stale-since"))
            try await h.completeJob("move-cleanup")
            try await h.reconcile()
            let failed = try await h.migration()
            #expect((try? await h.client.get(Job.self, name: "move-cleanup", namespace: "default")) == nil)
            #expect(failed.status?.phase == .failed)
            #expect(failed.status?.failureReason == "TransferFailed")
            #expect(failed.status?.failureMessage?.contains("registry unreachable") == true)
            #expect(failed.status?.failedPhase == .transferring)
            #expect(failed.status?.rollbackSteps?.contains("RolledBack") == true)
            #expect(failed.metadata.finalizers ?? [] == [])
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
            #expect(h.broker.bindings(of: "orders").map(\.exchange) == ["orders.fanout"])
            #expect((try? await h.client.get(Job.self, name: "move-transfer", namespace: "default")) == nil)
            let still = try await h.client.get(Pod.self, name: "app-0", namespace: "default")
            #expect(still.metadata.uid == source.metadata.uid)
            #expect(h.events.reasons.current.contains("TransferFailed"))
        }
    }

    @Test("deleting the migration mid-flight runs the cleanup through the finalizer")
    func deletionMidFlight() async throws {
        try await EngineHarness.run { h in
            try await h.shadowPodToRestoring()
            #expect((try? await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")) != nil)
            _ = try await h.client.delete(StatefulMigration.self, name: "move", namespace: "default", options: DeleteOptions())
            #expect(try await h.migration().metadata.deletionTimestamp != nil)  // held by the finalizer
            try await h.reconcile()
            #expect((try? await h.migration()) == nil)
            #expect((try? await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")) == nil)
            #expect((try? await h.client.get(Pod.self, name: "app-0", namespace: "default")) != nil)
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
            #expect(h.images.deleted.current.count == 1)
        }
    }

    @Test("a checkpoint the runtime refuses fails the migration with the kubelet's reason")
    func checkpointError() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            try await h.addRunningPod("app-0", node: "node-a")
            try await h.setUpBroker()
            h.kubelet.failure.withLock { $0 = KubeletError(code: 500) }
            try await h.createMigration(spec: h.spec())
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(m.status?.failureReason == "CheckpointFailed")
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
            #expect(m.metadata.finalizers ?? [] == [])
        }
    }

    @Test("while the source runs, a target the kubelet may still start is waited for during the restore patience, then fails and is removed; a crash fails at once",
          arguments: [("CreateContainerError", false), ("CrashLoopBackOff", true)])
    func restoreFailure(reason: String, failsAtOnce: Bool) async throws {
        // Patience is counted from the target's creationTimestamp, which has whole-second resolution: up to a
        // second may already have passed when the pod is first seen, so the patience here leaves room for that.
        let configuration = EngineConfiguration(replayPollInterval: .milliseconds(20), restorePatience: .seconds(3))
        try await EngineHarness.run(configuration: configuration) { h in
            try await h.shadowPodToRestoring()
            var target = try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")
            var status = PodStatus()
            status.phase = .pending
            var cs = ContainerStatus(name: "app", ready: false, restartCount: failsAtOnce ? 1 : 0)
            var state = ContainerState()
            state.waiting = ContainerStateWaiting(reason: reason, message: "checkpoint annotation names another container")
            cs.state = state
            status.containerStatuses = [cs]
            target.status = status
            _ = try await h.client.updateStatus(target)
            try await h.reconcile()
            if !failsAtOnce {
                #expect(try await h.migration().status?.phase == .restoring, "a failure the kubelet retries is waited out")
                try await Task.sleep(for: .milliseconds(3100))
                try await h.reconcile()
            }
            let m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(m.status?.failureReason == "RestoreFailed")
            #expect(m.status?.failureMessage?.contains(failsAtOnce ? "restarted 1 times" : "CreateContainerError") == true, "\(m.status?.failureMessage ?? "")")
            #expect((try? await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")) == nil)
            #expect((try? await h.client.get(Pod.self, name: "app-0", namespace: "default")) != nil)
        }
    }
}

@Suite("engine: checkpoint waits for the pre-capture backlog", .serialized)
struct PrimaryBacklogTests {
    @Test("a target lost while the source runs — while replaying, or as Finalizing begins — fails the migration before the source is touched",
          arguments: [MigrationPhase.replaying, .finalizing])
    func targetLostWhileSourceRuns(phase: MigrationPhase) async throws {
        try await EngineHarness.run { h in
            try await h.shadowPodToRestoring()
            let target = try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")
            _ = try await h.markRunning(target)
            try await h.reconcile()
            #expect(try await h.phase() == .replaying)
            if phase == .finalizing {
                // Replay ends (nothing to replay); the pass that would stop the source finds the target dead.
                _ = try await h.client.patchStatus(StatefulMigration.self, name: "move", namespace: "default", patch: .merge(["status": ["phase": "Finalizing"]]), options: WriteOptions())
            }
            try await h.crashTarget("app-0-shadow")
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(m.status?.failedPhase == phase)
            #expect(m.status?.failureReason == "TargetLost")
            #expect(m.status?.failureMessage?.contains("app-0 keeps serving") == true, "\(m.status?.failureMessage ?? "")")
            let source = try await h.client.get(Pod.self, name: "app-0", namespace: "default")
            #expect(source.metadata.deletionTimestamp == nil, "the source is never stopped for a lost target")
            #expect((try? await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")) == nil)
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
        }
    }

    @Test("the kubelet is not called while the primary queue holds messages from before the capture")
    func waitsForBacklog() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            try await h.addRunningPod("app-0", node: "node-a")
            try await h.setUpBroker()
            try await h.publish(1...3)  // waiting in the primary queue, no copy in the replay queue
            try await h.createMigration(spec: h.spec())
            try await h.reconcile()
            #expect(try await h.phase() == .checkpointing)
            #expect(h.kubelet.calls.current.isEmpty)
            // The source takes the backlog; now the checkpoint may be taken.
            var taken = 0
            for try await delivery in h.broker.consume(queue: "orders", prefetch: 3) {
                try await h.broker.ack(delivery)
                taken += 1
                if taken == 3 { break }
            }
            try await h.reconcile()
            #expect(try await h.phase() == .transferring)
            #expect(h.kubelet.calls.current.count == 1)
        }
    }

    @Test("a backlog that never drains delays the checkpoint by the configured wait, then warns")
    func boundedWait() async throws {
        try await EngineHarness.run(configuration: EngineConfiguration(replayPollInterval: .milliseconds(20), primaryDrainWait: .milliseconds(300))) { h in
            try await h.standardNodes()
            try await h.addRunningPod("app-0", node: "node-a")
            try await h.setUpBroker()
            try await h.publish(1...3)
            try await h.createMigration(spec: h.spec())
            try await h.reconcile()
            #expect(h.kubelet.calls.current.isEmpty)
            try await Task.sleep(for: .milliseconds(350))
            try await h.reconcile()
            #expect(try await h.phase() == .transferring)
            #expect(h.events.reasons.current.contains("PrimaryBacklogAtCheckpoint"))
        }
    }
}
