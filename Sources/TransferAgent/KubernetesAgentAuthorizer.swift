import Foundation
public import KubeClient
public import KubeModel

/// The two API server reviews the Kubernetes authorizer asks for (`KubeClient` makes them; tests use a double).
public protocol KubernetesAccessReviews: Sendable {
    /// A TokenReview of `token` for `audiences`.
    func reviewToken(_ token: String, audiences: [String]) async throws -> TokenReviewStatus
    /// A SubjectAccessReview.
    func reviewAccess(_ spec: SubjectAccessReviewSpec) async throws -> SubjectAccessReviewStatus
}

extension KubeClient: KubernetesAccessReviews {}

/// Admits a caller as the kubelet admits its own: the bearer token must pass a TokenReview for the audience
/// `ms2m-agent` (so a token minted for the API server or another service is refused), and the user it names
/// must be allowed, by a SubjectAccessReview, to `create` `statefulmigrations/transfer` (group
/// `migration.ms2m.io`) on the migration in its namespace.
///
/// A refused token is 401, a refused user 403, and an API server that cannot be asked 503. Allowed decisions
/// are remembered for `cacheTTL` (per token and migration) so that polling a transfer does not cost two
/// reviews per request; refusals are never remembered.
public actor KubernetesAgentAuthorizer: AgentAuthorizer {
    /// The audience tokens must be issued for.
    public static let audience = "ms2m-agent"

    /// What the SubjectAccessReview asks about a migration.
    public static func attributes(for target: TransferTarget) -> ResourceAttributes {
        ResourceAttributes(
            namespace: target.namespace, verb: "create", group: "migration.ms2m.io", resource: "statefulmigrations",
            subresource: "transfer", name: target.migrationName)
    }

    private struct CacheKey: Hashable {
        let token: String
        let target: TransferTarget
    }

    private let reviews: any KubernetesAccessReviews
    private let audience: String
    private let cacheTTL: Duration
    private let maxCachedDecisions: Int
    private var allowed: [CacheKey: (caller: AgentCaller, until: ContinuousClock.Instant)] = [:]

    /// An authorizer asking `reviews`; `cacheTTL` zero remembers nothing.
    public init(
        reviews: any KubernetesAccessReviews, audience: String = KubernetesAgentAuthorizer.audience,
        cacheTTL: Duration = .seconds(10), maxCachedDecisions: Int = 1024
    ) {
        self.reviews = reviews
        self.audience = audience
        self.cacheTTL = cacheTTL
        self.maxCachedDecisions = maxCachedDecisions
    }

    public func authorize(bearerToken: String?, target: TransferTarget) async throws(AgentAuthorizationError) -> AgentCaller {
        guard let token = bearerToken, !token.isEmpty else { throw .unauthenticated("a bearer token is required") }
        let key = CacheKey(token: token, target: target)
        let now = ContinuousClock.now
        if let remembered = allowed[key], remembered.until > now { return remembered.caller }

        let identity: TokenReviewStatus
        do {
            identity = try await reviews.reviewToken(token, audiences: [audience])
        } catch {
            throw .unavailable("the token cannot be reviewed: \(error)")
        }
        guard identity.isAuthenticated, let user = identity.user, let username = user.username, !username.isEmpty else {
            throw .unauthenticated("the bearer token is not valid" + (identity.error.map { ": \($0)" } ?? ""))
        }
        guard identity.audiences?.contains(audience) == true else {
            throw .unauthenticated("the bearer token was not issued for the audience \(audience)")
        }
        let decision: SubjectAccessReviewStatus
        do {
            decision = try await reviews.reviewAccess(
                SubjectAccessReviewSpec(user: user, resourceAttributes: Self.attributes(for: target)))
        } catch {
            throw .unavailable("the caller's access cannot be reviewed: \(error)")
        }
        guard decision.allowed else {
            throw .forbidden(
                "\(username) may not create statefulmigrations/transfer (migration.ms2m.io) for \(target)"
                    + (decision.reason.map { ": \($0)" } ?? ""))
        }
        let caller = AgentCaller(username: username, groups: user.groups ?? [])
        remember(caller, for: key, now: now)
        return caller
    }

    private func remember(_ caller: AgentCaller, for key: CacheKey, now: ContinuousClock.Instant) {
        guard cacheTTL > .zero else { return }
        if allowed.count >= maxCachedDecisions {
            allowed = allowed.filter { $0.value.until > now }
            if allowed.count >= maxCachedDecisions { allowed.removeAll() }
        }
        allowed[key] = (caller, now + cacheTTL)
    }
}
