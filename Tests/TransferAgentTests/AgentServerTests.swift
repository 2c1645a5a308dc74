import CurlTransport
import Foundation
import HTTPTransport
import RegistryClient
import Testing
import TestSupport
import TransferAgent

/// The agent over HTTP on loopback: authentication, transfers into OCI layouts, probes and metrics.
@Suite("Transfer agent over HTTP", .serialized)
struct AgentServerTests {
    /// Runs `body` against a started agent and always shuts it down.
    func withAgent(
        _ fixture: AgentFixture, authorizer: any AgentAuthorizer = TestAuthorizer(),
        pusher: any CheckpointArchivePusher = RegistryArchivePusher(retry: .none),
        _ body: (TransferAgent, AgentClient) async throws -> Void
    ) async throws {
        let agent = try fixture.agent(authorizer: authorizer, pusher: pusher)
        let client = AgentClient(port: try await agent.start())
        do {
            try await body(agent, client)
        } catch {
            await agent.shutdown()
            client.shutdown()
            throw error
        }
        await agent.shutdown()
        client.shutdown()
    }

    @Test("no token is 401, a refused caller 403, an allowed one 202; probes and metrics need no token")
    func authentication() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        try await withAgent(fixture, pusher: StubPusher(delay: .milliseconds(1))) { (_: TransferAgent, client: AgentClient) async throws in
            let request = fixture.request()
            let anonymous = try await client.post(request, token: nil)
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
            #expect(jsonObject(anonymous.body)["error"] != nil)
            #expect(try await client.post(request, token: "forged").status == 401)

            var elsewhere = request
            elsewhere.migration.namespace = "payments"
            for index in elsewhere.pushes.indices {
                elsewhere.pushes[index].archive = Names.archive(elsewhere.pushes[index].container, namespace: "payments")
            }
            let forbidden = try await client.post(elsewhere)
            #expect(forbidden.status == 403)

            #expect(try await client.send(.get, "/v1/transfers/\(request.migration.uid)", token: nil).status == 401)

            let accepted = try await client.post(request)
            #expect(accepted.status == 202)
            #expect(try transferStatus(accepted.body).uid == request.migration.uid)

            // The status of a transfer is read with the same authorisation as its start.
            #expect(try await client.send(.get, "/v1/transfers/\(request.migration.uid)", token: "forged").status == 401)
            #expect(try await client.send(.get, "/v1/transfers/\(request.migration.uid)").status == 200)
            #expect(try await client.send(.get, "/v1/transfers/unknown-uid").status == 404)

            for path in ["/healthz", "/readyz", "/metrics"] {
                #expect(try await client.send(.get, path, token: nil).status == 200, "\(path)")
            }
            #expect(try await client.send(.delete, "/v1/transfers").status == 405)
            #expect(try await client.send(.get, "/nothing", token: nil).status == 404)
        }
    }

    @Test("the agent with no authenticator refuses every /v1 request")
    func denyAll() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        try await withAgent(fixture, authorizer: DenyAllAuthorizer(), pusher: StubPusher(delay: .zero)) { (_: TransferAgent, client: AgentClient) async throws in
            #expect(try await client.post(fixture.request()).status == 401)
            #expect(try await client.send(.get, "/healthz", token: nil).status == 200)
        }
    }

    @Test("a body over the limit is answered 413 by the server")
    func oversizedBody() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        try await withAgent(fixture, pusher: StubPusher(delay: .zero)) { (_: TransferAgent, client: AgentClient) async throws in
            let body = [UInt8](repeating: 0x20, count: 64 * 1024 + 1)
            let response = try await client.send(.post, "/v1/transfers", body: body)
            #expect(response.status == 413)
            #expect((jsonObject(response.body)["error"] as? String)?.contains("exceeds") == true)
        }
    }

    @Test("pushes every container into OCI layouts, removes the archives after the last push, and a second POST is idempotent")
    func transferToLayouts() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        try await withAgent(fixture) { (agent: TransferAgent, client: AgentClient) async throws in
            let request = fixture.request()
            let accepted = try await client.post(request)
            #expect(accepted.status == 202, "\(String(decoding: accepted.body, as: UTF8.self))")
            let status = try #require(try await client.finished(request.migration.uid))
            #expect(status.state == .succeeded, "\(status.error ?? "")")
            #expect(status.images.map(\.container) == ["cart", "ledger"])
            #expect(status.node == "worker-1")
            #expect(status.archivesRemoved)
            for image in status.images {
                #expect(image.digest.hasPrefix("sha256:") && image.digest.count == 71)
                #expect(image.size > 0)
                // The manifest is in the layout, under the digest reported.
                let layout = OCILayout(directory: "\(fixture.layouts)/\(image.container)")
                #expect(try layout.manifestDescriptor(tag: "move-cart")?.digest.description == image.digest)
            }
            #expect(!fixture.exists(fixture.archivePath("cart")))
            #expect(!fixture.exists(fixture.archivePath("ledger")))

            // The operator retries: the same transfer comes back, nothing is pushed again.
            let again = try await client.post(request)
            #expect(again.status == 200)
            #expect(try transferStatus(again.body) == status)

            // The same migration cannot be turned into another transfer.
            var other = request
            other.pushes.removeLast()
            let conflict = try await client.post(other)
            #expect(conflict.status == 409)
            #expect(jsonObject(conflict.body)["field"] as? String == "migration.uid")

            let metrics = String(decoding: try await client.send(.get, "/metrics", token: nil).body, as: UTF8.self)
            #expect(metrics.contains("ms2m_agent_transfers_started_total 1"))
            #expect(metrics.contains("ms2m_agent_transfers_succeeded_total 1"))
            #expect(metrics.contains("ms2m_agent_transfers_in_flight 0"))
            #expect(!metrics.contains("ms2m_agent_pushed_bytes_total 0\n"))
            _ = agent
        }
    }

    @Test("a failing second push fails the transfer, names the container and keeps both archives")
    func failingPush() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        try await withAgent(fixture) { (_: TransferAgent, client: AgentClient) async throws in
            var request = fixture.request()
            request.pushes[1].destination = "127.0.0.1:1/checkpoints/ledger:move-cart"
            request.registry.insecure = true
            #expect(try await client.post(request).status == 202)
            let status = try #require(try await client.finished(request.migration.uid))
            #expect(status.state == .failed)
            #expect(status.failedContainer == "ledger")
            #expect(status.error?.contains("container ledger") == true, "\(status.error ?? "")")
            #expect(status.images.map(\.container) == ["cart"])
            #expect(!status.archivesRemoved)
            #expect(fixture.exists(fixture.archivePath("cart")))
            #expect(fixture.exists(fixture.archivePath("ledger")))

            // A failed transfer is started afresh by the next POST.
            request.pushes[1].destination = "oci:\(fixture.layouts)/ledger:move-cart"
            #expect(try await client.post(request).status == 202)
            #expect(try await client.finished(request.migration.uid)?.state == .succeeded)
        }
    }

    @Test("serves HTTPS with the given certificate")
    func https() async throws {
        let fixture = try AgentFixture()
        defer { fixture.remove() }
        let certificates = try await TestCertificates.create()
        let agent = try TransferAgent(
            configuration: TransferAgent.Configuration(
                host: "127.0.0.1", port: 0, checkpointDirectory: fixture.checkpoints,
                tlsCertificateFile: certificates.serverCertificatePath, tlsPrivateKeyFile: certificates.serverKeyPath),
            authorizer: TestAuthorizer(), pusher: StubPusher(delay: .zero))
        let port = try await agent.start()
        let loop = CurlEventLoop()
        let transport = CurlTransport(configuration: .init(tls: TLSOptions(caFile: certificates.caCertificatePath)), loop: loop)
        let response = try await transport.send(HTTPRequest(method: .get, url: "https://127.0.0.1:\(port)/healthz", timeout: .seconds(10)))
        #expect(response.status == 200)
        await agent.shutdown()
        loop.shutdown()
    }
}
