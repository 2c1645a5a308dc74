import HTTPTransport
import KubeSim
import Testing
import Unstructured

/// TokenRequest, TokenReview, SubjectAccessReview and RBAC as kube-apiserver serves them. Each test names the
/// documentation or source it was written from.
@Suite("KubeSim: TokenRequest, TokenReview, SubjectAccessReview, RBAC")
struct AuthAPITests {
    static let apiAudience = "https://kubernetes.default.svc.cluster.local"
    let reviews = "/apis/authentication.k8s.io/v1/tokenreviews"
    let sars = "/apis/authorization.k8s.io/v1/subjectaccessreviews"

    func serviceAccount(_ name: String, namespace: String = "default") -> JSONValue {
        ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name), "namespace": .string(namespace)]]
    }

    func tokenPath(_ name: String, namespace: String = "default") -> String {
        "/api/v1/namespaces/\(namespace)/serviceaccounts/\(name)/token"
    }

    func tokenRequest(audiences: [String] = [], expirationSeconds: Int64? = nil) -> JSONValue {
        var spec: JSONObject = ["audiences": .array(audiences.map { .string($0) })]
        if let expirationSeconds { spec["expirationSeconds"] = .int(expirationSeconds) }
        return ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": .object(spec)]
    }

    func tokenReview(_ token: String, audiences: [String] = []) -> JSONValue {
        var spec: JSONObject = ["token": .string(token)]
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map { .string($0) }) }
        return ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": .object(spec)]
    }

    /// Issues a token for `default/name` through the API.
    func issue(_ client: SimClient, _ name: String, audiences: [String] = []) async throws -> String {
        let r = try await client.post(tokenPath(name), tokenRequest(audiences: audiences))
        #expect(r.status == 201, "\(r.text)")
        return try #require(r.json[path: ["status", "token"]]?.stringValue)
    }

    // MARK: TokenRequest

    // https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/ and
    // pkg/registry/core/serviceaccount/storage/token.go, pkg/apis/authentication/validation (10 minutes minimum).
    @Test("TokenRequest: 404 without the ServiceAccount, 422 below 600 s, defaults to 3600 s and the API audience")
    func tokenRequestContract() async throws {
        try await withSim { _, client in
            let missing = try await client.post(tokenPath("nobody"), tokenRequest())
            #expect(missing.status == 404)
            #expect(missing.json["message"] == "serviceaccounts \"nobody\" not found")
            _ = try await client.post("/api/v1/namespaces/default/serviceaccounts", serviceAccount("agent"))
            let short = try await client.post(tokenPath("agent"), tokenRequest(expirationSeconds: 599))
            #expect(short.status == 422)
            #expect(short.json["reason"] == "Invalid")
            #expect(short.json[path: ["details", "kind"]] == "TokenRequest")
            #expect(short.json[path: ["details", "group"]] == "authentication.k8s.io")
            #expect(short.json["message"] == "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes")
            let renamed = try await client.post(tokenPath("agent"), ["metadata": ["name": "other"], "spec": [:]])
            #expect(renamed.status == 422)

            let issued = try await client.post(tokenPath("agent"), tokenRequest())
            #expect(issued.status == 201)
            #expect(issued.json["kind"] == "TokenRequest")
            #expect(issued.json[path: ["metadata", "name"]] == "agent")
            #expect(issued.json[path: ["spec", "audiences"]] == [.string(Self.apiAudience)])
            #expect(issued.json[path: ["spec", "expirationSeconds"]] == 3600)
            let token = try #require(issued.json[path: ["status", "token"]]?.stringValue)
            #expect(token.split(separator: ".").count == 3, "JWT-shaped")
            let expiry = try #require(issued.json[path: ["status", "expirationTimestamp"]]?.stringValue)
            #expect(expiry.hasSuffix("Z"))
            #expect(issued.json[path: ["status", "expirationTimestamp"]] != issued.json[path: ["metadata", "creationTimestamp"]])

            let discovery = try await client.get("/api/v1").json["resources"]?.arrayValue ?? []
            let sub = discovery.first { $0["name"] == "serviceaccounts/token" }
            #expect(sub?["kind"] == "TokenRequest")
            #expect(sub?["group"] == "authentication.k8s.io")
            #expect(sub?["verbs"] == ["create"])
        }
    }

    // https://kubernetes.io/docs/reference/access-authn-authz/authentication/#service-account-tokens: a bound
    // token authenticates as system:serviceaccount:<ns>:<name>; it stops working when the account is deleted, and a
    // token for another audience is not accepted by the API server.
    @Test("a TokenRequest token authenticates requests as the ServiceAccount until the account is deleted")
    func tokenAuthenticatesRequests() async throws {
        try await withSim({ $0.authentication = .init(bearerTokens: ["admin"]) }) { server, client in
            var admin = client
            admin.headers = ["Authorization": "Bearer admin"]
            _ = try await admin.post("/api/v1/namespaces/default/serviceaccounts", serviceAccount("operator"))
            let token = try await issue(admin, "operator")
            let foreign = try await issue(admin, "operator", audiences: ["warm-node-agent"])
            var asAccount = client
            asAccount.headers = ["Authorization": "Bearer \(token)"]
            #expect(try await asAccount.get("/api/v1/namespaces/default/configmaps").status == 200)
            var asForeign = client
            asForeign.headers = ["Authorization": "Bearer \(foreign)"]
            #expect(try await asForeign.get("/api/v1/namespaces/default/configmaps").status == 401, "audience is not the API server's")

            // Admission webhooks would see the account as the requesting user: a SelfSubjectReview shows it.
            let whoami = try await asAccount.post(
                "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
            #expect(whoami.status == 201)
            #expect(whoami.json[path: ["status", "userInfo", "username"]] == "system:serviceaccount:default:operator")

            #expect(try await admin.delete("/api/v1/namespaces/default/serviceaccounts/operator").status == 200)
            #expect(try await asAccount.get("/api/v1/namespaces/default/configmaps").status == 401)
            let review = try await admin.post(reviews, tokenReview(token))
            #expect(review.json[path: ["status", "authenticated"]] == nil)
            #expect(review.json[path: ["status", "error"]]?.stringValue?.contains("serviceaccounts \"operator\" not found") == true)

            // A new account of the same name has another uid: the old token stays dead.
            _ = try await admin.post("/api/v1/namespaces/default/serviceaccounts", serviceAccount("operator"))
            #expect(try await asAccount.get("/api/v1/namespaces/default/configmaps").status == 401)
            _ = server
        }
    }

    // MARK: TokenReview

    // https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/ and
    // pkg/registry/authentication/tokenreview/storage.go; k8s.io/apiserver pkg/authentication/authenticator
    // audiences.go (static tokens are audience-agnostic: valid only for the API server's audiences).
    @Test("TokenReview: user, groups, uid and audiences of a valid token; errors for wrong audience, garbage, expiry")
    func tokenReviewContract() async throws {
        try await withSim({
            $0.authentication = .init(tokenUsers: ["static-token": KubeSimUser(username: "alice", uid: "u-1", groups: ["devs"])])
        }) { server, client in
            var admin = client
            admin.headers = ["Authorization": "Bearer static-token"]
            let created = try await admin.post("/api/v1/namespaces/default/serviceaccounts", serviceAccount("operator"))
            let uid = try #require(created.json[path: ["metadata", "uid"]]?.stringValue)
            let token = try await issue(admin, "operator", audiences: ["warm-node-agent", "other"])

            let valid = try await admin.post(reviews, tokenReview(token, audiences: ["warm-node-agent"]))
            #expect(valid.status == 201)
            #expect(valid.json["kind"] == "TokenReview")
            #expect(valid.json[path: ["spec", "token"]]?.stringValue == token, "the review is echoed")
            #expect(valid.json[path: ["status", "authenticated"]] == true)
            #expect(valid.json[path: ["status", "user", "username"]] == "system:serviceaccount:default:operator")
            #expect(valid.json[path: ["status", "user", "uid"]]?.stringValue == uid)
            #expect(valid.json[path: ["status", "user", "groups"]] == ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
            #expect(valid.json[path: ["status", "audiences"]] == ["warm-node-agent"])
            #expect(valid.json[path: ["status", "user", "extra", "authentication.kubernetes.io/credential-id"]]?.arrayValue?.first?.stringValue?.hasPrefix("JTI=") == true)

            let wrong = try await admin.post(reviews, tokenReview(token, audiences: ["somebody-else"]))
            #expect(wrong.json[path: ["status", "authenticated"]] == nil)
            #expect(wrong.json[path: ["status", "error"]] == "[invalid bearer token, token audiences [\"warm-node-agent\" \"other\"] is invalid for the target audiences [\"somebody-else\"]]")
            let apiAudience = try await admin.post(reviews, tokenReview(token))
            #expect(apiAudience.json[path: ["status", "authenticated"]] == nil, "no audiences means the API server's")

            let garbage = try await admin.post(reviews, tokenReview("not-a-token"))
            #expect(garbage.status == 201)
            #expect(garbage.json[path: ["status", "authenticated"]] == nil)
            #expect(garbage.json[path: ["status", "error"]] == "invalid bearer token")
            #expect(garbage.json[path: ["status", "user"]] == [:])
            let empty = try await admin.post(reviews, tokenReview(""))
            #expect(empty.status == 400)
            #expect(empty.json["message"] == "token is required for TokenReview in authentication")

            let asStatic = try await admin.post(reviews, tokenReview("static-token"))
            #expect(asStatic.json[path: ["status", "authenticated"]] == true)
            #expect(asStatic.json[path: ["status", "user", "username"]] == "alice")
            #expect(asStatic.json[path: ["status", "user", "groups"]] == ["devs", "system:authenticated"])
            #expect(asStatic.json[path: ["status", "audiences"]] == [.string(Self.apiAudience)])
            let staticElsewhere = try await admin.post(reviews, tokenReview("static-token", audiences: ["warm-node-agent"]))
            #expect(staticElsewhere.json[path: ["status", "authenticated"]] == nil, "static tokens are for the API server only")

            server.advanceTokenClock(bySeconds: 3600 + 61)
            let expired = try await admin.post(reviews, tokenReview(token, audiences: ["warm-node-agent"]))
            #expect(expired.json[path: ["status", "authenticated"]] == nil)
            #expect(expired.json[path: ["status", "error"]] == "[invalid bearer token, service account token has expired]")

            #expect(try await admin.get(reviews).status == 405, "create only")
            let groups = try await admin.get("/apis/authentication.k8s.io/v1").json["resources"]?.arrayValue ?? []
            #expect(groups.contains { $0["name"] == "tokenreviews" && $0["verbs"] == ["create"] })
        }
    }

    // MARK: SubjectAccessReview over RBAC

    func post(_ client: SimClient, _ path: String, _ body: JSONValue) async throws {
        let r = try await client.post(path, body)
        #expect(r.status == 201, "\(path): \(r.text)")
    }

    func rule(_ verbs: [String], groups: [String] = [""], resources: [String], names: [String]? = nil) -> JSONValue {
        var o: JSONObject = [
            "verbs": .array(verbs.map { .string($0) }), "apiGroups": .array(groups.map { .string($0) }),
            "resources": .array(resources.map { .string($0) }),
        ]
        if let names { o["resourceNames"] = .array(names.map { .string($0) }) }
        return .object(o)
    }

    func role(_ kind: String, _ name: String, namespace: String? = nil, _ rules: [JSONValue]) -> JSONValue {
        var meta: JSONObject = ["name": .string(name)]
        if let namespace { meta["namespace"] = .string(namespace) }
        return ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": .object(meta), "rules": .array(rules)]
    }

    func binding(_ kind: String, _ name: String, namespace: String? = nil, role: (String, String), subjects: [JSONValue]) -> JSONValue {
        var meta: JSONObject = ["name": .string(name)]
        if let namespace { meta["namespace"] = .string(namespace) }
        return [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": .object(meta),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(role.0), "name": .string(role.1)],
            "subjects": .array(subjects),
        ]
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var user: String
        var groups: [String] = []
        var attributes: JSONValue
        var allowed: Bool
        var reason: String? = nil
    }

    static func resource(_ verb: String, _ resource: String, group: String = "", namespace: String = "", subresource: String = "", name: String = "") -> JSONValue {
        [
            "resourceAttributes": [
                "verb": .string(verb), "group": .string(group), "resource": .string(resource),
                "namespace": .string(namespace), "subresource": .string(subresource), "name": .string(name),
            ]
        ]
    }

    static let operatorSA = "system:serviceaccount:ms2m-system:ms2m-operator"
    static let migrations = "ms2m.io"

    static let cases: [Case] = [
        Case(description: "ClusterRoleBinding to a ServiceAccount: transfer in any namespace", user: operatorSA,
             attributes: resource("create", "statefulmigrations", group: migrations, namespace: "shop", subresource: "transfer"),
             allowed: true, reason: "RBAC: allowed by ClusterRoleBinding \"transfer\" of ClusterRole \"transfer\" to ServiceAccount \"ms2m-operator/ms2m-system\""),
        Case(description: "the subresource rule does not grant the main resource", user: operatorSA,
             attributes: resource("create", "statefulmigrations", group: migrations, namespace: "shop"), allowed: false),
        Case(description: "another ServiceAccount of the same name elsewhere is not bound", user: "system:serviceaccount:default:ms2m-operator",
             attributes: resource("create", "statefulmigrations", group: migrations, namespace: "shop", subresource: "transfer"), allowed: false),
        Case(description: "RoleBinding to a Role applies in its namespace", user: "bob",
             attributes: resource("get", "configmaps", namespace: "team-a"), allowed: true,
             reason: "RBAC: allowed by RoleBinding \"read-cm/team-a\" of Role \"read-cm\" to User \"bob\""),
        Case(description: "RoleBinding does not apply in another namespace", user: "bob",
             attributes: resource("get", "configmaps", namespace: "team-b"), allowed: false),
        Case(description: "RoleBinding does not apply cluster-wide", user: "bob",
             attributes: resource("get", "configmaps"), allowed: false),
        Case(description: "RoleBinding to a ClusterRole grants its rules in the namespace", user: "carol",
             attributes: resource("list", "pods", namespace: "team-a"), allowed: true,
             reason: "RBAC: allowed by RoleBinding \"pod-reader/team-a\" of ClusterRole \"pod-reader\" to User \"carol\""),
        Case(description: "... and only there", user: "carol", attributes: resource("list", "pods", namespace: "team-b"), allowed: false),
        Case(description: "a verb the rule lacks", user: "carol", attributes: resource("delete", "pods", namespace: "team-a"), allowed: false),
        Case(description: "resourceNames: the named object", user: "dave",
             attributes: resource("get", "secrets", namespace: "team-a", name: "registry"), allowed: true),
        Case(description: "resourceNames: another object", user: "dave",
             attributes: resource("get", "secrets", namespace: "team-a", name: "other"), allowed: false),
        Case(description: "resourceNames: no name (list) is not granted", user: "dave",
             attributes: resource("list", "secrets", namespace: "team-a"), allowed: false),
        Case(description: "* verbs and resources in a group", user: "erin",
             attributes: resource("deletecollection", "statefulsets", group: "apps", namespace: "x"), allowed: true),
        Case(description: "* resources include subresources", user: "erin",
             attributes: resource("update", "statefulsets", group: "apps", namespace: "x", subresource: "scale"), allowed: true),
        Case(description: "... but not another group", user: "erin", attributes: resource("get", "pods", namespace: "x"), allowed: false),
        Case(description: "*/scale matches any resource's scale", user: "frank",
             attributes: resource("patch", "deployments", group: "apps", namespace: "x", subresource: "scale"), allowed: true),
        Case(description: "Group subject", user: "gina", groups: ["node-agents"],
             attributes: resource("get", "nodes"), allowed: true,
             reason: "RBAC: allowed by ClusterRoleBinding \"agents\" of ClusterRole \"node-reader\" to Group \"node-agents\""),
        Case(description: "group alone, without a user", user: "", groups: ["node-agents"],
             attributes: resource("watch", "nodes"), allowed: true),
        Case(description: "nonResourceURLs with a trailing *", user: "hank",
             attributes: ["nonResourceAttributes": ["path": "/metrics/cadvisor", "verb": "get"]], allowed: true),
        Case(description: "nonResourceURLs exact", user: "hank",
             attributes: ["nonResourceAttributes": ["path": "/healthz", "verb": "get"]], allowed: true),
        Case(description: "nonResourceURLs other path", user: "hank",
             attributes: ["nonResourceAttributes": ["path": "/logs", "verb": "get"]], allowed: false),
        Case(description: "bootstrap system:public-info-viewer for system:authenticated", user: "nobody", groups: ["system:authenticated"],
             attributes: ["nonResourceAttributes": ["path": "/version", "verb": "get"]], allowed: true),
        Case(description: "system:masters is allowed everything", user: "root", groups: ["system:masters"],
             attributes: resource("delete", "nodes", name: "n1"), allowed: true, reason: ""),
        Case(description: "a binding to a missing role reports it in the reason", user: "ivan",
             attributes: resource("get", "pods", namespace: "team-a"), allowed: false,
             reason: "RBAC: role.rbac.authorization.k8s.io \"missing\" not found"),
    ]

    // https://kubernetes.io/docs/reference/access-authn-authz/rbac/ and plugin/pkg/auth/authorizer/rbac
    // (RuleAllows, appliesTo, describeSubject).
    @Test("SubjectAccessReview evaluates RBAC", arguments: cases)
    func subjectAccessReview(_ c: Case) async throws {
        try await withSim { _, client in
            try await setUpRBAC(client)
            var spec = c.attributes.objectValue ?? [:]
            if !c.user.isEmpty { spec["user"] = .string(c.user) }
            if !c.groups.isEmpty { spec["groups"] = .array(c.groups.map { .string($0) }) }
            let r = try await client.post(sars, ["apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": .object(spec)])
            #expect(r.status == 201, "\(r.text)")
            #expect(r.json[path: ["status", "allowed"]] == .bool(c.allowed), "\(r.text)")
            if let reason = c.reason {
                #expect((r.json[path: ["status", "reason"]]?.stringValue ?? "") == reason)
            }
        }
    }

    func setUpRBAC(_ client: SimClient) async throws {
        let r = "/apis/rbac.authorization.k8s.io/v1"
        for ns in ["team-a", "team-b", "ms2m-system"] {
            _ = try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        try await post(client, "\(r)/clusterroles", role("ClusterRole", "transfer", [rule(["create"], groups: [Self.migrations], resources: ["statefulmigrations/transfer"])]))
        try await post(client, "\(r)/clusterrolebindings", binding("ClusterRoleBinding", "transfer", role: ("ClusterRole", "transfer"), subjects: [["kind": "ServiceAccount", "name": "ms2m-operator", "namespace": "ms2m-system"]]))
        try await post(client, "\(r)/namespaces/team-a/roles", role("Role", "read-cm", namespace: "team-a", [rule(["get"], resources: ["configmaps"])]))
        try await post(client, "\(r)/namespaces/team-a/rolebindings", binding("RoleBinding", "read-cm", namespace: "team-a", role: ("Role", "read-cm"), subjects: [["kind": "User", "name": "bob"]]))
        try await post(client, "\(r)/clusterroles", role("ClusterRole", "pod-reader", [rule(["get", "list", "watch"], resources: ["pods"])]))
        try await post(client, "\(r)/namespaces/team-a/rolebindings", binding("RoleBinding", "pod-reader", namespace: "team-a", role: ("ClusterRole", "pod-reader"), subjects: [["kind": "User", "name": "carol", "apiGroup": "rbac.authorization.k8s.io"]]))
        try await post(client, "\(r)/namespaces/team-a/roles", role("Role", "registry-secret", namespace: "team-a", [rule(["get"], resources: ["secrets"], names: ["registry"])]))
        try await post(client, "\(r)/namespaces/team-a/rolebindings", binding("RoleBinding", "registry-secret", namespace: "team-a", role: ("Role", "registry-secret"), subjects: [["kind": "User", "name": "dave"]]))
        try await post(client, "\(r)/clusterroles", role("ClusterRole", "apps-admin", [rule(["*"], groups: ["apps"], resources: ["*"])]))
        try await post(client, "\(r)/clusterrolebindings", binding("ClusterRoleBinding", "apps-admin", role: ("ClusterRole", "apps-admin"), subjects: [["kind": "User", "name": "erin"]]))
        try await post(client, "\(r)/clusterroles", role("ClusterRole", "scaler", [rule(["patch"], groups: ["*"], resources: ["*/scale"])]))
        try await post(client, "\(r)/clusterrolebindings", binding("ClusterRoleBinding", "scaler", role: ("ClusterRole", "scaler"), subjects: [["kind": "User", "name": "frank"]]))
        try await post(client, "\(r)/clusterroles", role("ClusterRole", "node-reader", [rule(["get", "watch"], resources: ["nodes"])]))
        try await post(client, "\(r)/clusterrolebindings", binding("ClusterRoleBinding", "agents", role: ("ClusterRole", "node-reader"), subjects: [["kind": "Group", "name": "node-agents"]]))
        try await post(client, "\(r)/clusterroles", ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "system:metrics-reader"], "rules": [["nonResourceURLs": ["/metrics/*", "/healthz"], "verbs": ["get"]]]])
        try await post(client, "\(r)/clusterrolebindings", binding("ClusterRoleBinding", "metrics", role: ("ClusterRole", "system:metrics-reader"), subjects: [["kind": "User", "name": "hank"]]))
        try await post(client, "\(r)/namespaces/team-a/rolebindings", binding("RoleBinding", "dangling", namespace: "team-a", role: ("Role", "missing"), subjects: [["kind": "User", "name": "ivan"]]))
    }

    // pkg/apis/authorization/validation: exactly one of resourceAttributes and nonResourceAttributes; user or groups.
    @Test("invalid SubjectAccessReviews are 422")
    func invalidSubjectAccessReviews() async throws {
        try await withSim { _, client in
            let both = try await client.post(sars, ["spec": [
                "user": "a", "resourceAttributes": ["verb": "get", "resource": "pods"],
                "nonResourceAttributes": ["path": "/x", "verb": "get"],
            ]])
            #expect(both.status == 422)
            #expect(both.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "spec.nonResourceAttributes")
            #expect(both.json["message"]?.stringValue?.hasPrefix("SubjectAccessReview.authorization.k8s.io \"\" is invalid: ") == true)
            let neither = try await client.post(sars, ["spec": ["user": "a"]])
            #expect(neither.status == 422)
            #expect(neither.json["message"]?.stringValue?.contains("exactly one of nonResourceAttributes or resourceAttributes must be specified") == true)
            let nobody = try await client.post(sars, ["spec": ["resourceAttributes": ["verb": "get", "resource": "pods"]]])
            #expect(nobody.status == 422)
            #expect(nobody.json["message"] == "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified")
            let named = try await client.post(sars, ["metadata": ["name": "x"], "spec": ["user": "a", "resourceAttributes": ["verb": "get", "resource": "pods"]]])
            #expect(named.status == 422)
            #expect(named.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "metadata")
        }
    }

    // LocalSubjectAccessReview: the spec's namespace must be the URL's (pkg/registry/authorization/localsubjectaccessreview).
    @Test("LocalSubjectAccessReview is limited to its namespace")
    func localSubjectAccessReview() async throws {
        try await withSim { _, client in
            try await setUpRBAC(client)
            let path = "/apis/authorization.k8s.io/v1/namespaces/team-a/localsubjectaccessreviews"
            let ok = try await client.post(path, ["spec": ["user": "bob", "resourceAttributes": ["namespace": "team-a", "verb": "get", "resource": "configmaps"]]])
            #expect(ok.status == 201)
            #expect(ok.json[path: ["status", "allowed"]] == true)
            let other = try await client.post(path, ["spec": ["user": "bob", "resourceAttributes": ["namespace": "team-b", "verb": "get", "resource": "configmaps"]]])
            #expect(other.status == 400)
            #expect(other.json["message"] == "spec.resourceAttributes.namespace must match namespace: team-a")
        }
    }

    // MARK: RBAC objects

    // pkg/apis/rbac/validation: names are path segments (colons allowed); bindings name a supported role kind;
    // roleRef cannot change; namespaced roles cannot hold non-resource URLs.
    @Test("RBAC objects are stored, listed, watched and validated")
    func rbacObjects() async throws {
        try await withSim { _, client in
            let r = "/apis/rbac.authorization.k8s.io/v1"
            let bootstrap = try await client.get("\(r)/clusterrolebindings/cluster-admin")
            #expect(bootstrap.status == 200)
            #expect(bootstrap.json[path: ["subjects"]]?.arrayValue?.first?["name"] == "system:masters")
            let list = try await client.get("\(r)/clusterroles").json
            let w = try await client.watch("\(r)/clusterroles?watch=true&resourceVersion=\(list.rv)")
            try await post(client, "\(r)/clusterroles", role("ClusterRole", "ms2m:transfer", [rule(["create"], groups: ["ms2m.io"], resources: ["statefulmigrations/transfer"])]))
            let added = try await w.until { $0["type"] == "ADDED" }
            #expect(added.last?[path: ["object", "metadata", "name"]] == "ms2m:transfer")

            let badBinding = try await client.post("\(r)/clusterrolebindings", binding("ClusterRoleBinding", "b", role: ("Role", "x"), subjects: [["kind": "ServiceAccount", "name": "sa"]]))
            #expect(badBinding.status == 422)
            let fields = badBinding.json[path: ["details", "causes"]]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
            #expect(fields == ["roleRef.kind", "subjects[0].namespace"])

            let nonResourceInRole = try await client.post("\(r)/namespaces/default/roles", ["metadata": ["name": "r"], "rules": [["nonResourceURLs": ["/x"], "verbs": ["get"]]]])
            #expect(nonResourceInRole.status == 422)
            #expect(nonResourceInRole.json["message"]?.stringValue?.contains("namespaced rules cannot apply to non-resource URLs") == true)
            let noVerbs = try await client.post("\(r)/clusterroles", ["metadata": ["name": "nv"], "rules": [["apiGroups": [""], "resources": ["pods"]]]])
            #expect(noVerbs.status == 422)

            try await post(client, "\(r)/namespaces/default/rolebindings", binding("RoleBinding", "rb", namespace: "default", role: ("ClusterRole", "ms2m:transfer"), subjects: [["kind": "User", "name": "u"]]))
            let stored = try await client.get("\(r)/namespaces/default/rolebindings/rb").json
            #expect(stored[path: ["subjects"]]?.arrayValue?.first?["apiGroup"] == "rbac.authorization.k8s.io", "defaulted")
            var changed = stored
            changed[path: ["roleRef", "name"]] = "other"
            let update = try await client.put("\(r)/namespaces/default/rolebindings/rb", changed)
            #expect(update.status == 422)
            #expect(update.json["message"]?.stringValue?.contains("cannot change roleRef") == true)

            let groups = try await client.get("/apis").json["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            for g in ["rbac.authorization.k8s.io", "authentication.k8s.io", "authorization.k8s.io"] { #expect(groups.contains(g)) }
        }
    }
}
