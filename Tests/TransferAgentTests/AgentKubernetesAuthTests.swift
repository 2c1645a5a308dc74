import Foundation
import KubeClient
import KubeModel
import KubeSim
import TestSupport
import Testing
import Unstructured

@testable import TransferAgent

/// The agent with its production authorizer against an API server (KubeSim serves TokenRequest, TokenReview
/// and SubjectAccessReview with RBAC evaluation): only the operator's ServiceAccount, with a token for the
/// agent's audience and RBAC granting `create` on `statefulmigrations/transfer`, may start a transfer.
/// https://kubernetes.io/docs/reference/access-authn-authz/authentication/#service-account-tokens,
/// https://kubernetes.io/docs/reference/access-authn-authz/rbac/
@Suite("ms2m-agent: authentication and authorisation through the API server")
struct AgentKubernetesAuthTests {
    @Test("the operator's token is admitted; no token, a token for another audience, and an account without the RBAC grant are refused")
    func onlyTheOperator() async throws {
        try await withKubeSim { server in
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: "ms2m-system")))
            let accounts = ResourceDescriptor(group: "", version: "v1", resource: "serviceaccounts", namespaced: true)
            for name in ["ms2m-operator", "intruder"] {
                _ = try await client.create(accounts, ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name), "namespace": "ms2m-system"]])
            }
            _ = try await client.create(ClusterRole(
                metadata: ObjectMeta(name: "ms2m-transfer-caller"),
                rules: [PolicyRule(verbs: ["create"], apiGroups: ["migration.ms2m.io"], resources: ["statefulmigrations/transfer"])]))
            _ = try await client.create(ClusterRoleBinding(
                metadata: ObjectMeta(name: "ms2m-transfer-caller"),
                subjects: [Subject(kind: "ServiceAccount", name: "ms2m-operator", namespace: "ms2m-system")],
                roleRef: RoleRef(kind: "ClusterRole", name: "ms2m-transfer-caller")))
            let audience = [KubernetesAgentAuthorizer.audience]
            let operatorToken = try await client.requestToken(serviceAccount: "ms2m-operator", namespace: "ms2m-system", audiences: audience).token
            let apiServerToken = try await client.requestToken(serviceAccount: "ms2m-operator", namespace: "ms2m-system").token
            let intruderToken = try await client.requestToken(serviceAccount: "intruder", namespace: "ms2m-system", audiences: audience).token

            let fixture = try AgentFixture()
            defer { fixture.remove() }
            let agent = try fixture.agent(authorizer: KubernetesAgentAuthorizer(reviews: client), pusher: StubPusher(delay: .milliseconds(10)))
            let caller = AgentClient(port: try await agent.start())
            defer { caller.shutdown() }

            #expect(try await caller.post(fixture.request(), token: nil).status == 401)
            #expect(try await caller.post(fixture.request(), token: "not-a-token").status == 401)
            #expect(try await caller.post(fixture.request(), token: apiServerToken).status == 401, "a token for the API server is not one for the agent")
            let refused = try await caller.post(fixture.request(), token: intruderToken)
            #expect(refused.status == 403)
            #expect(fixture.exists(fixture.archivePath("cart")), "a refused request touches nothing")
            let admitted = try await caller.post(fixture.request(), token: operatorToken)
            #expect(admitted.status == 202, "\(String(decoding: admitted.body, as: UTF8.self))")
            await agent.shutdown()
        }
    }
}
