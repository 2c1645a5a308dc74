import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import SampleWorkload
import Testing

@Suite("end to end: Sequential migration of one StatefulSet replica (real RabbitMQ and registry)", .serialized)
struct SequentialEndToEndTests {
    @Test("one of three replicas moves; its count is exact; the siblings are untouched; the set adopts it unrolled", arguments: [10, 100, 1000])
    func sequential(rate: Double) async throws {
        try await EndToEnd.run { e in try await e.withOperator { try await Self.migrateOneReplica(e, rate: rate) } }
    }

    static func migrateOneReplica(_ e: EndToEnd, rate: Double) async throws {
            let set = try await e.createStatefulSet("web", replicas: 3)
            for i in 0..<3 { try await e.waitForRunning("web-\(i)") }
            let before = try await e.client.list(Pod.self, namespace: "default", options: ListOptions(labelSelector: "app=web")).items
            let source = try #require(before.first { $0.metadata.name == "web-1" })
            let sourceNode = try #require(source.spec?.nodeName)
            let outcome = try await e.withTraffic(queue: "web-1", rate: rate, finalPod: "web-1") {
                try await e.migrate("move-web-1", spec: e.migrationSpec(source: "web-1", target: nil, queue: "web-1"))
            }
            let migration = outcome.0
            let produced = outcome.produced
            #expect(migration.status?.phase == .completed, "\(migration.status?.failureReason ?? ""): \(migration.status?.failureMessage ?? "")")
            #expect(migration.status?.strategy == .sequential)
            let moved = try #require(try await e.pod("web-1"))
            #expect(moved.spec?.nodeName != sourceNode)
            #expect(moved.spec?.nodeName == migration.status?.targetNode)
            // Adopted by the re-created set, as current: not rolled afterwards.
            try await e.waitUntil("the StatefulSet to adopt web-1") {
                (try await e.pod("web-1"))?.metadata.ownerReferences?.contains { $0.kind == "StatefulSet" && $0.name == "web" && $0.controller == true } == true
            }
            try await Task.sleep(for: .seconds(1))
            let after = try await e.client.list(Pod.self, namespace: "default", options: ListOptions(labelSelector: "app=web")).items
            #expect(after.first { $0.metadata.name == "web-1" }?.metadata.uid == moved.metadata.uid, "the set rolled the migrated pod")
            for name in ["web-0", "web-2"] {
                let old = before.first { $0.metadata.name == name }
                let now = after.first { $0.metadata.name == name }
                #expect(now?.metadata.uid == old?.metadata.uid, "\(name) was replaced")
                #expect(now?.status?.containerStatuses?.first?.restartCount == 0, "\(name) restarted")
            }
            let recreated = try await e.client.get(StatefulSet.self, name: "web", namespace: "default")
            #expect(recreated.spec?.replicas == 3)
            #expect(recreated.metadata.uid != set.metadata.uid)
            #expect(try await e.brokers.broker(url: e.brokerURL, credentials: nil).queueStatus("web-1.ms2m-replay") == nil)
            #expect(try await e.client.list(Job.self, namespace: "default", options: ListOptions()).items.isEmpty)
            #expect(e.checkpointArchives(on: sourceNode).isEmpty)
            print("E2E sequential rate=\(rate) produced=\(produced) timings=\(migration.status?.phaseTimings ?? [:]) replay=\(String(describing: migration.status?.replay))")
    }
}
