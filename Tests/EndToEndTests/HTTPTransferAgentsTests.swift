import Foundation
import KubeClient
import KubeModel
import KubeSim
import OperatorAssembly
import OperatorCore
import RegistryClient
import Synchronization
import TestSupport
import Testing
import TransferAgent

/// The operator's agent client (`HTTPTransferAgents`) against a real `ms2m-agent` (`TransferAgent`) on
/// loopback, with a pusher that never touches a registry: the wire format, the status mapping, and the errors
/// the engine sees.
@Suite("HTTPTransferAgents: the operator's client of ms2m-agent")
struct HTTPTransferAgentsTests {
    @Test("start answers running, then the outcome is succeeded with each container's digest; a repeated start finds the transfer")
    func startThenSucceeded() async throws {
        let fixture = try AgentWorld()
        defer { fixture.remove() }
        let log = PushLog()
        let agent = try fixture.agent(pusher: FakePusher(delay: .milliseconds(300), log: log))
        let port = try await agent.start()
        let agents = fixture.client(port: port)
        let request = fixture.request()

        #expect(try await agents.start(request, at: fixture.endpoint) == .running)
        let outcome = try await fixture.finished(agents, uid: request.migrationUID)
        #expect(outcome == .succeeded(digests: ["cart": FakePusher.digest, "ledger": FakePusher.digest]))
        #expect(try await agents.start(request, at: fixture.endpoint) == outcome, "the same migration UID finds its transfer")
        #expect(!fixture.exists(fixture.archivePath("cart")), "removeArchives is sent: the archives go once every push is confirmed")
        let pushes = log.pushes.withLock { $0 }
        #expect(pushes.map(\.container) == ["cart", "ledger"])
        #expect(pushes.allSatisfy { $0.compress && !$0.insecure && $0.dockerConfig == Array(#"{"auths":{}}"#.utf8) }, "registry options and the base64 docker config arrive")
        await agent.shutdown()
    }

    @Test("a failed push is reported as failed, naming the container")
    func failedTransfer() async throws {
        let fixture = try AgentWorld()
        defer { fixture.remove() }
        let agent = try fixture.agent(pusher: FakePusher(delay: .milliseconds(10), failing: "ledger"))
        let agents = fixture.client(port: try await agent.start())
        let request = fixture.request()
        _ = try await agents.start(request, at: fixture.endpoint)
        let outcome = try await fixture.finished(agents, uid: request.migrationUID)
        guard case .failed(let message)? = outcome else {
            Issue.record("expected a failed outcome, got \(String(describing: outcome))")
            return
        }
        #expect(message.contains("ledger"), "\(message)")
        await agent.shutdown()
    }

    @Test("the outcome of a migration the agent does not know is nil")
    func unknownMigration() async throws {
        let fixture = try AgentWorld()
        defer { fixture.remove() }
        let agent = try fixture.agent()
        let agents = fixture.client(port: try await agent.start())
        #expect(try await agents.outcome(ofMigration: UUID().uuidString.lowercased(), at: fixture.endpoint) == nil)
        await agent.shutdown()
    }

