import Foundation
import TransferAgentAPI
import Testing
import TransferAgent

/// Graceful shutdown: running transfers finish within the grace period or are cancelled, queued ones fail, and
/// archives of unfinished transfers stay.
@Suite("Transfer agent shutdown", .serialized)
struct ShutdownTests {
    @Test("a transfer finishing within the grace period succeeds; readiness and new transfers are refused meanwhile")
    func finishesWithinGrace() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        let agent = try fixture.agent(pusher: StubPusher(delay: .milliseconds(300)), grace: .seconds(10))
        let client = AgentClient(port: try await agent.start())
        defer { client.shutdown() }
        let request = fixture.request()
        #expect(try await client.post(request).status == 202)

        let shutdown = Task { await agent.shutdown() }
        try await Task.sleep(for: .milliseconds(100))
        // Still serving while draining: not ready, no new transfers, status readable.
        #expect(try await client.send(.get, "/readyz", token: nil).status == 503)
        #expect(try await client.post(fixture.request()).status == 503)
        await shutdown.value
        let status = try #require(await agent.manager.status(uid: request.migration.uid))
        #expect(status.state == .succeeded)
        #expect(!fixture.exists(fixture.archivePath("cart")))
    }

    @Test("transfers still running at the deadline are cancelled, queued ones fail, and every archive stays")
    func cancelsAtDeadline() async throws {
        let fixture = try AgentFixture(containers: ["cart", "ledger", "audit"])
        defer { fixture.remove() }
        let agent = try fixture.agent(
            pusher: StubPusher(delay: nil), transfers: .init(maxConcurrentTransfers: 1), grace: .milliseconds(300))
        let first = fixture.request(containers: ["cart", "ledger"])
        var second = fixture.request(containers: ["audit"])
        second.migration.name = "move-audit"
        let firstResponse = await agent.api.handle(try post(first))
        let secondResponse = await agent.api.handle(try post(second))
        #expect(firstResponse.status == 202)
        #expect(secondResponse.status == 202)
        #expect(try transferStatus(secondResponse.body).queued)

        let started = ContinuousClock.now
        await agent.shutdown()
        #expect(ContinuousClock.now - started < .seconds(5))

        let cancelled = try #require(await agent.manager.status(uid: first.migration.uid))
        #expect(cancelled.state == .failed)
        #expect(cancelled.failedContainer == "cart")
        #expect(cancelled.error?.contains("cancelled") == true, "\(cancelled.error ?? "")")
        let queued = try #require(await agent.manager.status(uid: second.migration.uid))
        #expect(queued.state == .failed)
        #expect(!queued.queued)
        for container in ["cart", "ledger", "audit"] { #expect(fixture.exists(fixture.archivePath(container))) }
        #expect(await agent.manager.runningCount == 0)
    }

    @Test("at most the configured number of transfers push at once")
    func boundedConcurrency() async throws {
        let fixture = try AgentFixture(containers: ["a", "b", "c"])
        defer { fixture.remove() }
        let agent = try fixture.agent(pusher: StubPusher(delay: nil), transfers: .init(maxConcurrentTransfers: 2), grace: .zero)
        for container in ["a", "b", "c"] {
            var request = fixture.request(containers: [container])
            request.migration.name = "move-\(container)"
            #expect(await agent.api.handle(try post(request)).status == 202)
        }
        #expect(await agent.manager.runningCount == 2)
        await agent.shutdown()
    }

    func post(_ request: TransferRequest) throws -> AgentHTTPRequest {
        AgentHTTPRequest(
            method: "POST", path: "/v1/transfers",
            headers: [("Authorization", "Bearer \(Names.token)"), ("Content-Type", "application/json")],
            body: Array(try JSONEncoder().encode(request)))
    }
}
