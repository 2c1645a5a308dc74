import KubeModel
import Synchronization
import Testing
import TransferAgent

/// The TokenReview + SubjectAccessReview authorizer against a scripted API server.
@Suite("Kubernetes agent authorizer")
struct KubernetesAuthorizerTests {
    /// Answers reviews from a table: tokens → users (with audiences), users → allowed namespaces; counts calls.
    final class ScriptedReviews: KubernetesAccessReviews {
        struct State {
            var tokenReviews = 0
            var accessReviews: [SubjectAccessReviewSpec] = []
        }

        let users: [String: (name: String, audiences: [String])]
        let allowedNamespaces: [String: Set<String>]
        let failing: Bool
        let state = Mutex(State())

        init(
            users: [String: (name: String, audiences: [String])] = [
                "operator-token": ("system:serviceaccount:ms2m-system:ms2m-operator", ["ms2m-agent"]),
                "api-token": ("system:serviceaccount:ms2m-system:ms2m-operator", ["https://kubernetes.default.svc"]),
                "intruder-token": ("system:serviceaccount:shop:intruder", ["ms2m-agent"]),
            ],
            allowedNamespaces: [String: Set<String>] = ["system:serviceaccount:ms2m-system:ms2m-operator": ["shop"]],
            failing: Bool = false
        ) {
            self.users = users
            self.allowedNamespaces = allowedNamespaces
            self.failing = failing
        }

        func reviewToken(_ token: String, audiences: [String]) async throws -> TokenReviewStatus {
            state.withLock { $0.tokenReviews += 1 }
            if failing { throw TestFailure("connection refused") }
            guard let user = users[token] else { return TokenReviewStatus(authenticated: false, error: "invalid bearer token") }
            // Like the API server: a token for other audiences does not authenticate for these.
            let granted = user.audiences.filter(audiences.contains)
            guard !granted.isEmpty else { return TokenReviewStatus(authenticated: false, error: "token audiences do not match") }
            return TokenReviewStatus(
                authenticated: true, user: UserInfo(username: user.name, groups: ["system:serviceaccounts"]), audiences: granted)
        }

        func reviewAccess(_ spec: SubjectAccessReviewSpec) async throws -> SubjectAccessReviewStatus {
            state.withLock { $0.accessReviews.append(spec) }
            let namespace = spec.resourceAttributes?.namespace ?? ""
            let allowed = allowedNamespaces[spec.user ?? ""]?.contains(namespace) == true
            return SubjectAccessReviewStatus(allowed: allowed, reason: allowed ? nil : "no RBAC rule matched")
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let target = TransferTarget(namespace: "shop", migrationName: "move-cart")

    @Test("decisions", arguments: [
        (nil, "shop", 401),
        ("unknown-token", "shop", 401),
        ("api-token", "shop", 401),  // issued for the API server, not the agent
        ("intruder-token", "shop", 403),
        ("operator-token", "payments", 403),
        ("operator-token", "shop", 200),
    ] as [(String?, String, Int)])
    func decisions(_ token: String?, _ namespace: String, _ status: Int) async {
        let authorizer = KubernetesAgentAuthorizer(reviews: ScriptedReviews())
        let target = TransferTarget(namespace: namespace, migrationName: "move-cart")
        do {
            let caller = try await authorizer.authorize(bearerToken: token, target: target)
            #expect(status == 200)
            #expect(caller.username == "system:serviceaccount:ms2m-system:ms2m-operator")
        } catch {
            #expect(error.status == status, "\(error)")
        }
    }

    @Test("asks for create on statefulmigrations/transfer of the migration, as the token's user")
    func accessReviewAttributes() async throws {
        let reviews = ScriptedReviews()
        let authorizer = KubernetesAgentAuthorizer(reviews: reviews, cacheTTL: .zero)
        _ = try await authorizer.authorize(bearerToken: "operator-token", target: Self.target)
        let spec = try #require(reviews.state.withLock { $0.accessReviews.first })
        #expect(spec.user == "system:serviceaccount:ms2m-system:ms2m-operator")
        #expect(spec.groups == ["system:serviceaccounts"])
        #expect(spec.resourceAttributes == ResourceAttributes(
            namespace: "shop", verb: "create", group: "migration.ms2m.io", resource: "statefulmigrations",
            subresource: "transfer", name: "move-cart"))
    }

    @Test("an unreachable API server is 503, never a grant")
    func unavailable() async {
        let authorizer = KubernetesAgentAuthorizer(reviews: ScriptedReviews(failing: true))
        await #expect(throws: AgentAuthorizationError.self) {
            _ = try await authorizer.authorize(bearerToken: "operator-token", target: Self.target)
        }
        do {
            _ = try await authorizer.authorize(bearerToken: "operator-token", target: Self.target)
        } catch {
            #expect(error.status == 503)
        }
    }

    @Test("remembers grants for the TTL, per token and migration, and never refusals")
    func caching() async throws {
        let reviews = ScriptedReviews()
        let authorizer = KubernetesAgentAuthorizer(reviews: reviews, cacheTTL: .seconds(60))
        for _ in 0..<3 { _ = try await authorizer.authorize(bearerToken: "operator-token", target: Self.target) }
        #expect(reviews.state.withLock { $0.tokenReviews } == 1)
        _ = try await authorizer.authorize(
            bearerToken: "operator-token", target: TransferTarget(namespace: "shop", migrationName: "move-ledger"))
        #expect(reviews.state.withLock { $0.tokenReviews } == 2)
        for _ in 0..<2 { _ = try? await authorizer.authorize(bearerToken: "intruder-token", target: Self.target) }
        #expect(reviews.state.withLock { $0.tokenReviews } == 4)
    }
}