    @Test("a token the agent refuses is an error naming 401, the agent pod and its node; the token is renewed once first")
    func refusedToken() async throws {
        let fixture = try AgentWorld()
        defer { fixture.remove() }
        let agent = try fixture.agent()
        let port = try await agent.start()
        let tokens = CountingTokens(tokens: ["forged"])
        let agents = fixture.client(port: port, tokens: tokens)
        let error = await #expect(throws: TransferAgentCallError.self) {
            try await agents.start(fixture.request(), at: fixture.endpoint)
        }
        #expect(error?.status == 401)
        let text = error?.description ?? ""
        #expect(text.contains("401") && text.contains("ms2m-system/ms2m-agent-x7k2p") && text.contains("worker-1"), "\(text)")
        #expect(tokens.issued == 2, "after a 401 the client asks for a fresh token and tries once more")
        await agent.shutdown()
    }

    @Test("after a 401 a fresh token is used: a rotated token does not fail the call")
    func renewedToken() async throws {
        let fixture = try AgentWorld()
        defer { fixture.remove() }
        let agent = try fixture.agent()
        let tokens = CountingTokens(tokens: ["expired", AgentWorld.token])
        let agents = fixture.client(port: try await agent.start(), tokens: tokens)
        #expect(try await agents.start(fixture.request(), at: fixture.endpoint) == .running)
        #expect(tokens.issued == 2)
        await agent.shutdown()
    }

    @Test("an unreachable agent is an error naming the agent pod, its node and the URL")
    func unreachable() async throws {
        let fixture = try AgentWorld()
        defer { fixture.remove() }
        let closedPort = try await Self.closedPort(fixture)
        let agents = fixture.client(port: closedPort)
        let error = await #expect(throws: TransferAgentCallError.self) {
            try await agents.outcome(ofMigration: UUID().uuidString.lowercased(), at: fixture.endpoint)
        }
        let text = error?.description ?? ""
        #expect(text.contains("ms2m-agent-x7k2p") && text.contains("worker-1") && text.contains("unreachable"), "\(text)")
        #expect(text.contains("http://127.0.0.1:\(closedPort)"), "\(text)")
    }

    @Test("over HTTPS the agent's certificate is verified with the configured CA file; without it the call fails")
    func https() async throws {
        let certificates = try await TestCertificates.create()
        defer { certificates.remove() }
        let fixture = try AgentWorld()
        defer { fixture.remove() }
        let agent = try fixture.agent(
            pusher: FakePusher(delay: .milliseconds(10)), tlsCertificateFile: certificates.serverCertificatePath,
            tlsPrivateKeyFile: certificates.serverKeyPath)
        let port = try await agent.start()
        let resolve: @Sendable (TransferAgentEndpoint) -> String = { _ in "https://127.0.0.1:\(port)" }
        let verified = HTTPTransferAgents(
            configuration: .init(caFile: certificates.caCertificatePath, resolveURL: resolve),
            tokens: StaticAgentToken(AgentWorld.token))
        let request = fixture.request()
        #expect(try await verified.start(request, at: fixture.endpoint) == .running)
        #expect(try await fixture.finished(verified, uid: request.migrationUID) == .succeeded(digests: ["cart": FakePusher.digest, "ledger": FakePusher.digest]))

        let untrusting = HTTPTransferAgents(configuration: .init(resolveURL: resolve), tokens: StaticAgentToken(AgentWorld.token))
        let error = await #expect(throws: TransferAgentCallError.self) {
            try await untrusting.outcome(ofMigration: request.migrationUID, at: fixture.endpoint)
        }
        #expect(error?.description.contains("ms2m-agent-x7k2p") == true)
        await agent.shutdown()
    }

    @Test("the agent's certificate is verified as the configured server name, not as the dialled address")
    func pinnedServerName() async throws {
        let certificates = try await TestCertificates.create()
        defer { certificates.remove() }
        let fixture = try AgentWorld()
        defer { fixture.remove() }
        let agent = try fixture.agent(
            tlsCertificateFile: certificates.serverCertificatePath, tlsPrivateKeyFile: certificates.serverKeyPath)
        let port = try await agent.start()
        let resolve: @Sendable (TransferAgentEndpoint) -> String = { _ in "https://127.0.0.1:\(port)" }
        // The test certificate names kubesim.test (and 127.0.0.1), not ms2m-agent.ms2m-system.svc.
        let pinned = HTTPTransferAgents(
            configuration: .init(caFile: certificates.caCertificatePath, serverName: "kubesim.test", resolveURL: resolve),
            tokens: StaticAgentToken(AgentWorld.token))
        #expect(try await pinned.outcome(ofMigration: UUID().uuidString.lowercased(), at: fixture.endpoint) == nil)
        let otherName = HTTPTransferAgents(
            configuration: .init(
                caFile: certificates.caCertificatePath, serverName: TransferAgentOptions.serverName(namespace: "ms2m-system"),
                resolveURL: resolve),
            tokens: StaticAgentToken(AgentWorld.token))
        let error = await #expect(throws: TransferAgentCallError.self) {
            try await otherName.outcome(ofMigration: UUID().uuidString.lowercased(), at: fixture.endpoint)
        }
        #expect(error?.description.contains("unreachable") == true, "\(String(describing: error))")
        await agent.shutdown()
    }

    @Test("the default URL is https://<podIP>:<port>, IPv6 in brackets")
    func defaultURL() {
        var endpoint = AgentWorld.endpoint(port: 10260)
        endpoint.podIP = "10.244.1.7"
        #expect(HTTPTransferAgents.httpsURL(endpoint) == "https://10.244.1.7:10260")
        endpoint.podIP = "fd00::7"
        #expect(HTTPTransferAgents.httpsURL(endpoint) == "https://[fd00::7]:10260")
    }

    /// A loopback port nothing listens on (an agent started and shut down).
    static func closedPort(_ fixture: AgentWorld) async throws -> Int {
        let agent = try fixture.agent()
        let port = try await agent.start()
        await agent.shutdown()
        return port
    }
}

