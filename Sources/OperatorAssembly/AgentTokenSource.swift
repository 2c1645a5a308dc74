import Foundation
public import KubeClient
public import KubeModel

/// Where the operator's bearer tokens for node agents come from: ServiceAccount tokens for the audience
/// `ms2m-agent`, which an agent checks with a TokenReview and a SubjectAccessReview.
public protocol AgentTokenSource: Sendable {
    /// A current token.
    func token() async throws -> String
    /// Forgets the current token (an agent refused it); the next `token()` fetches or reads a fresh one.
    func invalidate() async
}

/// The token sources the operator chooses between.
public enum AgentTokenSources {
    /// The audience agents accept tokens for (the agent's `KubernetesAgentAuthorizer.audience`).
    public static let audience = "ms2m-agent"

    /// Where the operator's Deployment projects its agent token (a `serviceAccountToken` projection with
    /// `audience: ms2m-agent`).
    public static let projectedTokenFile = "/var/run/secrets/ms2m-agent/token"

    /// The projected token file when it exists; otherwise tokens from the TokenRequest API for the operator's
    /// own ServiceAccount (`serviceAccount` in `namespace`), which needs `create` on `serviceaccounts/token`.
    public static func automatic(
        tokenFile: String = projectedTokenFile, serviceAccount: String, namespace: String, client: KubeClient
    ) -> any AgentTokenSource {
        if FileManager.default.fileExists(atPath: tokenFile) {
            return ProjectedAgentTokenFile(path: tokenFile)
        }
        return TokenRequestAgentTokens(client: client, serviceAccount: serviceAccount, namespace: namespace)
    }
}

/// Why no token could be had.
public struct AgentTokenError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String

    /// An error with a message.
    public init(_ description: String) { self.description = description }
}

/// One fixed token: for simulations (an agent with a static token) and tests.
public struct StaticAgentToken: AgentTokenSource {
    private let value: String

    /// A source always answering `token` (surrounding whitespace removed).
    public init(_ token: String) { value = token.trimmingCharacters(in: .whitespacesAndNewlines) }

    public func token() async throws -> String {
        guard !value.isEmpty else { throw AgentTokenError("the static agent token is empty") }
        return value
    }

    public func invalidate() async {}
}

/// A projected ServiceAccount token the kubelet keeps current in a file (by default
/// `/var/run/secrets/ms2m-agent/token`). The kubelet rotates it by swapping a symlinked directory, so the file
/// is read again when the file behind the symlinks changes (another inode, size or modification time), when
/// `maximumAge` has passed since it was read, or after `invalidate()`.
public actor ProjectedAgentTokenFile: AgentTokenSource {
    /// The token file.
    public nonisolated let path: String
    /// How long a read token is used without looking at the file's content again.
    public nonisolated let maximumAge: Duration

    private struct Version: Equatable {
        var file: String
        var inode: UInt64?
        var size: Int64?
        var modified: Date?
    }

    private var cached: (token: String, version: Version, readAt: ContinuousClock.Instant)?

    /// A source reading `path`.
    public init(path: String = AgentTokenSources.projectedTokenFile, maximumAge: Duration = .seconds(60)) {
        self.path = path
        self.maximumAge = maximumAge
    }

    public func token() async throws -> String {
        let version = try currentVersion()
        if let cached, cached.version == version, ContinuousClock.now - cached.readAt < maximumAge {
            return cached.token
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentTokenError("the agent token file \(path) cannot be read")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw AgentTokenError("the agent token file \(path) is empty") }
        cached = (token, version, ContinuousClock.now)
        return token
    }

    public func invalidate() async {
        cached = nil
    }

    /// The identity of the file the path leads to now.
    private func currentVersion() throws -> Version {
        let file = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file) else {
            throw AgentTokenError("the agent token file \(path) does not exist")
        }
        return Version(
            file: file, inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value,
            size: (attributes[.size] as? NSNumber)?.int64Value, modified: attributes[.modificationDate] as? Date)
    }
}

/// Tokens from the TokenRequest API (`POST .../serviceaccounts/{name}/token`) for the audience `ms2m-agent`,
/// each used until 80 % of its lifetime has passed (as the kubelet renews projected tokens), then renewed.
/// Concurrent callers share one request.
public actor TokenRequestAgentTokens: AgentTokenSource {
    /// Issues a token: `(serviceAccount, namespace, audiences, expirationSeconds)` → the token and the server's
    /// expiration (nil: `expirationSeconds` from now).
    public typealias Issuer = @Sendable (String, String, [String], Int64) async throws -> (token: String, expiration: Time?)

    /// The operator's ServiceAccount and its namespace.
    public nonisolated let serviceAccount: String
    public nonisolated let namespace: String
    /// The lifetime asked for (the API server may shorten it; at least 600).
    public nonisolated let expirationSeconds: Int64
    /// The share of a token's lifetime after which it is renewed.
    public nonisolated let renewalFraction: Double

    private let issuer: Issuer
    private let now: @Sendable () -> Date
    private var cached: (token: String, renewAt: Date)?
    private var pending: Task<(token: String, renewAt: Date), any Error>?

    /// Tokens issued by `client` for `serviceAccount` in `namespace`.
    public init(
        client: KubeClient, serviceAccount: String, namespace: String, expirationSeconds: Int64 = 3600,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(serviceAccount: serviceAccount, namespace: namespace, expirationSeconds: expirationSeconds, now: now) {
            account, namespace, audiences, seconds in
            try await client.requestToken(
                serviceAccount: account, namespace: namespace, audiences: audiences, expirationSeconds: seconds)
        }
    }

    /// Tokens from `issuer`; `now` is the clock lifetimes are measured with.
    public init(
        serviceAccount: String, namespace: String, expirationSeconds: Int64 = 3600, renewalFraction: Double = 0.8,
        now: @escaping @Sendable () -> Date = { Date() }, issuer: @escaping Issuer
    ) {
        self.serviceAccount = serviceAccount
        self.namespace = namespace
        self.expirationSeconds = expirationSeconds
        self.renewalFraction = renewalFraction
        self.now = now
        self.issuer = issuer
    }

    public func token() async throws -> String {
        if let cached, now() < cached.renewAt { return cached.token }
        if let pending { return try await pending.value.token }
        let (issuer, now) = (self.issuer, self.now)
        let (account, namespace, seconds, fraction) = (serviceAccount, self.namespace, expirationSeconds, renewalFraction)
        let request = Task { () throws -> (token: String, renewAt: Date) in
            let issuedAt = now()
            let answer: (token: String, expiration: Time?)
            do {
                answer = try await issuer(account, namespace, [AgentTokenSources.audience], seconds)
            } catch {
                throw AgentTokenError(
                    "TokenRequest for ServiceAccount \(namespace)/\(account) (audience \(AgentTokenSources.audience)) failed: \(error)")
            }
            let expiry = answer.expiration?.date ?? issuedAt.addingTimeInterval(TimeInterval(seconds))
            let lifetime = max(0, expiry.timeIntervalSince(issuedAt))
            return (answer.token, issuedAt.addingTimeInterval(lifetime * fraction))
        }
        pending = request
        defer { pending = nil }
        let issued = try await request.value
        cached = issued
        return issued.token
    }

    public func invalidate() async {
        cached = nil
    }
}
