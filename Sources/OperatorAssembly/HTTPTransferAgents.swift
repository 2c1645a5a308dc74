import CurlTransport
import Foundation
public import HTTPTransport
public import OperatorCore
import TransferAgentAPI

/// Calls node agents (`ms2m-agent`) over their HTTP API: the production adapter of the engine's
/// ``TransferAgentCalling`` port.
///
/// `start` is `POST /v1/transfers` (202 for a new transfer, 200 for the one the migration's UID already has),
/// `outcome` is `GET /v1/transfers/{uid}` (404: the agent does not know it → nil). Every request carries
/// `Authorization: Bearer <token>` from an ``AgentTokenSource`` (a ServiceAccount token for the audience
/// `ms2m-agent`); a 401 is retried once with a fresh token, since a rotated token may just have replaced it.
/// Every other refusal, and every transport failure, is thrown as a ``TransferAgentCallError`` naming the agent
/// pod and its node.
///
/// The wire types are private mirrors of the agent's `TransferRequest`/`TransferStatus` (TransferAgent module),
/// so the operator does not link the agent's server; `HTTPTransferAgentsTests` checks them against a real agent.
public struct HTTPTransferAgents: TransferAgentCalling {
    /// How agents are reached.
    public struct Configuration: Sendable {
        /// A PEM file of the CA that signed the agents' serving certificates; nil: the system trust store.
        public var caFile: String?
        /// The name the agents' certificate is verified against (and sent as SNI) instead of the dialled pod IP:
        /// the agents share one certificate for their headless Service, `ms2m-agent.<namespace>.svc`. nil: the
        /// URL's host.
        public var serverName: String?
        /// Skips verification of the agents' certificates. Only when explicitly configured.
        public var insecureSkipVerify: Bool
        /// The limit on each request (connection included).
        public var requestTimeout: Duration
        /// The base URL of an agent (scheme, host and port, no path); by default `https://<podIP>:<port>`.
        /// Simulations map pod IPs to loopback ports.
        public var resolveURL: @Sendable (TransferAgentEndpoint) -> String

        /// A configuration.
        public init(
            caFile: String? = nil, serverName: String? = nil, insecureSkipVerify: Bool = false,
            requestTimeout: Duration = .seconds(10),
            resolveURL: @escaping @Sendable (TransferAgentEndpoint) -> String = HTTPTransferAgents.httpsURL
        ) {
            self.caFile = caFile
            self.serverName = serverName
            self.insecureSkipVerify = insecureSkipVerify
            self.requestTimeout = requestTimeout
            self.resolveURL = resolveURL
        }

        /// The TLS options of the transport: the CA file and server name, or no verification when explicitly
        /// configured.
        var tls: TLSOptions? {
            guard caFile != nil || serverName != nil || insecureSkipVerify else { return nil }
            return TLSOptions(caFile: caFile, insecureSkipVerify: insecureSkipVerify, serverName: serverName)
        }
    }

    /// `https://<podIP>:<port>` (an IPv6 address in brackets).
    public static func httpsURL(_ agent: TransferAgentEndpoint) -> String {
        let host = agent.podIP.contains(":") && !agent.podIP.hasPrefix("[") ? "[\(agent.podIP)]" : agent.podIP
        return "https://\(host):\(agent.port)"
    }

    public let configuration: Configuration
    private let tokens: any AgentTokenSource
    private let transport: any HTTPTransport

    /// Agents reached with a libcurl transport built from `configuration` (its CA file or skip-verify).
    public init(configuration: Configuration = Configuration(), tokens: any AgentTokenSource) {
        let transport = CurlTransport(configuration: .init(
            tls: configuration.tls, connectTimeout: min(configuration.requestTimeout, .seconds(10)),
            userAgent: "ms2m-operator", acceptCompressedResponses: false))
        self.init(configuration: configuration, tokens: tokens, transport: transport)
    }

    /// Agents reached through `transport` (its TLS settings are its own; `configuration`'s are not applied).
    public init(configuration: Configuration, tokens: any AgentTokenSource, transport: any HTTPTransport) {
        self.configuration = configuration
        self.tokens = tokens
        self.transport = transport
    }