/// Where the operator's agent tokens come from: the projected token file, re-read as the kubelet rotates it,
/// and the TokenRequest API, cached until 80 % of a token's lifetime.
@Suite("Agent token sources")
struct AgentTokenSourceTests {
    @Test("the projected token file is re-read when the kubelet swaps its ..data symlink, and after invalidate")
    func projectedFileRotation() async throws {
        let directory = try Tools.temporaryDirectory("ms2m-agent-token")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = FileManager.default
        // The kubelet's layout: token -> ..data/token, ..data -> ..<timestamp>/.
        func publish(_ token: String, generation: Int) throws {
            let versioned = "\(directory)/..2026_12_08_00_00_0\(generation)"
            try files.createDirectory(atPath: versioned, withIntermediateDirectories: true)
            try token.write(toFile: versioned + "/token", atomically: true, encoding: .utf8)
            try? files.removeItem(atPath: directory + "/..data_tmp")
            try files.createSymbolicLink(atPath: directory + "/..data_tmp", withDestinationPath: (versioned as NSString).lastPathComponent)
            guard rename(directory + "/..data_tmp", directory + "/..data") == 0 else { throw AgentTokenError("rename failed") }
        }
        try publish("first-token\n", generation: 1)
        try files.createSymbolicLink(atPath: directory + "/token", withDestinationPath: "..data/token")

        let source = ProjectedAgentTokenFile(path: directory + "/token")
        #expect(try await source.token() == "first-token")
        try publish("second-token", generation: 2)
        #expect(try await source.token() == "second-token", "the rotated file is read")

        // The same file rewritten in place (another size) is read again too.
        try "third-token!".write(toFile: "\(directory)/..2026_12_08_00_00_02/token", atomically: false, encoding: .utf8)
        #expect(try await source.token() == "third-token!")
        await source.invalidate()
        #expect(try await source.token() == "third-token!")
    }

    @Test("a missing token file is an error naming it")
    func missingFile() async throws {
        let source = ProjectedAgentTokenFile(path: "/nonexistent/ms2m-agent/token")
        let error = await #expect(throws: AgentTokenError.self) { try await source.token() }
        #expect(error?.description.contains("/nonexistent/ms2m-agent/token") == true)
    }

    @Test("automatic selection: the token file when it exists, else TokenRequest")
    func selection() async throws {
        let directory = try Tools.temporaryDirectory("ms2m-agent-token")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "file-token".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        let client = KubeClient(configuration: ClientConfiguration(server: "http://127.0.0.1:9", rateLimit: nil))
        let fromFile = AgentTokenSources.automatic(tokenFile: directory + "/token", serviceAccount: "ms2m-controller-manager", namespace: "ms2m-system", client: client)
        #expect(fromFile is ProjectedAgentTokenFile)
        #expect(try await fromFile.token() == "file-token")
        let fromAPI = AgentTokenSources.automatic(tokenFile: directory + "/absent", serviceAccount: "ms2m-controller-manager", namespace: "ms2m-system", client: client)
        #expect(fromAPI is TokenRequestAgentTokens)
    }

