import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import SampleWorkload
import Testing

@Suite("end to end: the operator migrates the sample consumer on the simulated cluster (real RabbitMQ and registry)", .serialized)
struct MigrationEndToEndTests {
    @Test("ShadowPod: the target counts every produced message exactly once; nothing is left behind", arguments: [10, 100, 1000])
    func shadowPod(rate: Double) async throws {
        try await EndToEnd.run { e in try await e.withOperator {
            let queue = "shadow-\(Int(rate))-\(UUID().uuidString.prefix(6))"
            try await e.createBarePod("counter", node: "node-a", queue: queue)
            try await e.waitForRunning("counter")
            let producer = Producer(brokers: e.brokers, brokerURL: e.brokerURL, exchange: EndToEnd.exchange(for: queue), queue: nil, rate: rate, idPrefix: "m")
            let producing = Task { try await producer.run(count: nil) }
            try await Task.sleep(for: .milliseconds(500))
            let migration = try await e.migrate("move-counter", spec: e.migrationSpec(source: "counter", target: "node-b", queue: queue))
            try await Task.sleep(for: .milliseconds(300))
            await producer.stop()
            _ = try? await producing.value
            let produced = await producer.published
            #expect(migration.status?.phase == .completed, "\(migration.status?.failureReason ?? ""): \(migration.status?.failureMessage ?? "")")
            #expect(migration.status?.targetPod == "counter-shadow")
            let target = try #require(await e.consumer("counter-shadow"))
            try await e.waitUntil("the target to apply all \(produced) messages", timeout: .seconds(30)) {
                await target.state.count >= Int64(produced)
            }
            let state = await target.state
            #expect(state.count == Int64(produced), "applied \(state.count) of \(produced)")
            for n in 1...produced { if !state.hasApplied("m-\(n)") { Issue.record("message m-\(n) was never applied"); break } }
            // Nothing left behind.
            #expect(try await e.pod("counter") == nil)
            #expect(try await e.brokers.broker(url: e.brokerURL, credentials: nil).queueStatus("\(queue).ms2m-replay") == nil)
            #expect(try await e.client.list(Job.self, namespace: "default", options: ListOptions()).items.isEmpty)
            #expect(e.checkpointArchives(on: "node-a").isEmpty)
            print("E2E shadow rate=\(rate) produced=\(produced) timings=\(migration.status?.phaseTimings ?? [:]) replay=\(String(describing: migration.status?.replay))")
        } }
    }
}
