import ControllerRuntime
import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
@testable import PolicyEngine
import Testing
import Unstructured
import YAMLCodec

@Suite("WebhookScope: the eviction webhook sees only namespaces intercepting policies cover")
struct WebhookScopeTests {
    static func namespace(_ name: String, _ labels: [String: String] = [:]) -> Namespace {
        Namespace(metadata: ObjectMeta(name: name, labels: labels.merging(["kubernetes.io/metadata.name": name]) { a, _ in a }))
    }

    static let namespaces = [
        namespace("default"), namespace("shop", ["team": "orders"]), namespace("billing", ["team": "orders"]),
        namespace("web", ["team": "web"]), namespace("kube-system", ["team": "orders"]), namespace("ms2m-system", ["team": "orders"]),
        namespace("quiet", ["team": "orders", WebhookScope.optOutLabel: "disabled"]),
    ]

    static func policy(_ name: String, namespaces: LabelSelector?, eviction: Bool? = nil, dryRun: Bool? = nil) -> MigrationPolicy {
        var policy = Fixture.policy(name: name, selection: PodSelection(namespaceSelector: namespaces))
        policy.spec.triggers?.eviction = eviction
        policy.spec.dryRun = dryRun
        return policy
    }

    static func names(_ selector: LabelSelector) -> (String, [String])? {
        guard let requirement = selector.matchExpressions?.first, requirement.key == WebhookScope.namespaceNameLabel else { return nil }
        return (requirement.operator.rawValue, requirement.values ?? [])
    }

    @Test("namespace-selecting policies: their namespaces by name, without system, operator and opted-out ones")
    func listed() throws {
        let orders = LabelSelector(matchLabels: ["team": "orders"])
        let selector = WebhookScope.namespaceSelector(
            policies: [Self.policy("orders", namespaces: orders)], namespaces: Self.namespaces, operatorNamespace: "ms2m-system")
        let (op, values) = try #require(Self.names(selector))
        #expect(op == "In" && values == ["billing", "shop"])
        for namespace in Self.namespaces {
            let expected = ["billing", "shop"].contains(namespace.metadata.name ?? "")
            #expect(selector.matches(namespace.metadata.labels ?? [:]) == expected, "\(namespace.metadata.name ?? "")")
        }
    }

    @Test("a policy over every namespace: everything but system, operator and opted-out namespaces, new ones included")
    func everyNamespace() {
        let selector = WebhookScope.namespaceSelector(
            policies: [Self.policy("all", namespaces: nil), Self.policy("orders", namespaces: LabelSelector(matchLabels: ["team": "orders"]))],
            namespaces: Self.namespaces, operatorNamespace: "ms2m-system")
        let selected = Set((Self.namespaces + [Self.namespace("created-later")]).filter { selector.matches($0.metadata.labels ?? [:]) }.compactMap(\.metadata.name))
        #expect(selected == ["default", "shop", "billing", "web", "created-later"])
    }

    @Test("the installed manifest's selector is the scope of a policy over every namespace (no patch needed for it)")
    func manifestMatches() throws {
        let configuration = try YAML.parse(try String(
            contentsOf: PolicyHarness.repositoryRoot.appendingPathComponent("config/webhook/manifests.yaml"), encoding: .utf8))
        let installed = try #require(configuration["webhooks"]?.arrayValue?.first?["namespaceSelector"])
        let scoped = WebhookScope.namespaceSelector(
            policies: [Self.policy("all", namespaces: nil)], namespaces: Self.namespaces, operatorNamespace: "ms2m-system")
        #expect(try JSONValueDecoder().decode(LabelSelector.self, from: installed) == scoped)
    }

