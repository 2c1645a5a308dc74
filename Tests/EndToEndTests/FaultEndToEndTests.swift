import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import SampleWorkload
import SimCluster
import TestSupport
import Testing

/// Faults outside the fault matrix (``FaultMatrixTests``): graceful operator restarts at each phase boundary, a
/// registry that stays down, and a migration deleted mid-flight.
@Suite("end to end: faults and operator restarts (real RabbitMQ and registry)", .serialized)
struct FaultEndToEndTests {
    @Test("the operator stopped and restarted at each phase boundary still completes without loss",
          arguments: [MigrationPhase.checkpointing, .transferring, .restoring, .replaying, .finalizing])
    func restartAt(phase: MigrationPhase) async throws {
        try await EndToEnd.run { e in
            try await e.createBarePod("counter", node: "node-a", queue: "restart")
            try await e.waitForRunning("counter")
            let (migration, produced) = try await e.withTraffic(queue: "restart", rate: 100, finalPod: "counter-shadow") {
                try await e.withOperator {
                    _ = try await e.client.create(StatefulMigration(metadata: ObjectMeta(name: "move", namespace: "default"), spec: e.migrationSpec(source: "counter", target: "node-b", queue: "restart")), namespace: "default", options: WriteOptions())
                    try await e.waitUntil("phase \(phase.rawValue)") {
                        let current = try await e.migration("move").status?.phase
                        return current == phase || current?.isFinal == true
                    }
                }
                // The operator is gone; the world goes on; a new one resumes from the status.
                try await Task.sleep(for: .milliseconds(300))
                var result: StatefulMigration?
                try await e.withOperator { result = try await e.waitForFinal("move") }
                return result!
            }
            #expect(migration.status?.phase == .completed, "\(migration.status?.failureReason ?? ""): \(migration.status?.failureMessage ?? "")")
            #expect(produced > 0)
            #expect(try await e.pod("counter") == nil)
            #expect(try await e.client.list(Job.self, namespace: "default", options: ListOptions()).items.isEmpty)
            #expect(e.checkpointArchives(on: "node-a").isEmpty)
        }
    }

    @Test("the registry down fails the transfer; rolled back, the source keeps every message")
    func registryDown() async throws {
        try await EndToEnd.run { e in try await e.withOperator {
            try await e.createBarePod("counter", node: "node-a", queue: "reg-down")
            try await e.waitForRunning("counter")
            e.registry.stop()
            let (migration, _) = try await e.withTraffic(queue: "reg-down", rate: 100, finalPod: "counter") {
                var spec = e.migrationSpec(source: "counter", target: "node-b", queue: "reg-down")
                spec.phaseTimeouts = PhaseTimeouts(transferring: 60)
                return try await e.migrate("move", spec: spec)
            }
            #expect(migration.status?.phase == .failed)
            #expect(migration.status?.failedPhase == .transferring)
            #expect(try await e.client.list(Job.self, namespace: "default", options: ListOptions()).items.isEmpty)
            #expect(try await e.pod("counter-shadow") == nil)
            #expect(try await e.brokers.broker(url: e.brokerURL, credentials: nil).queueStatus("reg-down.ms2m-replay") == nil)
            // The rollback goes on after Failed: the cleanup Job removes the failed transfer's archive.
            try await e.waitUntil("the rollback to finish", timeout: .seconds(60)) {
                try await e.client.get(StatefulMigration.self, name: "move", namespace: "default").metadata.finalizers ?? [] == []
            }
            #expect(e.checkpointArchives(on: "node-a").isEmpty, "the failed transfer's archive is removed by the cleanup Job")
            #expect(try await e.client.list(Job.self, namespace: "default", options: ListOptions()).items.isEmpty)
        } }
    }

    @Test("deleting the migration mid-flight cleans up through the finalizer; the source keeps every message")
    func deletedMidFlight() async throws {
        try await EndToEnd.run { e in try await e.withOperator {
            try await e.createBarePod("counter", node: "node-a", queue: "deleted")
            try await e.waitForRunning("counter")
            _ = try await e.withTraffic(queue: "deleted", rate: 100, finalPod: "counter") {
                let created = try await e.client.create(StatefulMigration(metadata: ObjectMeta(name: "move", namespace: "default"), spec: e.migrationSpec(source: "counter", target: "node-b", queue: "deleted")), namespace: "default", options: WriteOptions())
                try await e.waitUntil("restoring") { (try? await e.migration("move").status?.phase) == .restoring }
                _ = try await e.client.delete(StatefulMigration.self, name: "move", namespace: "default", options: DeleteOptions())
                try await e.waitUntil("the migration to be gone") { (try? await e.migration("move")) == nil }
                return created
            }
            try await e.waitUntil("the shadow pod to be gone") { try await e.pod("counter-shadow") == nil }
            #expect(try await e.brokers.broker(url: e.brokerURL, credentials: nil).queueStatus("deleted.ms2m-replay") == nil)
            #expect(try await e.client.list(Job.self, namespace: "default", options: ListOptions()).items.isEmpty)
        } }
    }
}
