import Foundation

/// The migration a `/v1` request acts on: what a caller must be allowed to touch.
public struct TransferTarget: Sendable, Hashable, CustomStringConvertible {
    public var namespace: String
    /// The `StatefulMigration`'s name.
    public var migrationName: String

    public init(namespace: String, migrationName: String) {
        self.namespace = namespace
        self.migrationName = migrationName
    }

    public var description: String { "\(namespace)/\(migrationName)" }
}

/// Who made an authorised request (for logs).
public struct AgentCaller: Sendable, Hashable {
    /// The authenticated user name, e.g. `system:serviceaccount:ms2m-system:ms2m-operator`.
    public var username: String
    public var groups: [String]

    public init(username: String, groups: [String] = []) {
        self.username = username
        self.groups = groups
    }
}

/// Why a caller was refused.
public enum AgentAuthorizationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No token, or one that does not authenticate (401).
    case unauthenticated(String)
    /// Authenticated but not allowed to act on the migration (403).
    case forbidden(String)
    /// The decision could not be made, e.g. the API server is unreachable (503).
    case unavailable(String)

    public var description: String {
        switch self {
        case .unauthenticated(let why), .forbidden(let why), .unavailable(let why): return why
        }
    }

    /// The HTTP status it is answered with.
    public var status: Int {
        switch self {
        case .unauthenticated: return 401
        case .forbidden: return 403
        case .unavailable: return 503
        }
    }
}

/// Decides whether the bearer of a token may start or read a migration's transfer (the port every `/v1`
/// request goes through). The Kubernetes adapter authenticates with a TokenReview (audience `ms2m-agent`) and
/// authorises with a SubjectAccessReview for `create` on `statefulmigrations/transfer` (group
/// `migration.ms2m.io`) in the migration's namespace.
public protocol AgentAuthorizer: Sendable {
    /// The caller, when `bearerToken` authenticates and may act on `target`; throws
    /// `AgentAuthorizationError` otherwise.
    func authorize(bearerToken: String?, target: TransferTarget) async throws(AgentAuthorizationError) -> AgentCaller
}

/// Refuses every request: what an agent runs with when no way to authenticate was configured (it never
/// serves `/v1` unauthenticated).
public struct DenyAllAuthorizer: AgentAuthorizer {
    public init() {}

    public func authorize(bearerToken: String?, target: TransferTarget) async throws(AgentAuthorizationError) -> AgentCaller {
        throw .unauthenticated("the agent has no authenticator configured; every /v1 request is refused")
    }
}

/// Accepts one shared token (read from a file) for every namespace: for simulations and tests only, where no
/// API server can review tokens. Compared in constant time.
public struct StaticTokenAuthorizer: AgentAuthorizer {
    private let token: [UInt8]
    private let caller: AgentCaller

    /// An authorizer accepting `token` (surrounding whitespace ignored); nil when it is empty.
    public init?(token: String, caller: AgentCaller = AgentCaller(username: "static-token")) {
        let trimmed = Array(token.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard !trimmed.isEmpty else { return nil }
        self.token = trimmed
        self.caller = caller
    }

    public func authorize(bearerToken: String?, target: TransferTarget) async throws(AgentAuthorizationError) -> AgentCaller {
        guard let bearerToken, !bearerToken.isEmpty else { throw .unauthenticated("a bearer token is required") }
        let offered = Array(bearerToken.utf8)
        var difference = UInt8(offered.count == token.count ? 0 : 1)
        for index in token.indices { difference |= token[index] ^ (index < offered.count ? offered[index] : 0) }
        guard difference == 0 else { throw .unauthenticated("the bearer token is not valid") }
        return caller
    }
}