    @Test("TokenRequest tokens for the ms2m-agent audience are cached, renewed after 80 % of their lifetime, and after invalidate")
    func tokenRequestCachesAndRenews() async throws {
        try await withKubeSim { server in
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: "ms2m-system")))
            let accounts = ResourceDescriptor(group: "", version: "v1", resource: "serviceaccounts", namespaced: true)
            _ = try await client.create(accounts, ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "ms2m-controller-manager", "namespace": "ms2m-system"]])

            let clock = Mutex(Date())
            let requests = Mutex(0)
            let source = TokenRequestAgentTokens(
                serviceAccount: "ms2m-controller-manager", namespace: "ms2m-system", expirationSeconds: 3600,
                now: { clock.withLock { $0 } }
            ) { account, namespace, audiences, seconds in
                requests.withLock { $0 += 1 }
                return try await client.requestToken(serviceAccount: account, namespace: namespace, audiences: audiences, expirationSeconds: seconds)
            }

            async let concurrentFirst = source.token()
            async let concurrentSecond = source.token()
            let (first, second) = try await (concurrentFirst, concurrentSecond)
            #expect(first == second)
            #expect(requests.withLock { $0 } == 1, "concurrent callers share one TokenRequest")
            let review = try await client.reviewToken(first, audiences: [AgentTokenSources.audience])
            #expect(review.authenticated == true)
            #expect(review.user?.username == "system:serviceaccount:ms2m-system:ms2m-controller-manager")

            clock.withLock { $0 = $0.addingTimeInterval(0.79 * 3600) }
            #expect(try await source.token() == first, "still within 80 % of its lifetime")
            #expect(requests.withLock { $0 } == 1)

            clock.withLock { $0 = $0.addingTimeInterval(0.02 * 3600) }
            let renewed = try await source.token()
            #expect(renewed != first)
            #expect(requests.withLock { $0 } == 2, "renewed after 80 % of its lifetime")

            await source.invalidate()
            #expect(try await source.token() != renewed)
            #expect(requests.withLock { $0 } == 3)
        }
    }

    @Test("a TokenRequest for a missing ServiceAccount is an error naming it")
    func tokenRequestFails() async throws {
        try await withKubeSim { server in
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))
            let source = TokenRequestAgentTokens(client: client, serviceAccount: "nobody", namespace: "ms2m-system")
            let error = await #expect(throws: AgentTokenError.self) { try await source.token() }
            #expect(error?.description.contains("ms2m-system/nobody") == true, "\(String(describing: error))")
        }
    }
}

// MARK: Support

/// A checkpoint directory with archives of one pod's containers, the agent serving it, and the requests.
struct AgentWorld {
    static let token = "operator-token"
    static let namespace = "shop"
    static let pod = "cart-0"

    let root: String
    var checkpoints: String { root + "/checkpoints" }
    var layouts: String { root + "/layouts" }