    @Test("policies that do not intercept (eviction off, dry run, being deleted) select nothing")
    func noneIntercept() throws {
        var deleting = Self.policy("deleting", namespaces: nil)
        deleting.metadata.deletionTimestamp = Fixture.now
        let selector = WebhookScope.namespaceSelector(
            policies: [Self.policy("off", namespaces: nil, eviction: false), Self.policy("dry", namespaces: nil, dryRun: true), deleting],
            namespaces: Self.namespaces, operatorNamespace: "ms2m-system")
        #expect(Self.namespaces.allSatisfy { !selector.matches($0.metadata.labels ?? [:]) })
        #expect(WebhookScope.namespaceSelector(policies: [], namespaces: Self.namespaces, operatorNamespace: "ms2m-system") == selector)
    }

    @Test("the operator down: evictions outside the covered namespaces go through, inside they fail closed")
    func operatorDown() async throws {
        try await PolicyHarness.run { h in
            try await h.addNode("node-a")
            for (name, team) in [("shop", "orders"), ("web", "web")] {
                _ = try await h.client.create(
                    Namespace(metadata: ObjectMeta(name: name, labels: ["team": team])), namespace: nil, options: WriteOptions())
            }
            try await h.createPolicy(Self.policy("orders", namespaces: LabelSelector(matchLabels: ["team": "orders"])))
            try await h.eventually("policy seen") { try await h.policy("orders").status != nil }
            // The webhook as shipped, pointed at an address where nothing listens: the operator is down.
            var configuration = try YAML.parse(try String(
                contentsOf: PolicyHarness.repositoryRoot.appendingPathComponent("config/webhook/manifests.yaml"), encoding: .utf8))
            var webhooks = configuration["webhooks"]?.arrayValue ?? []
            webhooks[0]["clientConfig"] = ["url": "https://127.0.0.1:1/validate-v1-pod-eviction"]
            configuration["webhooks"] = .array(webhooks)
            _ = try h.server.create(configuration)

            let reconciler = h.webhookScopeReconciler(
                configuration: "ms2m-eviction-webhook", webhook: "eviction.migration.ms2m.io", operatorNamespace: "ms2m-system")
            try await h.eventually("the namespaces are cached") {
                _ = try await reconciler.reconcile(ReconcileRequest(name: "ms2m-eviction-webhook"))
                let stored = try await h.client.get(ValidatingWebhookConfiguration.self, name: "ms2m-eviction-webhook")
                return stored.webhooks?.first?.namespaceSelector?.matchExpressions?.first?.values == ["shop"]
            }
            // Idempotent: a second pass writes nothing.
            let before = try await h.client.get(ValidatingWebhookConfiguration.self, name: "ms2m-eviction-webhook").metadata.resourceVersion
            _ = try await reconciler.reconcile(ReconcileRequest(name: "ms2m-eviction-webhook"))
            #expect(try await h.client.get(ValidatingWebhookConfiguration.self, name: "ms2m-eviction-webhook").metadata.resourceVersion == before)

            for namespace in ["shop", "web"] {
                var pod = Pod(
                    metadata: ObjectMeta(name: "p", namespace: namespace),
                    spec: PodSpec(containers: [Container(name: "c", image: "registry.local/pause:3.9")]))
                pod.spec?.nodeName = "node-a"
                pod = try await h.client.create(pod, namespace: namespace, options: WriteOptions())
                pod.status = PodStatus()
                pod.status?.phase = .running
                _ = try await h.client.updateStatus(pod)
            }
            // An uncovered namespace's drain does not wait on the operator…
            try await h.client.evict(podName: "p", namespace: "web", options: nil)
            // …a covered one fails closed: the pod is not killed while nobody can migrate it.
            do {
                try await h.client.evict(podName: "p", namespace: "shop", options: nil)
                Issue.record("the eviction in a covered namespace went through with the webhook down")
            } catch {
                #expect(KubernetesErrors.code(of: error) == 500, "\(error)")
                #expect("\(error)".contains("failed calling webhook"), "\(error)")
            }
            #expect(try await h.client.get(Pod.self, name: "p", namespace: "shop").metadata.deletionTimestamp == nil)
        }
    }
}
