import Foundation
import MigrationAPI
import SampleWorkload
import Testing

extension EndToEnd {
    /// Publishes to `queue`'s fan-out exchange at `rate` while `migrate` runs, stops, then checks that the
    /// pod `finalPod` has applied every produced message exactly once. Returns the migration and the count.
    func withTraffic(
        queue: String, rate: Double, finalPod: String, idPrefix: String = "m",
        _ migrate: () async throws -> StatefulMigration
    ) async throws -> (StatefulMigration, produced: Int) {
        let producer = Producer(brokers: brokers, brokerURL: brokerURL, exchange: EndToEnd.exchange(for: queue), queue: nil, rate: rate, idPrefix: idPrefix)
        let producing = Task { try await producer.run(count: nil) }
        try await Task.sleep(for: .milliseconds(400))
        let migration: StatefulMigration
        do {
            migration = try await migrate()
        } catch {
            await producer.stop()
            _ = try? await producing.value
            throw error
        }
        try await Task.sleep(for: .milliseconds(300))
        await producer.stop()
        _ = try? await producing.value
        let produced = await producer.published
        try await expectAllApplied(by: finalPod, produced: produced, idPrefix: idPrefix)
        return (migration, produced)
    }

    /// Waits until `pod`'s consumer has applied `produced` messages and checks every id is applied once.
    func expectAllApplied(by pod: String, produced: Int, idPrefix: String = "m") async throws {
        guard let consumer = await consumer(pod) else {
            Issue.record("no consumer runs in \(pod)")
            return
        }
        try await waitUntil("\(pod) to apply all \(produced) messages", timeout: .seconds(30)) {
            await consumer.state.count >= Int64(produced)
        }
        let state = await consumer.state
        #expect(state.count == Int64(produced), "\(pod) applied \(state.count) of \(produced)")
        if produced > 0 {
            for n in 1...produced where !state.hasApplied("\(idPrefix)-\(n)") {
                Issue.record("message \(idPrefix)-\(n) was never applied")
                break
            }
        }
    }
}
