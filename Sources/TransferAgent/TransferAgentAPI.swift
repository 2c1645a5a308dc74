import Foundation
import TransferAgentAPI

/// One HTTP request to the agent, read in full.
public struct AgentHTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path without the query string.
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The first value of the named header (case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The token of an `Authorization: Bearer <token>` header.
    public var bearerToken: String? {
        guard let value = header("authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// The agent's answer to one request.
public struct AgentHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    /// Extra header fields.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, contentType: String = "application/json", headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A JSON body.
    static func json(_ status: Int, _ value: some Encodable) -> AgentHTTPResponse {
        AgentHTTPResponse(status: status, body: AgentJSON.encode(value))
    }

    /// `{"error": …}` with the error's status (and `WWW-Authenticate` on 401).
    static func error(_ error: AgentError) -> AgentHTTPResponse {
        AgentHTTPResponse(
            status: error.status, headers: error.status == 401 ? ["WWW-Authenticate": #"Bearer realm="ms2m-agent""#] : [:],
            body: error.body)
    }

    static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> AgentHTTPResponse {
        AgentHTTPResponse(status: status, contentType: contentType, body: Array(text.utf8))
    }
}

/// The agent's HTTP API, independent of the server it runs in:
///
/// - `POST /v1/transfers`: start a `TransferRequest` → 202 and the `TransferStatus`; 200 with the existing one
///   when the migration's transfer is running or succeeded.
/// - `GET /v1/transfers/{uid}`: the migration's transfer → 200, or 404.
/// - `GET /healthz` (always 200), `GET /readyz` (200 while the checkpoint directory is readable and the agent
///   is not shutting down, else 503), `GET /metrics` (Prometheus text).
///
/// Every `/v1` request needs `Authorization: Bearer <token>`, which the `AgentAuthorizer` checks against the
/// migration (401 without or with a bad token, 403 when not allowed); the probes and metrics need none. Every
/// refusal is `{"error": "<field>: <reason>", "field": "<field>"}` with a 4xx (or 503) status.
public struct TransferAgentAPI: Sendable {
    public let manager: TransferManager
    public let authorizer: any AgentAuthorizer
    public let validator: TransferRequestValidator
    public let directory: CheckpointDirectory
    public let metrics: AgentMetrics

    public init(
        manager: TransferManager, authorizer: any AgentAuthorizer, validator: TransferRequestValidator,
        directory: CheckpointDirectory, metrics: AgentMetrics
    ) {
        self.manager = manager
        self.authorizer = authorizer
        self.validator = validator
        self.directory = directory
        self.metrics = metrics
    }

    static let transfersPath = "/v1/transfers"

    /// Answers one request.
    public func handle(_ request: AgentHTTPRequest) async -> AgentHTTPResponse {
        let isRead = request.method == "GET" || request.method == "HEAD"
        switch request.path {
        case "/healthz":
            return isRead ? .text(200, "ok\n") : methodNotAllowed("GET")
        case "/readyz":
            guard isRead else { return methodNotAllowed("GET") }
            return await readiness()
        case "/metrics":
            guard isRead else { return methodNotAllowed("GET") }
            return .text(200, metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case Self.transfersPath, Self.transfersPath + "/":
            guard request.method == "POST" else { return methodNotAllowed("POST") }
            return await startTransfer(request)
        default:
            guard request.path.hasPrefix(Self.transfersPath + "/") else {
                return .error(AgentError(status: 404, "no such endpoint: \(request.path)"))
            }
            guard isRead else { return methodNotAllowed("GET") }
            return await transferStatus(request, uid: String(request.path.dropFirst(Self.transfersPath.count + 1)))
        }
    }

    private func readiness() async -> AgentHTTPResponse {
        guard await manager.isAccepting else { return .text(503, "shutting down\n") }
        guard directory.isReadable else { return .text(503, "the checkpoint directory \(directory.path) is not readable\n") }
        return .text(200, "ok\n")
    }

    private func startTransfer(_ http: AgentHTTPRequest) async -> AgentHTTPResponse {
        do throws(AgentError) {
            guard let token = http.bearerToken else { throw AgentError(status: 401, "an Authorization: Bearer token is required") }
            guard Self.isJSON(http.header("content-type")) else {
                throw AgentError(status: 415, "the body must be application/json")
            }
            let request = try validator.decode(http.body)
            // Pure checks first (no file is looked at), so the authorizer only ever sees well-formed names.
            let transfer = try validator.validate(request)
            try await authorize(token, TransferTarget(namespace: request.migration.namespace, migrationName: request.migration.name))
            let directory = self.directory
            let maxBytes = validator.limits.maxArchiveBytes
            let submission = try await manager.submit(transfer) { () throws(AgentError) -> [OpenedArchive] in
                var archives: [OpenedArchive] = []
                for (index, push) in request.pushes.enumerated() {
                    archives.append(try directory.openArchive(push.archive, maxBytes: maxBytes, field: "pushes[\(index)].archive"))
                }
                return archives
            }
            switch submission {
            case .created(let status): return .json(202, status)
            case .existing(let status): return .json(200, status)
            }
        } catch {
            return .error(error)
        }
    }

    private func transferStatus(_ http: AgentHTTPRequest, uid: String) async -> AgentHTTPResponse {
        do throws(AgentError) {
            guard let token = http.bearerToken else { throw AgentError(status: 401, "an Authorization: Bearer token is required") }
            guard TransferRequestValidator.isUID(uid), let status = await manager.status(uid: uid) else {
                throw AgentError(status: 404, "no transfer for migration \(uid) on this node")
            }
            try await authorize(token, TransferTarget(namespace: status.migration.namespace, migrationName: status.migration.name))
            return .json(200, status)
        } catch {
            return .error(error)
        }
    }

    private func authorize(_ token: String, _ target: TransferTarget) async throws(AgentError) {
        do {
            _ = try await authorizer.authorize(bearerToken: token, target: target)
        } catch {
            throw AgentError(status: error.status, error.description)
        }
    }

    private func methodNotAllowed(_ allowed: String) -> AgentHTTPResponse {
        AgentHTTPResponse(
            status: 405, headers: ["Allow": allowed], body: AgentError(status: 405, "use \(allowed)").body)
    }

    /// Whether a `Content-Type` is `application/json`, parameters allowed.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? contentType
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
