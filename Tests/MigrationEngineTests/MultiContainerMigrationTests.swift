import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Testing

@testable import MigrationEngine

/// A pod of several containers moves whole: every running container (the replayed one first, then the
/// sidecars and the other app containers) is checkpointed through the kubelet, pushed as its own image by one
/// transfer Job, and restored from it; an init container that ran to completion runs again in the target, as
/// the kubelet runs init containers for every new pod (https://kubernetes.io/docs/concepts/workloads/pods/init-containers/).
@Suite("engine: multi-container pods", .serialized)
struct MultiContainerMigrationTests {
    @Test("ShadowPod: each running container is checkpointed, pushed and restored from its own image; all images go at the end")
    func everyContainerMoves() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            try await h.addMultiContainerPod("app-0", node: "node-a")
            try await h.setUpBroker()
            try await h.broker.declareQueue("ms2m.control.app-0", durable: true)
            try await h.createMigration(spec: h.spec())

            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.phase == .transferring)
            #expect(h.kubelet.calls.current.map(\.container) == ["app", "ledger", "exporter"])
            let checkpoints = try #require(m.status?.containerCheckpoints)
            #expect(checkpoints.map(\.name) == ["app", "ledger", "exporter"])
            #expect(checkpoints.map(\.sidecar) == [nil, true, nil])
            #expect(checkpoints.allSatisfy { $0.archive?.hasSuffix(".tar") == true && $0.archive!.contains("-\($0.name)-") })
            #expect(m.status?.checkpointID == checkpoints[0].archive, "the reference's field names the replayed container's archive")

            // One Job pushes the three archives, each to its own tag.
            try await h.reconcile()
            #expect(h.kubelet.calls.current.count == 3, "a second pass checkpoints nothing again")
            let job = try await h.client.get(Job.self, name: "move-transfer", namespace: "default")
            let args = job.spec?.template.spec?.containers.first?.args ?? []
            let tag = MigrationNames.imageTag(for: m)
            var triples: [[String]] = []
            for i in 0..<max(0, args.count - 5) where args[i] == "--archive" {
                if args[i + 2] == "--container" && args[i + 4] == "--destination" {
                    triples.append([args[i + 1], args[i + 3], args[i + 5]])
                }
            }
            var expected: [[String]] = []
            for checkpoint in checkpoints {
                let own = checkpoint.name == "app" ? tag : tag + "-" + checkpoint.name
                expected.append([checkpoint.archive ?? "", checkpoint.name, "registry.example.com/checkpoints:" + own])
            }
            #expect(triples == expected)

            try await h.completeTransferJob(for: m)
            try await h.reconcile()
            m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            let images = Dictionary(uniqueKeysWithValues: (m.status?.containerCheckpoints ?? []).map { ($0.name, $0.image ?? "") })
            #expect(images["app"] == m.status?.checkpointImage)
            #expect(images["ledger"] == "registry.example.com/checkpoints@\(EngineHarness.digest(of: "ledger"))")
            #expect(images["exporter"] == "registry.example.com/checkpoints@\(EngineHarness.digest(of: "exporter"))")

            var target = try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")
            #expect(target.spec?.containers.map(\.image) == [images["app"], images["exporter"]])
            #expect(target.spec?.containers.allSatisfy { $0.command == nil && $0.args == nil && $0.env == nil } == true)
            #expect(target.spec?.initContainers?.map(\.name) == ["prepare", "ledger"])
            #expect(target.spec?.initContainers?.first?.image == "example.com/tools:1", "runs again, from its own image")
            #expect(target.spec?.initContainers?.first?.command == ["/prepare"])
            #expect(target.spec?.initContainers?.last?.image == images["ledger"])
            #expect(target.spec?.initContainers?.last?.restartPolicy == "Always")

            let consumer = ReplayConsumer()
            consumer.start(broker: h.broker, pod: "app-0-shadow", primary: "orders")
            defer { consumer.stop() }
            target = try await h.markRunning(target)
            for _ in 0..<400 where try await h.phase()?.isFinal != true {
                try await h.reconcile()
                try await Task.sleep(for: .milliseconds(20))
            }
            m = try await h.migration()
            #expect(m.status?.phase == .completed)
            #expect(Set(h.images.deleted.current) == Set(images.values), "every checkpoint image is deleted, not only the replayed container's")
        }
    }

    @Test("a sidecar the runtime cannot checkpoint fails the migration with the way out; the cleanup removes every archive")
    func sidecarCheckpointFails() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            try await h.addMultiContainerPod("app-0", node: "node-a")
            try await h.setUpBroker()
            h.kubelet.failingContainers.withLock { $0 = ["ledger"] }
            try await h.createMigration(spec: h.spec())
            _ = try? await h.reconcile()  // fails, and the rollback waits for its cleanup Job
            var m = try await h.migration()
            #expect(m.status?.failureReason == "CheckpointFailed")
            #expect(m.status?.failureMessage?.contains("app-0/ledger") == true)
            #expect(m.status?.failureMessage?.contains("\(PodOverrideAnnotation.freshContainers)=ledger") == true)
            #expect(m.status?.containerCheckpoints?.first?.archive != nil, "the replayed container's archive is recorded")

            // The rollback's cleanup Job removes the recorded archive and every container's unrecorded ones.
            for _ in 0..<5 where (try? await h.client.get(Job.self, name: MigrationNames.cleanupJob(for: m), namespace: "default")) == nil {
                _ = try? await h.reconcile()  // the rollback waits for its Job (RollbackPending)
            }
            let cleanup = try await h.client.get(Job.self, name: MigrationNames.cleanupJob(for: m), namespace: "default")
            let args = cleanup.spec?.template.spec?.containers.first?.args ?? []
            let containers = zip(args, args.dropFirst()).filter { $0.0 == "--container" }.map(\.1)
            let archives = zip(args, args.dropFirst()).filter { $0.0 == "--archive" }.map(\.1)
            #expect(containers == ["app", "ledger", "exporter"])
            #expect(archives == [m.status?.checkpointID ?? ""])
            try await h.completeJob(MigrationNames.cleanupJob(for: m))
            for _ in 0..<5 where try await h.migration().status?.rollbackSteps?.contains(RollbackStep.done) != true {
                _ = try? await h.reconcile()
            }
            m = try await h.migration()
            #expect(m.status?.rollbackSteps?.contains(RollbackStep.done) == true)
            #expect(try await h.client.get(Pod.self, name: "app-0", namespace: "default").status?.phase == .running)
        }
    }

    @Test("containers named in the fresh-containers annotation keep their image and start fresh in the target")
    func freshContainersStartFromTheirImage() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            try await h.addMultiContainerPod("app-0", node: "node-a", annotations: [PodOverrideAnnotation.freshContainers: "exporter"])
            try await h.setUpBroker()
            try await h.createMigration(spec: h.spec())
            try await h.reconcile()
            let m = try await h.migration()
            #expect(h.kubelet.calls.current.map(\.container) == ["app", "ledger"])
            try await h.completeTransferJob(for: m)
            try await h.reconcile()
            let target = try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")
            let exporter = try #require(target.spec?.containers.first { $0.name == "exporter" })
            #expect(exporter.image == "example.com/exporter:1" && exporter.args == ["--port", "9100"])
        }
    }

    @Test("a transfer Job of an operator before multi-container support (digest only) still restores a one-container pod")
    func legacyTransferResult() async throws {
        try await EngineHarness.run { h in
            try await h.standardNodes()
            try await h.addRunningPod("app-0", node: "node-a")
            try await h.setUpBroker()
            try await h.createMigration(spec: h.spec())
            try await h.reconcile()
            try await h.completeTransferJob(for: try await h.migration(), legacyResult: true)
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.checkpointImage == "registry.example.com/checkpoints@sha256:" + String(repeating: "ab", count: 32))
            #expect(m.status?.containerCheckpoints?.first?.image == m.status?.checkpointImage)
        }
    }
}
