import KubeClient
import KubeModel
import KubeSim
import TestSupport
import Testing

/// `requestToken`, `reviewToken` and `reviewAccess` against KubeSim, which serves TokenRequest, TokenReview and
/// SubjectAccessReview as kube-apiserver does (Tests/KubeSimTests/AuthAPITests.swift checks that).
@Suite("KubeClient: TokenRequest, TokenReview, SubjectAccessReview")
struct ClientAuthReviewTests {
    struct ServiceAccountObject: KubernetesObject {
        static let group = ""
        static let version = "v1"
        static let kind = "ServiceAccount"
        static let plural = "serviceaccounts"
        static let isNamespaced = true
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta
    }

    func account(_ client: KubeClient, _ name: String, namespace: String = "default") async throws -> ServiceAccountObject {
        try await client.create(ServiceAccountObject(metadata: ObjectMeta(name: name, namespace: namespace)))
    }

    // https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
    @Test("requestToken issues a token with the server's expiration; missing account and short lifetimes throw")
    func requestToken() async throws {
        try await withEmulator { _, client in
            let missing = await #expect(throws: KubeAPIError.self) {
                try await client.requestToken(serviceAccount: "ms2m-operator", namespace: "default")
            }
            #expect(missing?.code == 404)
            _ = try await account(client, "ms2m-operator")
            let before = Time.now()
            let (token, expiration) = try await client.requestToken(
                serviceAccount: "ms2m-operator", namespace: "default", audiences: ["warm-node-agent"], expirationSeconds: 900)
            #expect(!token.isEmpty)
            let expires = try #require(expiration)
            #expect(expires.secondsSinceEpoch >= before.secondsSinceEpoch + 899)
            #expect(expires.secondsSinceEpoch <= before.secondsSinceEpoch + 902)
            let short = await #expect(throws: KubeAPIError.self) {
                try await client.requestToken(serviceAccount: "ms2m-operator", namespace: "default", expirationSeconds: 60)
            }
            #expect(short?.code == 422)
        }
    }

    // https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/
    @Test("reviewToken authenticates the operator's token for the agent's audience only")
    func reviewToken() async throws {
        try await withEmulator { _, client in
            let sa = try await account(client, "ms2m-operator")
            let (token, _) = try await client.requestToken(
                serviceAccount: "ms2m-operator", namespace: "default", audiences: ["warm-node-agent"])
            let review = try await client.reviewToken(token, audiences: ["warm-node-agent"])
            #expect(review.isAuthenticated)
            #expect(review.user?.username == "system:serviceaccount:default:ms2m-operator")
            #expect(review.user?.uid == sa.metadata.uid)
            #expect(review.user?.groups == ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
            #expect(review.audiences == ["warm-node-agent"])
            #expect(review.error == nil)

            let elsewhere = try await client.reviewToken(token, audiences: ["another-agent"])
            #expect(!elsewhere.isAuthenticated)
            #expect(elsewhere.error?.contains("is invalid for the target audiences") == true)
            let garbage = try await client.reviewToken("garbage", audiences: ["warm-node-agent"])
            #expect(!garbage.isAuthenticated)
            #expect(garbage.user?.username == nil)
        }
    }

    // https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/subject-access-review-v1/ and
    // https://kubernetes.io/docs/reference/access-authn-authz/rbac/
    @Test("reviewAccess: the token's user may transfer only after RBAC grants it; invalid specs throw 422")
    func reviewAccess() async throws {
        try await withEmulator { _, client in
            _ = try await account(client, "ms2m-operator")
            let (token, _) = try await client.requestToken(
                serviceAccount: "ms2m-operator", namespace: "default", audiences: ["warm-node-agent"])
            let user = try #require(try await client.reviewToken(token, audiences: ["warm-node-agent"]).user)
            let transfer = ResourceAttributes(
                namespace: "shop", verb: "create", group: "ms2m.io", resource: "statefulmigrations",
                subresource: "transfer", name: "orders-0")
            let refused = try await client.reviewAccess(SubjectAccessReviewSpec(user: user, resourceAttributes: transfer))
            #expect(!refused.allowed)

            _ = try await client.create(ClusterRole(
                metadata: ObjectMeta(name: "ms2m-transfer"),
                rules: [PolicyRule(verbs: ["create"], apiGroups: ["ms2m.io"], resources: ["statefulmigrations/transfer"])]))
            _ = try await client.create(ClusterRoleBinding(
                metadata: ObjectMeta(name: "ms2m-transfer"), subjects: [.serviceAccount("ms2m-operator", namespace: "default")],
                roleRef: RoleRef(kind: "ClusterRole", name: "ms2m-transfer")))
            let allowed = try await client.reviewAccess(SubjectAccessReviewSpec(user: user, resourceAttributes: transfer))
            #expect(allowed.allowed)
            #expect(allowed.reason == "RBAC: allowed by ClusterRoleBinding \"ms2m-transfer\" of ClusterRole \"ms2m-transfer\" to ServiceAccount \"ms2m-operator/default\"")
            var other = transfer
            other.subresource = nil
            #expect(try await client.reviewAccess(SubjectAccessReviewSpec(user: user, resourceAttributes: other)).allowed == false)

            let invalid = await #expect(throws: KubeAPIError.self) {
                try await client.reviewAccess(SubjectAccessReviewSpec(resourceAttributes: transfer))
            }
            #expect(invalid?.code == 422)
            let bindings = try await client.list(ClusterRoleBinding.self)
            #expect(bindings.items.contains { $0.metadata.name == "cluster-admin" && $0.subjects?.first?.name == "system:masters" })
        }
    }
}
