import CurlTransport
import Foundation
import TransferAgentAPI
import HTTPTransport
import RegistryClient
import Testing
import TestSupport
import TransferAgent

/// The names the tests use.
enum Names {
    static let namespace = "shop"
    static let pod = "cart-0"
    static let time = "2026-11-01T10:05:00Z"
    static let token = "operator-token"

    /// The kubelet's archive name for `container` of the test pod.
    static func archive(_ container: String, pod: String = pod, namespace: String = namespace) -> String {
        "checkpoint-\(pod)_\(namespace)-\(container)-\(time).tar"
    }
}

/// A temporary checkpoint directory (with archives of the test pod's containers) and an OCI layout root.
struct AgentFixture {
    let root: String
    var checkpoints: String { root + "/checkpoints" }
    var layouts: String { root + "/layouts" }

    init(containers: [String] = ["cart", "ledger"], pagesSize: Int = 2_000) throws {
        root = try Tools.temporaryDirectory("ms2m-agent")
        try FileManager.default.createDirectory(atPath: root + "/checkpoints", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/layouts", withIntermediateDirectories: true)
        for (index, container) in containers.enumerated() {
            try TarBuilder.checkpointArchive(
                at: archivePath(container), pagesSize: pagesSize, container: container, seed: UInt64(index + 1))
        }
    }

    func archivePath(_ container: String) -> String { checkpoints + "/" + Names.archive(container) }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// A transfer of `containers` into OCI layouts under the layout root.
    func request(
        uid: String = UUID().uuidString.lowercased(), containers: [String] = ["cart", "ledger"], removeArchives: Bool = true
    ) -> TransferRequest {
        TransferRequest(
            migration: MigrationReference(namespace: Names.namespace, name: "move-cart", uid: uid), pod: Names.pod,
            pushes: containers.map {
                ContainerPush(container: $0, archive: Names.archive($0), destination: "oci:\(layouts)/\($0):move-cart")
            },
            removeArchives: removeArchives)
    }

    /// Limits allowing OCI layouts under the layout root.
    var limits: TransferLimits { TransferLimits(allowedLayoutRoot: layouts) }

    /// An agent on an ephemeral loopback port over plain HTTP.
    func agent(
        authorizer: any AgentAuthorizer = TestAuthorizer(), pusher: any CheckpointArchivePusher = RegistryArchivePusher(retry: .none),
        limits: TransferLimits? = nil, transfers: TransferManager.Configuration = .init(nodeName: "worker-1"),
        grace: Duration = .seconds(10)
    ) throws -> TransferAgent {
        try TransferAgent(
            configuration: TransferAgent.Configuration(
                host: "127.0.0.1", port: 0, checkpointDirectory: checkpoints, nodeName: "worker-1",
                limits: limits ?? self.limits, transfers: transfers, shutdownGracePeriod: grace),
            authorizer: authorizer, pusher: pusher)
    }
}

/// Admits `Names.token` for the namespaces in `allowed`; no token or another token is 401, another namespace 403.
struct TestAuthorizer: AgentAuthorizer {
    var allowed: Set<String> = [Names.namespace]

    func authorize(bearerToken: String?, target: TransferTarget) async throws(AgentAuthorizationError) -> AgentCaller {
        guard let bearerToken else { throw .unauthenticated("no token") }
        guard bearerToken == Names.token else { throw .unauthenticated("unknown token") }
        guard allowed.contains(target.namespace) else { throw .forbidden("may not transfer in \(target.namespace)") }
        return AgentCaller(username: "system:serviceaccount:ms2m-system:ms2m-operator")
    }
}

/// A pusher that never touches a registry: each push waits `delay` (or, with nil, until cancelled) and then
/// returns a made-up confirmed image.
struct StubPusher: CheckpointArchivePusher {
    var delay: Duration?

    func push(_ push: ArchivePush) async throws -> CheckpointPushResult {
        if let delay {
            try await Task.sleep(for: delay)
        } else {
            while true { try await Task.sleep(for: .milliseconds(10)) }
        }
        let hex = String(repeating: "ab", count: 32)
        let json = """
            {"digest":"sha256:\(hex)","image":"stub@sha256:\(hex)","size":321,"layerDigest":"sha256:\(hex)",\
            "layerSize":1000,"layerUploaded":true,"annotations":{}}
            """
        return try JSONDecoder().decode(CheckpointPushResult.self, from: Data(json.utf8))
    }
}

/// A plain-HTTP client of one agent.
final class AgentClient: Sendable {
    let port: Int
    let loop = CurlEventLoop()
    let transport: CurlTransport

    init(port: Int) {
        self.port = port
        transport = CurlTransport(configuration: .init(), loop: loop)
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, token: String? = Names.token,
        contentType: String = "application/json"
    ) async throws -> HTTPResponse {
        var headers: HTTPHeaders = [:]
        if let token { headers.add("Authorization", "Bearer \(token)") }
        if body != nil { headers.add("Content-Type", contentType) }
        return try await transport.send(HTTPRequest(
            method: method, url: "http://127.0.0.1:\(port)\(path)", headers: headers, body: body, timeout: .seconds(20)))
    }

    func post(_ request: TransferRequest, token: String? = Names.token) async throws -> HTTPResponse {
        try await send(.post, "/v1/transfers", body: Array(try JSONEncoder().encode(request)), token: token)
    }

    func status(_ uid: String) async throws -> TransferStatus? {
        let response = try await send(.get, "/v1/transfers/\(uid)")
        guard response.status == 200 else { return nil }
        return try JSONDecoder().decode(TransferStatus.self, from: Data(response.body))
    }

    /// Polls until the transfer is no longer running.
    func finished(_ uid: String, timeout: Duration = .seconds(30)) async throws -> TransferStatus? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = try await status(uid), status.state != .running { return status }
            try await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }

    func shutdown() { loop.shutdown() }
}

/// A response body's JSON object.
func jsonObject(_ body: [UInt8]) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
}

/// Decodes a transfer status from a response body.
func transferStatus(_ body: [UInt8]) throws -> TransferStatus {
    try JSONDecoder().decode(TransferStatus.self, from: Data(body))
}
