import Foundation
import HTTPTransport
import TestSupport
import Testing
import Unstructured

@testable import KubeSim

/// Dynamic admission control: KubeSim stores webhook configurations and calls their webhooks over HTTPS as
/// kube-apiserver does. The webhooks here are `TestWebhookServer`s on loopback with a throwaway CA.
@Suite("KubeSim admission webhooks", .serialized)
struct AdmissionWebhookTests {
    /// A CA whose server certificate is also valid for the `webhook.default.svc` service name.
    static let certificates = Task {
        try await TestCertificates.create(caName: "webhook-test-ca", extraServerNames: ["webhook.default.svc"])
    }
    /// A CA that signed none of the webhook servers.
    static let unrelated = Task { try await TestCertificates.create(caName: "unrelated-ca") }

    let pods = "/api/v1/namespaces/default/pods"
    let validating = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"
    let mutating = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"

    static let evictionRule: JSONValue = [
        "operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods/eviction"],
    ]
    static let podCreateRule: JSONValue = [
        "operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"],
    ]

    // MARK: Fixtures

    /// Runs `body` with a webhook server answering through `handler`, the certificates it serves with, and a
    /// KubeSim server with a raw client.
    private func withWebhook<T>(
        configure: (inout KubeSimConfiguration) -> Void = { _ in },
        _ handler: @escaping TestWebhookServer.Handler,
        _ body: (TestWebhookServer, KubeSimServer, SimClient, String) async throws -> T
    ) async throws -> T {
        let certs = try await Self.certificates.value
        let webhook = try await TestWebhookServer.start(
            certificateChainFile: certs.serverCertificatePath, privateKeyFile: certs.serverKeyPath, handler: handler)
        let caBundle = Data(try certs.contents(of: certs.caCertificatePath)).base64EncodedString()
        do {
            let result = try await withSim(configure) { server, client in
                try await body(webhook, server, client, caBundle)
            }
            await webhook.shutdown()
            return result
        } catch {
            await webhook.shutdown()
            throw error
        }
    }

    private func configuration(_ kind: String, _ name: String, _ webhooks: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": .string(kind), "metadata": ["name": .string(name)],
            "webhooks": .array(webhooks),
        ]
    }

    private func hook(
        _ name: String, url: String, caBundle: String, rules: [JSONValue], _ extra: JSONObject = [:]
    ) -> JSONValue {
        var o: JSONObject = [
            "name": .string(name), "clientConfig": ["url": .string(url), "caBundle": .string(caBundle)],
            "rules": .array(rules), "sideEffects": "None", "admissionReviewVersions": ["v1"],
        ]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    /// Stores a ValidatingWebhookConfiguration through the API and expects 201.
    private func register(_ client: SimClient, _ name: String, _ webhooks: [JSONValue], kind: String = "Validating")
        async throws
    {
        let path = kind == "Validating" ? validating : mutating
        let r = try await client.post(path, configuration("\(kind)WebhookConfiguration", name, webhooks))
        #expect(r.status == 201, "\(r.text)")
    }

    private static func review(_ request: TestWebhookServer.Request) -> JSONValue {
        (try? JSONValue.parse(request.body)) ?? .null
    }

    /// An admission/v1 answer to `request`.
    private static func answer(
        _ request: TestWebhookServer.Request, allowed: Bool, status: JSONValue? = nil, patch: JSONValue? = nil,
        warnings: [String] = [], uid: String? = nil
    ) -> TestWebhookServer.Reply {
        var response: JSONObject = [
            "uid": uid.map { .string($0) } ?? review(request)[path: ["request", "uid"]] ?? "",
            "allowed": .bool(allowed),
        ]
        if let status { response["status"] = status }
        if let patch {
            response["patchType"] = "JSONPatch"
            response["patch"] = .string(Data(patch.jsonBytes()).base64EncodedString())
        }
        if !warnings.isEmpty { response["warnings"] = .array(warnings.map { .string($0) }) }
        let body: JSONValue = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": .object(response),
        ]
        return TestWebhookServer.Reply(body: body.jsonBytes())
    }

    private func readyPod(_ name: String, namespace: String = "default", labels: [String: String] = ["app": "db"])
        -> JSONValue
    {
        var p = pod(name, namespace: namespace, labels: labels, node: "n1")
        p["status"] = ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]
        return p
    }

    private func eviction(_ name: String, apiVersion: String = "policy/v1") -> JSONValue {
        ["apiVersion": .string(apiVersion), "kind": "Eviction", "metadata": ["name": .string(name)]]
    }

    // MARK: Evictions

    // Dynamic Admission Control: a denial's Status passes through (code, reason, details) with the message
    // prefixed by `admission webhook "<name>" denied the request: ` — how KubeVirt answers drains with 429.
    @Test("a webhook denying an eviction with 429 answers 429 TooManyRequests")
    func evictionDenied429() async throws {
        try await withWebhook({ request in
            Self.answer(
                request, allowed: false,
                status: [
                    "code": 429, "reason": "TooManyRequests", "message": "migration of db-0 in progress",
                    "details": ["retryAfterSeconds": 5],
                ])
        }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            try await register(
                client, "evictions",
                [
                    hook(
                        "evictions.ms2m.test", url: webhook.baseURL + "/validate", caBundle: ca,
                        rules: [Self.evictionRule])
                ])
            let r = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(r.status == 429)
            #expect(r.json["reason"] == "TooManyRequests")
            #expect(r.json["code"] == 429)
            #expect(r.json["status"] == "Failure")
            #expect(
                r.json["message"]
                    == "admission webhook \"evictions.ms2m.test\" denied the request: migration of db-0 in progress")
            #expect(r.json[path: ["details", "retryAfterSeconds"]] == 5)
            #expect(r.headers["Retry-After"] == "5")
            #expect(try await client.get("\(pods)/db-0").status == 200)
            #expect(webhook.received.count == 1)
        }
    }

    // A denial with a code below 400 (or none) becomes 400; without a message the reason is used.
    @Test("denials without a usable code answer 400")
    func denialCodes() async throws {
        try await withWebhook({ request in
            Self.answer(request, allowed: false, status: ["code": 200, "reason": "NotToday"])
        }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            try await register(
                client, "evictions",
                [hook("evictions.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule])])
            let r = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(r.status == 400)
            #expect(r.json["message"] == "admission webhook \"evictions.ms2m.test\" denied the request: NotToday")
        }
    }

    // The eviction REST handler calls validating admission before it looks at PodDisruptionBudgets.
    @Test("an allowed eviction goes on to the disruption budget check")
    func allowedEvictionReachesBudget() async throws {
        try await withWebhook(configure: { $0.podDeletionIsImmediate = true }, { Self.answer($0, allowed: true) }) {
            webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            try server.create(readyPod("db-1"))
            #expect(
                try await client.post(
                    "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                    [
                        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "db"],
                        "spec": ["minAvailable": 2, "selector": ["matchLabels": ["app": "db"]]],
                    ]
                ).status == 201)
            try await register(
                client, "evictions",
                [hook("evictions.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule])])
            let blocked = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(blocked.status == 429)
            #expect(blocked.json["message"] == "Cannot evict pod as it would violate the pod's disruption budget.")
            #expect(webhook.received.count == 1)
            _ = try await client.patch(
                "/apis/policy/v1/namespaces/default/poddisruptionbudgets/db", ["spec": ["minAvailable": 1]],
                type: "application/merge-patch+json")
            #expect(try await client.post("\(pods)/db-0/eviction", eviction("db-0")).status == 201)
            #expect(webhook.received.count == 2)
            #expect(try await client.get("\(pods)/db-0").status == 404)
        }
    }

    // admission/v1 AdmissionReview: what the webhook receives for an eviction, field by field.
    @Test("the AdmissionReview of an eviction")
    func evictionReviewShape() async throws {
        try await withWebhook({ Self.answer($0, allowed: false) }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            try await register(
                client, "evictions",
                [
                    hook(
                        "evictions.ms2m.test", url: webhook.baseURL + "/validate", caBundle: ca,
                        rules: [Self.evictionRule])
                ])
            _ = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            let received = try #require(webhook.received.first)
            #expect(received.method == "POST")
            #expect(received.uri == "/validate?timeout=10s")
            #expect(received.header("Content-Type") == "application/json")
            let review = Self.review(received)
            #expect(review["apiVersion"] == "admission.k8s.io/v1")
            #expect(review["kind"] == "AdmissionReview")
            let request = try #require(review["request"])
            #expect((request["uid"]?.stringValue ?? "").count == 36)
            #expect(request["kind"] == ["group": "policy", "version": "v1", "kind": "Eviction"])
            #expect(request["resource"] == ["group": "", "version": "v1", "resource": "pods"])
            #expect(request["subResource"] == "eviction")
            #expect(request["requestKind"] == ["group": "policy", "version": "v1", "kind": "Eviction"])
            #expect(request["requestResource"] == ["group": "", "version": "v1", "resource": "pods"])
            #expect(request["requestSubResource"] == "eviction")
            #expect(request["name"] == "db-0")
            #expect(request["namespace"] == "default")
            #expect(request["operation"] == "CREATE")
            #expect(request["userInfo"] == ["username": "system:anonymous", "groups": ["system:unauthenticated"]])
            #expect(request[path: ["object", "apiVersion"]] == "policy/v1")
            #expect(request[path: ["object", "kind"]] == "Eviction")
            #expect(request[path: ["object", "metadata", "name"]] == "db-0")
            #expect(request[path: ["object", "metadata", "namespace"]] == "default")
            #expect(request["oldObject"] == .null)
            #expect(request["dryRun"] == false)
            #expect(request["options"] == ["kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"])

            // A policy/v1beta1 Eviction is the same object; the eviction endpoint's kind is policy/v1, so the
            // webhook sees it converted.
            _ = try await client.post(
                "\(pods)/db-0/eviction?dryRun=All", eviction("db-0", apiVersion: "policy/v1beta1"))
            let beta = try #require(webhook.received.last.map(Self.review)?["request"])
            #expect(beta["kind"] == ["group": "policy", "version": "v1", "kind": "Eviction"])
            #expect(beta["requestKind"] == ["group": "policy", "version": "v1", "kind": "Eviction"])
            #expect(beta[path: ["object", "apiVersion"]] == "policy/v1")
            #expect(beta["dryRun"] == true)
            #expect(beta["options"] == ["kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "dryRun": ["All"]])
        }
    }

    // MARK: Failure policy

    // failurePolicy: a webhook that cannot be called fails the request (Fail, 500 InternalError) or is skipped
    // (Ignore).
    @Test("failurePolicy Fail and Ignore with the webhook down")
    func failurePolicyServerDown() async throws {
        let certs = try await Self.certificates.value
        let gone = try await TestWebhookServer.start(
            certificateChainFile: certs.serverCertificatePath, privateKeyFile: certs.serverKeyPath
        ) { Self.answer($0, allowed: true) }
        let url = gone.baseURL + "/validate"
        await gone.shutdown()
        try await withWebhook(configure: { $0.podDeletionIsImmediate = true }, { Self.answer($0, allowed: true) }) {
            _, server, client, ca in
            try server.create(readyPod("db-0"))
            try await register(
                client, "down", [hook("down.ms2m.test", url: url, caBundle: ca, rules: [Self.evictionRule])])
            let r = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(r.status == 500)
            #expect(r.json["reason"] == "InternalError")
            let message = r.json["message"]?.stringValue ?? ""
            #expect(
                message.hasPrefix(
                    "Internal error occurred: failed calling webhook \"down.ms2m.test\": failed to call webhook: "
                        + "Post \"\(url)?timeout=10s\": "),
                "\(message)")
            #expect(try await client.get("\(pods)/db-0").status == 200)

            let patched = try await client.patch(
                "\(validating)/down", [["op": "replace", "path": "/webhooks/0/failurePolicy", "value": "Ignore"]],
                type: "application/json-patch+json")
            #expect(patched.status == 200)
            #expect(try await client.post("\(pods)/db-0/eviction", eviction("db-0")).status == 201)
            #expect(try await client.get("\(pods)/db-0").status == 404)
        }
    }

    // timeoutSeconds bounds the call; a timeout is a call failure ("context deadline exceeded").
    @Test("a webhook slower than timeoutSeconds times out")
    func timeout() async throws {
        try await withWebhook({ request in
            try? await Task.sleep(for: .seconds(3))
            return Self.answer(request, allowed: true)
        }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            try await register(
                client, "slow",
                [
                    hook(
                        "slow.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule],
                        ["timeoutSeconds": 1])
                ])
            let start = ContinuousClock.now
            let r = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            let elapsed = ContinuousClock.now - start
            #expect(r.status == 500)
            let message = r.json["message"]?.stringValue ?? ""
            #expect(message.contains("failed calling webhook \"slow.ms2m.test\""))
            #expect(message.hasSuffix("?timeout=1s\": context deadline exceeded"), "\(message)")
            #expect(elapsed < .milliseconds(2500))
            #expect(webhook.received.first?.uri == "/?timeout=1s")
        }
    }

    // clientConfig.caBundle verifies the webhook's certificate; one from another CA fails the TLS handshake.
    @Test("a caBundle that did not sign the server's certificate fails the call")
    func caBundleMismatch() async throws {
        let other = try await Self.unrelated.value
        let wrongCA = Data(try other.contents(of: other.caCertificatePath)).base64EncodedString()
        try await withWebhook({ Self.answer($0, allowed: false) }) { webhook, server, client, _ in
            try server.create(readyPod("db-0"))
            try await register(
                client, "tls",
                [hook("tls.ms2m.test", url: webhook.baseURL, caBundle: wrongCA, rules: [Self.evictionRule])])
            let r = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(r.status == 500)
            let message = r.json["message"]?.stringValue ?? ""
            #expect(message.contains("failed calling webhook \"tls.ms2m.test\""), "\(message)")
            #expect(webhook.received.isEmpty)
            _ = try await client.patch(
                "\(validating)/tls", [["op": "replace", "path": "/webhooks/0/failurePolicy", "value": "Ignore"]],
                type: "application/json-patch+json")
            #expect(try await client.post("\(pods)/db-0/eviction", eviction("db-0")).status == 201)
        }
    }

    // A malformed answer is a call failure under failurePolicy.
    @Test("a response that is not an AdmissionReview fails the call")
    func malformedResponse() async throws {
        try await withWebhook({ request in
            request.uri.hasPrefix("/garbage")
                ? TestWebhookServer.Reply(body: Array("certainly not JSON".utf8))
                : TestWebhookServer.Reply(
                    body: ([
                        "response": ["uid": Self.review(request)[path: ["request", "uid"]] ?? "", "allowed": true]
                    ]
                        as JSONValue).jsonBytes())
        }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            try await register(
                client, "garbage",
                [hook("garbage.ms2m.test", url: webhook.baseURL + "/garbage", caBundle: ca, rules: [Self.evictionRule])]
            )
            let r = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(r.status == 500)
            let message = r.json["message"]?.stringValue ?? ""
            #expect(
                message.hasPrefix(
                    "Internal error occurred: failed calling webhook \"garbage.ms2m.test\": failed to call webhook: "
                        + "couldn't get version/kind; json parse error: "), "\(message)")
            #expect(try await client.delete("\(validating)/garbage").status == 200)

            try await register(
                client, "untyped",
                [hook("untyped.ms2m.test", url: webhook.baseURL + "/untyped", caBundle: ca, rules: [Self.evictionRule])]
            )
            let untyped = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(untyped.status == 500)
            #expect(
                untyped.json["message"]?.stringValue
                    == "Internal error occurred: failed calling webhook \"untyped.ms2m.test\": received invalid "
                    + "webhook "
                    + "response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got /, Kind=")
        }
    }

    // The response's uid must be the request's.
    @Test("a response for another uid fails the call")
    func uidMismatch() async throws {
        try await withWebhook({ Self.answer($0, allowed: true, uid: "not-the-uid") }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            try await register(
                client, "uid", [hook("uid.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule])])
            let r = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            let uid = webhook.received.first.map(Self.review)?[path: ["request", "uid"]]?.stringValue ?? "?"
            #expect(r.status == 500)
            #expect(
                r.json["message"]
                    == .string(
                        "Internal error occurred: failed calling webhook \"uid.ms2m.test\": received invalid webhook "
                            + "response: expected response.uid=\"\(uid)\", got \"not-the-uid\""))
        }
    }

    // MARK: Matching

    // namespaceSelector: matched against the labels of the request's namespace.
    @Test("namespaceSelector excludes a namespace")
    func namespaceSelector() async throws {
        try await withWebhook({
            Self.answer($0, allowed: false, status: ["code": 403, "reason": "Forbidden", "message": "no"])
        }) {
            webhook, server, client, ca in
            try server.create([
                "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "exempt", "labels": ["webhooks": "off"]],
            ])
            try server.create(readyPod("db-0"))
            try server.create(readyPod("db-0", namespace: "exempt"))
            try await register(
                client, "scoped",
                [
                    hook(
                        "scoped.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule],
                        [
                            "namespaceSelector": [
                                "matchExpressions": [["key": "webhooks", "operator": "NotIn", "values": ["off"]]]
                            ]
                        ])
                ])
            #expect(
                try await client.post("/api/v1/namespaces/exempt/pods/db-0/eviction", eviction("db-0")).status == 201)
            #expect(webhook.received.isEmpty)
            let denied = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(denied.status == 403)
            #expect(denied.json["message"] == "admission webhook \"scoped.ms2m.test\" denied the request: no")
        }
    }

    // objectSelector is evaluated against the object and oldObject; an Eviction carries no labels of the pod,
    // so a selector on pod labels never calls the webhook for evictions.
    @Test("objectSelector on pod labels does not match evictions")
    func objectSelectorAndEvictions() async throws {
        try await withWebhook({ Self.answer($0, allowed: false) }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            try await register(
                client, "labelled",
                [
                    hook(
                        "labelled.ms2m.test", url: webhook.baseURL, caBundle: ca,
                        rules: [Self.evictionRule, Self.podCreateRule],
                        ["objectSelector": ["matchLabels": ["app": "db"]]])
                ])
            #expect(try await client.post("\(pods)/db-0/eviction", eviction("db-0")).status == 201)
            #expect(webhook.received.isEmpty)
            let created = try await client.post(pods, pod("db-1", labels: ["app": "db"]))
            #expect(created.status == 400)
            #expect(webhook.received.count == 1)
            #expect(try await client.post(pods, pod("web-0", labels: ["app": "web"])).status == 201)
            #expect(webhook.received.count == 1)
        }
    }

    // matchConditions (CEL over request, object, oldObject): false skips the webhook; an error fails the
    // request with 403 under failurePolicy Fail and skips the webhook under Ignore.
    @Test("matchConditions exclude a user; errors follow failurePolicy")
    func matchConditions() async throws {
        try await withWebhook(
            configure: {
                $0.authentication = .init(tokenUsers: [
                    "alice-token": KubeSimUser(username: "alice"), "bob-token": KubeSimUser(username: "bob"),
                ])
            }, { Self.answer($0, allowed: false, status: ["code": 403, "message": "not you"]) }
        ) {
            webhook, server, client, ca in
            var alice = client
            alice.headers = ["Authorization": "Bearer alice-token"]
            var bob = client
            bob.headers = ["Authorization": "Bearer bob-token"]
            try server.create(readyPod("db-0"))
            try server.create(readyPod("db-1"))
            try await register(
                alice, "conditional",
                [
                    hook(
                        "conditional.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule],
                        [
                            "matchConditions": [
                                ["name": "not-alice", "expression": "request.userInfo.username != 'alice'"],
                                ["name": "evictions", "expression": "request.subResource == 'eviction'"],
                            ]
                        ])
                ])
            #expect(try await alice.post("\(pods)/db-0/eviction", eviction("db-0")).status == 201)
            #expect(webhook.received.isEmpty)
            let denied = try await bob.post("\(pods)/db-1/eviction", eviction("db-1"))
            #expect(denied.status == 403)
            #expect(denied.json["message"] == "admission webhook \"conditional.ms2m.test\" denied the request: not you")
            #expect(webhook.received.count == 1)

            // An expression that cannot be evaluated for an Eviction (it has no spec).
            #expect(try await alice.delete("\(validating)/conditional").status == 200)
            try await register(
                alice, "broken",
                [
                    hook(
                        "broken.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule],
                        ["matchConditions": [["name": "replicas", "expression": "object.spec.replicas > 1"]]])
                ])
            let failed = try await bob.post("\(pods)/db-1/eviction", eviction("db-1"))
            #expect(failed.status == 403)
            #expect(failed.json["reason"] == "Forbidden")
            #expect(
                failed.json["message"]?.stringValue
                    == "pods \"db-1\" is forbidden: expression 'object.spec.replicas > 1' resulted in error: "
                    + "no such key: spec")
            _ = try await alice.patch(
                "\(validating)/broken", [["op": "replace", "path": "/webhooks/0/failurePolicy", "value": "Ignore"]],
                type: "application/json-patch+json")
            #expect(try await bob.post("\(pods)/db-1/eviction", eviction("db-1")).status == 201)
            #expect(webhook.received.count == 1)
        }
    }

    // The user a webhook sees: the bearer token's user, with system:authenticated added.
    @Test("request.userInfo names the authenticated user")
    func userInfo() async throws {
        try await withWebhook(
            configure: {
                $0.authentication = .init(
                    bearerTokens: ["opaque"],
                    tokenUsers: ["bob-token": KubeSimUser(username: "bob", uid: "42", groups: ["ops"])])
            }, { Self.answer($0, allowed: true) }
        ) { webhook, server, client, ca in
            var bob = client
            bob.headers = ["Authorization": "Bearer bob-token"]
            try server.create(readyPod("db-0"))
            try await register(
                bob, "users", [hook("users.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule])])
            _ = try await bob.post("\(pods)/db-0/eviction?dryRun=All", eviction("db-0"))
            var opaque = client
            opaque.headers = ["Authorization": "Bearer opaque"]
            _ = try await opaque.post("\(pods)/db-0/eviction?dryRun=All", eviction("db-0"))
            let users = webhook.received.map { Self.review($0)[path: ["request", "userInfo"]] }
            #expect(users.first == ["username": "bob", "uid": "42", "groups": ["ops", "system:authenticated"]])
            #expect(users.last == ["username": "system:anonymous", "groups": ["system:unauthenticated"]])
        }
    }

    // MARK: Dry run

    // sideEffects: v1 allows only None and NoneOnDryRun; a webhook stored with other side effects (as
    // admissionregistration/v1beta1 allowed) fails dry-run requests with 400 instead of being called.
    @Test("dryRun and sideEffects")
    func dryRunAndSideEffects() async throws {
        try await withWebhook({ Self.answer($0, allowed: true) }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            let some = try await client.post(
                validating,
                configuration(
                    "ValidatingWebhookConfiguration", "effects",
                    [
                        hook(
                            "effects.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule],
                            ["sideEffects": "Some"])
                    ]))
            #expect(some.status == 422)
            #expect(
                some.json["message"]?.stringValue
                    == "ValidatingWebhookConfiguration.admissionregistration.k8s.io \"effects\" is invalid: "
                    + "webhooks[0].sideEffects: Unsupported value: \"Some\": supported values: \"None\", "
                    + "\"NoneOnDryRun\""
            )

            try await register(
                client, "dry",
                [
                    hook(
                        "dry.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule],
                        ["sideEffects": "NoneOnDryRun"])
                ])
            #expect(try await client.post("\(pods)/db-0/eviction?dryRun=All", eviction("db-0")).status == 201)
            #expect(webhook.received.first.map(Self.review)?[path: ["request", "dryRun"]] == true)
            #expect(try await client.get("\(pods)/db-0").status == 200)
            _ = try await client.delete("\(validating)/dry")

            // Stored directly, as an object written through v1beta1 would be.
            var legacy = configuration(
                "ValidatingWebhookConfiguration", "legacy",
                [
                    hook(
                        "legacy.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [Self.evictionRule],
                        ["sideEffects": "Unknown"])
                ])
            var hooks = legacy["webhooks"]!.arrayValue!
            WebhookConfigurations.applyDefaults(&hooks[0], mutating: false)
            legacy["webhooks"] = .array(hooks)
            legacy[path: ["metadata", "uid"]] = "legacy-uid"
            _ = try server.core.store.locked { s in
                s.put(BuiltinResources.validatingWebhookConfigurations, legacy, prev: nil)
            }
            let before = webhook.received.count
            let dry = try await client.post("\(pods)/db-0/eviction?dryRun=All", eviction("db-0"))
            #expect(dry.status == 400)
            #expect(dry.json["message"] == "admission webhook \"legacy.ms2m.test\" does not support dry run")
            #expect(webhook.received.count == before)
            #expect(try await client.post("\(pods)/db-0/eviction", eviction("db-0")).status == 201)
            #expect(webhook.received.count == before + 1)
        }
    }

    // MARK: Mutation, warnings, other operations

    // Mutating webhooks run first and their JSON patches apply; validating webhooks then see the mutated,
    // fully formed object. Warnings become `Warning: 299 - "…"` headers.
    @Test("a mutating webhook's patch is applied to a created pod; warnings become headers")
    func mutatingPatch() async throws {
        try await withWebhook({ request in
            if request.uri.hasPrefix("/mutate") {
                return Self.answer(
                    request, allowed: true,
                    patch: [["op": "add", "path": "/metadata/labels/injected", "value": "yes"]],
                    warnings: ["labels were added", "say \"hi\""])
            }
            return Self.answer(request, allowed: true, warnings: ["validated"])
        }) { webhook, server, client, ca in
            try await register(
                client, "inject",
                [hook("inject.ms2m.test", url: webhook.baseURL + "/mutate", caBundle: ca, rules: [Self.podCreateRule])],
                kind: "Mutating")
            try await register(
                client, "check",
                [hook("check.ms2m.test", url: webhook.baseURL + "/validate", caBundle: ca, rules: [Self.podCreateRule])]
            )
            let r = try await client.post(pods, pod("web-0", labels: ["app": "web"]))
            #expect(r.status == 201)
            #expect(r.json[path: ["metadata", "labels", "injected"]] == "yes")
            #expect(try await client.get("\(pods)/web-0").json[path: ["metadata", "labels", "injected"]] == "yes")
            #expect(
                r.headers.values("Warning") == [
                    #"299 - "labels were added""#, #"299 - "say \"hi\"""#, #"299 - "validated""#,
                ])
            let mutated = try #require(webhook.received.first { $0.uri.hasPrefix("/mutate") }.map(Self.review))
            #expect(mutated[path: ["request", "object", "metadata", "labels", "injected"]] == nil)
            #expect(mutated[path: ["request", "object", "spec", "restartPolicy"]] == "Always")  // defaulted
            let validated = try #require(webhook.received.first { $0.uri.hasPrefix("/validate") }.map(Self.review))
            #expect(validated[path: ["request", "object", "metadata", "labels", "injected"]] == "yes")
            #expect(validated[path: ["request", "object", "metadata", "uid"]] == r.json[path: ["metadata", "uid"]])
        }
    }

    // UPDATE (a PATCH) and DELETE: oldObject is the stored object; DELETE has no object and DeleteOptions.
    @Test("UPDATE and DELETE reviews carry oldObject and their options")
    func updateAndDelete() async throws {
        let rule: JSONValue = [
            "operations": ["UPDATE", "DELETE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["configmaps"],
        ]
        try await withWebhook({ Self.answer($0, allowed: true) }) { webhook, server, client, ca in
            try server.create(configMap("settings", data: ["a": "1"]))
            try await register(client, "cm", [hook("cm.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [rule])])
            let patched = try await client.patch(
                "/api/v1/namespaces/default/configmaps/settings?fieldManager=ops", ["data": ["a": "2"]],
                type: "application/merge-patch+json")
            #expect(patched.status == 200)
            let update = try #require(webhook.received.last.map(Self.review)?["request"])
            #expect(update["operation"] == "UPDATE")
            #expect(update[path: ["object", "data", "a"]] == "2")
            #expect(update[path: ["oldObject", "data", "a"]] == "1")
            #expect(
                update["options"] == ["kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "ops"])
            let deleted = try await client.delete(
                "/api/v1/namespaces/default/configmaps/settings", ["propagationPolicy": "Foreground"])
            #expect(deleted.status == 200)
            let delete = try #require(webhook.received.last.map(Self.review)?["request"])
            #expect(delete["operation"] == "DELETE")
            #expect(delete["object"] == .null)
            #expect(delete[path: ["oldObject", "data", "a"]] == "2")
            #expect(
                delete["options"] == [
                    "kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", "propagationPolicy": "Foreground",
                ])
            #expect(webhook.received.count == 2)
        }
    }

    // clientConfig.service: KubeSim has no service network; the resolver hook points the service at the test
    // server, and the certificate is verified for <service>.<namespace>.svc.
    @Test("a service reference reaches the webhook through the service resolver")
    func serviceReference() async throws {
        try await withWebhook({ Self.answer($0, allowed: true) }) { webhook, server, client, ca in
            try server.create(readyPod("db-0"))
            var config = hook("svc.ms2m.test", url: "", caBundle: ca, rules: [Self.evictionRule])
            config["clientConfig"] = [
                "service": ["namespace": "default", "name": "webhook", "path": "/validate"], "caBundle": .string(ca),
            ]
            try await register(client, "svc", [config])
            let stored = try await client.get("\(validating)/svc").json
            #expect(stored[path: ["webhooks"]]?.arrayValue?.first?[path: ["clientConfig", "service", "port"]] == 443)

            let unresolved = try await client.post("\(pods)/db-0/eviction?dryRun=All", eviction("db-0"))
            #expect(unresolved.status == 500)
            #expect(
                unresolved.json["message"]?.stringValue
                    == "Internal error occurred: failed calling webhook \"svc.ms2m.test\": failed to call webhook: "
                    + "Post "
                    + "\"https://webhook.default.svc:443/validate?timeout=10s\": service \"webhook\" not found")

            let port = webhook.port
            server.setServiceResolver { namespace, name, servicePort in
                namespace == "default" && name == "webhook" && servicePort == 443 ? ("127.0.0.1", port) : nil
            }
            #expect(try await client.post("\(pods)/db-0/eviction", eviction("db-0")).status == 201)
            #expect(webhook.received.first?.uri == "/validate?timeout=10s")
        }
    }

    // MARK: Configuration validation and defaults

    @Test("webhook configurations are defaulted and validated")
    func configurationValidation() async throws {
        try await withSim { _, client in
            let valid = try await client.post(
                mutating,
                configuration(
                    "MutatingWebhookConfiguration", "defaults",
                    [
                        [
                            "name": "defaults.ms2m.test", "clientConfig": ["url": "https://hooks.example.com/m"],
                            "rules": [Self.podCreateRule], "sideEffects": "None", "admissionReviewVersions": ["v1"],
                        ]
                    ]))
            #expect(valid.status == 201)
            let hook = try #require(valid.json["webhooks"]?.arrayValue?.first)
            #expect(hook["failurePolicy"] == "Fail")
            #expect(hook["matchPolicy"] == "Equivalent")
            #expect(hook["timeoutSeconds"] == 10)
            #expect(hook["namespaceSelector"] == [:])
            #expect(hook["objectSelector"] == [:])
            #expect(hook["reinvocationPolicy"] == "Never")
            #expect(hook[path: ["rules"]]?.arrayValue?.first?["scope"] == "*")

            let invalid = try await client.post(
                validating,
                configuration(
                    "ValidatingWebhookConfiguration", "broken",
                    [
                        [
                            "name": "short", "clientConfig": ["url": "http://hooks.example.com/v"],
                            "rules": [
                                [
                                    "operations": ["CREATE", "*"], "apiGroups": [""], "apiVersions": ["v1"],
                                    "resources": ["pods"],
                                ]
                            ],
                            "timeoutSeconds": 31, "failurePolicy": "Sometimes", "admissionReviewVersions": ["v2"],
                        ],
                        [
                            "name": "both.ms2m.test",
                            "clientConfig": [
                                "url": "https://a.example.com", "service": ["namespace": "x", "name": "y"],
                            ],
                            "sideEffects": "None", "admissionReviewVersions": ["v1"],
                        ],
                    ]))
            #expect(invalid.status == 422)
            #expect(invalid.json["reason"] == "Invalid")
            let causes = (invalid.json[path: ["details", "causes"]]?.arrayValue ?? []).map {
                "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")"
            }
            let expected = [
                "webhooks[0].name: Invalid value: \"short\": should be a domain with at least three segments "
                    + "separated by dots",
                "webhooks[0].rules[0].operations: Invalid value: []string{\"CREATE\", \"*\"}: if '*' is present, "
                    + "must not specify other operations",
                "webhooks[0].failurePolicy: Unsupported value: \"Sometimes\": supported values: \"Fail\", \"Ignore\"",
                "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
                "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
                "webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; "
                    + "desired format: https://host[/path]",
                "webhooks[0].admissionReviewVersions: Invalid value: []string{\"v2\"}: must include at least one "
                    + "of v1, v1beta1",
                "webhooks[1].clientConfig: Required value: exactly one of url or service is required",
            ]
            for e in expected { #expect(causes.contains(e), "missing \(e) in \(causes)") }
            #expect(causes.count == expected.count, "\(causes)")
        }
    }

    // Discovery lists both resources; they are never sent to webhooks themselves.
    @Test("configurations are served in discovery and exempt from webhooks")
    func discoveryAndExemption() async throws {
        try await withWebhook({ Self.answer($0, allowed: false) }) { webhook, _, client, ca in
            let list = try await client.get("/apis/admissionregistration.k8s.io/v1").json
            let names = (list["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(names.contains("validatingwebhookconfigurations"))
            #expect(names.contains("mutatingwebhookconfigurations"))
            let everything: JSONValue = [
                "operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*/*"],
            ]
            try await register(
                client, "all", [hook("all.ms2m.test", url: webhook.baseURL, caBundle: ca, rules: [everything])])
            #expect(try await client.delete("\(validating)/all").status == 200)
            #expect(webhook.received.isEmpty)
        }
    }
}