    init(containers: [String] = ["cart", "ledger"]) throws {
        root = try Tools.temporaryDirectory("ms2m-agent-client")
        try FileManager.default.createDirectory(atPath: root + "/checkpoints", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/layouts", withIntermediateDirectories: true)
        for (index, container) in containers.enumerated() {
            try TarBuilder.checkpointArchive(at: archivePath(container), pagesSize: 2_000, container: container, seed: UInt64(index + 1))
        }
    }

    static func archive(_ container: String) -> String {
        "checkpoint-\(pod)_\(namespace)-\(container)-2026-11-01T10:05:00Z.tar"
    }

    func archivePath(_ container: String) -> String { checkpoints + "/" + Self.archive(container) }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// The agent as the engine found it (the URL resolver ignores the pod IP).
    static func endpoint(port: Int) -> TransferAgentEndpoint {
        TransferAgentEndpoint(namespace: "ms2m-system", pod: "ms2m-agent-x7k2p", node: "worker-1", podIP: "10.244.1.7", port: port)
    }

    var endpoint: TransferAgentEndpoint { Self.endpoint(port: 10260) }

    /// The engine's request for a new migration.
    func request(containers: [String] = ["cart", "ledger"]) -> TransferAgentRequest {
        TransferAgentRequest(
            migrationNamespace: Self.namespace, migrationName: "move-cart", migrationUID: UUID().uuidString.lowercased(),
            pod: Self.pod,
            pushes: containers.map {
                TransferAgentPush(container: $0, archive: Self.archive($0), destination: "oci:\(layouts)/\($0):move-cart")
            },
            compress: true, dockerConfigJSON: Array(#"{"auths":{}}"#.utf8))
    }

    /// An agent accepting `AgentWorld.token`, on an ephemeral loopback port.
    func agent(
        pusher: any CheckpointArchivePusher = FakePusher(delay: .milliseconds(10)), tlsCertificateFile: String? = nil,
        tlsPrivateKeyFile: String? = nil
    ) throws -> TransferAgent {
        try TransferAgent(
            configuration: TransferAgent.Configuration(
                host: "127.0.0.1", port: 0, checkpointDirectory: checkpoints, nodeName: "worker-1",
                tlsCertificateFile: tlsCertificateFile, tlsPrivateKeyFile: tlsPrivateKeyFile,
                limits: TransferLimits(allowedLayoutRoot: layouts), transfers: .init(nodeName: "worker-1"),
                shutdownGracePeriod: .seconds(5)),
            authorizer: StaticTokenAuthorizer(token: Self.token)!, pusher: pusher)
    }

    /// The operator's client, over plain HTTP to the loopback port.
    func client(port: Int, tokens: any AgentTokenSource = StaticAgentToken(AgentWorld.token)) -> HTTPTransferAgents {
        HTTPTransferAgents(configuration: .init(resolveURL: { _ in "http://127.0.0.1:\(port)" }), tokens: tokens)
    }

    /// Polls the outcome until it is no longer running.
    func finished(_ agents: HTTPTransferAgents, uid: String, timeout: Duration = .seconds(20)) async throws -> TransferAgentOutcome? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let outcome = try await agents.outcome(ofMigration: uid, at: endpoint)
            if let outcome, outcome != .running { return outcome }
            try await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }
}

/// Hands out the given tokens in turn (the last one again once they run out), counting how many were asked for
/// after an invalidation.
final class CountingTokens: AgentTokenSource {
    private let state: Mutex<(tokens: [String], current: String?, issued: Int)>

    init(tokens: [String]) { state = Mutex((tokens, nil, 0)) }

    var issued: Int { state.withLock { $0.issued } }

    func token() async throws -> String {
        state.withLock { state in
            if let current = state.current { return current }
            let next = state.tokens.count > 1 ? state.tokens.removeFirst() : state.tokens[0]
            state.current = next
            state.issued += 1
            return next
        }
    }

    func invalidate() async {
        state.withLock { $0.current = nil }
    }
}

/// The pushes an agent was asked for.
final class PushLog: Sendable {
    let pushes = Mutex<[ArchivePush]>([])
}

/// A pusher that never touches a registry: each push waits `delay`, then confirms a made-up image, or fails
/// for the container `failing`.
struct FakePusher: CheckpointArchivePusher {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    var delay: Duration
    var failing: String?
    var log: PushLog?

    func push(_ push: ArchivePush) async throws -> CheckpointPushResult {
        try await Task.sleep(for: delay)
        log?.pushes.withLock { $0.append(push) }
        if let failing, push.container == failing {
            throw AgentTokenError("the registry refused the push of \(failing)")
        }
        let json = """
            {"digest":"\(Self.digest)","image":"stub@\(Self.digest)","size":321,"layerDigest":"\(Self.digest)",\
            "layerSize":1000,"layerUploaded":true,"annotations":{}}
            """
        return try JSONDecoder().decode(CheckpointPushResult.self, from: Data(json.utf8))
    }
}