    public func start(_ request: TransferAgentRequest, at agent: TransferAgentEndpoint) async throws -> TransferAgentOutcome {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(TransferRequest(request)))
        } catch {
            throw TransferAgentCallError(agent: agent, call: "POST /v1/transfers", problem: .encoding("\(error)"))
        }
        let call = "POST /v1/transfers"
        let response = try await send(.post, "/v1/transfers", body: body, to: agent, call: call)
        guard response.status == 200 || response.status == 202 else {
            throw TransferAgentCallError(agent: agent, call: call, response: response)
        }
        return try Self.outcome(of: response, agent: agent, call: call)
    }

    public func outcome(ofMigration uid: String, at agent: TransferAgentEndpoint) async throws -> TransferAgentOutcome? {
        let escaped = uid.addingPercentEncoding(withAllowedCharacters: Self.pathSegmentCharacters) ?? uid
        let call = "GET /v1/transfers/\(uid)"
        let response = try await send(.get, "/v1/transfers/\(escaped)", body: nil, to: agent, call: call)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw TransferAgentCallError(agent: agent, call: call, response: response) }
        return try Self.outcome(of: response, agent: agent, call: call)
    }

    // MARK: Exchange

    /// Sends one request with a bearer token; on 401, once more with a fresh one.
    private func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, to agent: TransferAgentEndpoint, call: String
    ) async throws -> HTTPResponse {
        let base = configuration.resolveURL(agent)
        var response = try await exchange(method, base, path, body: body, token: try await token(for: agent, call: call), agent: agent, call: call)
        if response.status == 401 {
            await tokens.invalidate()
            response = try await exchange(method, base, path, body: body, token: try await token(for: agent, call: call), agent: agent, call: call)
        }
        return response
    }

    private func token(for agent: TransferAgentEndpoint, call: String) async throws -> String {
        do {
            return try await tokens.token()
        } catch {
            throw TransferAgentCallError(agent: agent, call: call, problem: .noToken("\(error)"))
        }
    }

    private func exchange(
        _ method: HTTPMethod, _ base: String, _ path: String, body: [UInt8]?, token: String, agent: TransferAgentEndpoint,
        call: String
    ) async throws -> HTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)", "Accept": "application/json"]
        if body != nil { headers.add("Content-Type", "application/json") }
        do {
            return try await transport.send(HTTPRequest(
                method: method, url: base + path, headers: headers, body: body, timeout: configuration.requestTimeout))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw TransferAgentCallError(agent: agent, call: call, problem: .unreachable(url: base, "\(error)"))
        }
    }

    /// The outcome a `TransferStatus` body reports.
    private static func outcome(of response: HTTPResponse, agent: TransferAgentEndpoint, call: String) throws -> TransferAgentOutcome {
        do {
            return try JSONDecoder().decode(TransferStatus.self, from: Data(response.body)).outcome
        } catch {
            throw TransferAgentCallError(agent: agent, call: call, problem: .decoding(status: response.status, "\(error)"))
        }
    }

    /// Characters left as they are in one path segment.
    private static let pathSegmentCharacters: CharacterSet = {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return allowed
    }()
}

/// A call to a node agent that failed: what was called, on which agent pod and node, and why.
public struct TransferAgentCallError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Why the call failed.
    public enum Problem: Sendable, Equatable {
        /// The agent answered with an error status; `message` is its `error` field (or the body).
        case refused(status: Int, message: String)
        /// No connection, TLS failure, or timeout at the agent's base URL.
        case unreachable(url: String, String)
        /// No token could be obtained for the agent's audience.
        case noToken(String)
        /// The request could not be encoded.
        case encoding(String)
        /// The agent's answer is not a transfer status.
        case decoding(status: Int, String)
    }

    /// The agent pod (`namespace/name`) and its node.
    public var agentPod: String
    public var node: String
    /// `POST /v1/transfers`, `GET /v1/transfers/{uid}`.
    public var call: String
    public var problem: Problem

    /// An error about `agent`.
    public init(agent: TransferAgentEndpoint, call: String, problem: Problem) {
        agentPod = "\(agent.namespace)/\(agent.pod)"
        node = agent.node
        self.call = call
        self.problem = problem
    }

    /// The refusal an error response carries.
    init(agent: TransferAgentEndpoint, call: String, response: HTTPResponse) {
        let message = (try? JSONDecoder().decode(AgentWire.ErrorBody.self, from: Data(response.body)).error)
            ?? String(decoding: response.body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        self.init(agent: agent, call: call, problem: .refused(status: response.status, message: message))
    }

    /// The HTTP status of a refusal.
    public var status: Int? {
        if case .refused(let status, _) = problem { return status }
        return nil
    }

    public var description: String {
        let prefix = "ms2m-agent \(agentPod) on node \(node): \(call)"
        switch problem {
        case .refused(let status, let message):
            let reason: String
            switch status {
            case 401: reason = " (the operator's token was not accepted)"
            case 403: reason = " (the operator may not create statefulmigrations/transfer)"
            default: reason = ""
            }
            return "\(prefix): HTTP \(status)\(reason): \(message.isEmpty ? "no message" : message)"
        case .unreachable(let url, let message): return "\(prefix): the agent is unreachable at \(url): \(message)"
        case .noToken(let message): return "\(prefix): no token for the ms2m-agent audience: \(message)"
        case .encoding(let message): return "\(prefix): the request could not be encoded: \(message)"
        case .decoding(let status, let message): return "\(prefix): HTTP \(status) without a transfer status: \(message)"
        }
    }
}

extension TransferRequest {
    /// The port's request in the agent's wire format; archives are removed once every push is confirmed.
    init(_ request: TransferAgentRequest) {
        self.init(
            migration: MigrationReference(namespace: request.migrationNamespace, name: request.migrationName, uid: request.migrationUID),
            pod: request.pod,
            pushes: request.pushes.map { ContainerPush(container: $0.container, archive: $0.archive, destination: $0.destination) },
            registry: RegistryOptions(
                insecure: request.insecure, compress: request.compress,
                dockerConfigJSON: request.dockerConfigJSON.map { Data($0).base64EncodedString() }),
            removeArchives: true)
    }
}

extension TransferStatus {
    /// The port's outcome: the digests by container, or why it failed.
    var outcome: TransferAgentOutcome {
        switch state {
        case .running:
            return .running
        case .succeeded:
            var digests: [String: String] = [:]
            for image in images { digests[image.container] = image.digest }
            return .succeeded(digests: digests)
        case .failed:
            let message = error ?? "the transfer failed"
            if let failedContainer, !message.contains(failedContainer) {
                return .failed("container \(failedContainer): \(message)")
            }
            return .failed(message)
        }
    }
}

/// The agent's error body (`AgentError` in the TransferAgent module writes it).
enum AgentWire {
    struct ErrorBody: Decodable {
        var error: String
    }
}
