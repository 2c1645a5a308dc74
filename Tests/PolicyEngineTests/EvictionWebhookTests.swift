import KubeModel
import MigrationAPI
import OperatorCore
@testable import PolicyEngine
import Testing
import Unstructured

/// The eviction webhook's handler against KubeSim with the policy controller running: AdmissionReview bodies in,
/// verdicts out, the eviction request recorded on the pod, and the controller creating the migration.
@Suite("EvictionWebhook: AdmissionReview handling with the policy controller")
struct EvictionWebhookTests {
    /// An AdmissionReview body for the eviction of `pod`.
    static func review(
        pod: String, namespace: String = "default", uid: String = "review-1", dryRun: Bool = false,
        apiVersion: String = "admission.k8s.io/v1", evictionVersion: String = "policy/v1", preconditionUID: String? = nil
    ) throws -> [UInt8] {
        var eviction: JSONValue = [
            "apiVersion": .string(evictionVersion), "kind": "Eviction",
            "metadata": ["name": .string(pod), "namespace": .string(namespace)],
        ]
        if let preconditionUID { eviction["deleteOptions"] = ["preconditions": ["uid": .string(preconditionUID)]] }
        let request: JSONValue = [
            "uid": .string(uid),
            "kind": ["group": "policy", "version": "v1", "kind": "Eviction"],
            "resource": ["group": "", "version": "v1", "resource": "pods"],
            "subResource": "eviction",
            "requestKind": ["group": "policy", "version": .string(String(evictionVersion.dropFirst("policy/".count))), "kind": "Eviction"],
            "name": .string(pod), "namespace": .string(namespace), "operation": "CREATE",
            "userInfo": ["username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]],
            "object": eviction, "dryRun": .bool(dryRun),
            "options": ["kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"],
        ]
        return JSONValue.object(["apiVersion": .string(apiVersion), "kind": "AdmissionReview", "request": request]).jsonBytes()
    }

    /// The response of an answer's AdmissionReview body.
    static func response(_ answer: EvictionWebhook.HTTPAnswer) throws -> AdmissionResponse {
        #expect(answer.status == 200)
        let review = try JSONValueDecoder().decode(AdmissionReview.self, from: try JSONValue.parse(answer.body))
        return try #require(review.response)
    }

    @Test("a covered pod: refused with 429 naming the migration and target, recorded once, migrated by the controller")
    func coveredPodIsMigrated() async throws {
        try await PolicyHarness.run { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b")
            let set = try await h.statefulSet("db")
            let pod = try await h.addPod("db-0", of: set, on: "node-a")
            try await h.createPolicy(Fixture.policy(name: "drain"))
            try await h.eventually("policy seen") { try await h.policy("drain").status != nil }
            let webhook = h.evictionWebhook()

            // A dry run answers the same and writes nothing.
            let dry = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0", uid: "dry", dryRun: true)))
            #expect(dry.uid == "dry" && !dry.allowed && dry.status?.code == 429)
            #expect(try await h.client.get(Pod.self, name: "db-0", namespace: "default").metadata.annotations?[EvictionRequest.annotation] == nil)

            let answer = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0")))
            #expect(answer.uid == "review-1" && !answer.allowed)
            #expect(answer.status?.code == 429 && answer.status?.reason == .tooManyRequests)
            let message = answer.status?.message ?? ""
            #expect(message.contains("default/db-0") && message.contains("node node-b") && message.contains("StatefulMigration default/drain-db-0-"))

            let marked = try await h.client.get(Pod.self, name: "db-0", namespace: "default")
            #expect(EvictionRequest.recorded(on: marked)?.podUID == pod.metadata.uid)
            #expect(h.events.reasons(PolicyEventReason.evictionIntercepted).contains { $0.regarding == "default/db-0" })

            // The node is not cordoned: the controller migrates the pod because of the request alone.
            try await h.eventually("the controller creates the migration") { try await h.children().count == 1 }
            let child = try #require(try await h.children().first)
            #expect(child.spec.sourcePod == "db-0" && child.spec.targetNode == "node-b")
            #expect(child.metadata.labels?[ChildMigrationLabels.reason] == MoveReason.eviction.rawValue)
            #expect(message.contains(child.metadata.name ?? "?"))

            // A retry while it runs names it and its phase; the request is fresh, so nothing is written again.
            try await h.setPhase(child, .transferring)
            let resourceVersion = marked.metadata.resourceVersion
            try await h.eventually("the retry reports the running migration") {
                let retry = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0", uid: "retry")))
                return !retry.allowed && (retry.status?.message ?? "").contains("phase Transferring")
            }
            #expect(try await h.client.get(Pod.self, name: "db-0", namespace: "default").metadata.resourceVersion == resourceVersion)
        }
    }

    @Test("uncovered pods, policies that do not intercept, dry-run policies and opted-out pods are allowed at once")
    func allowedEvictions() async throws {
        try await PolicyHarness.run { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b")
            let db = try await h.statefulSet("db")
            let web = try await h.statefulSet("web")
            try await h.addPod("db-0", of: db, on: "node-a")
            try await h.addPod("db-1", of: db, on: "node-a", annotations: [PodOverrideAnnotation.optOut: "true"])
            try await h.addPod("web-0", of: web, on: "node-a")
            var policy = Fixture.policy(name: "drain", selection: PodSelection(podSelector: LabelSelector(matchLabels: ["app": "db"])))
            policy.spec.triggers?.eviction = false
            try await h.createPolicy(policy)
            try await h.eventually("policy seen") { try await h.policy("drain").status != nil }
            let webhook = h.evictionWebhook()

            let uncovered = try Self.response(await webhook.handle(body: try Self.review(pod: "web-0")))
            #expect(uncovered.allowed && uncovered.warnings == nil)
            let missing = try Self.response(await webhook.handle(body: try Self.review(pod: "no-such-pod")))
            #expect(missing.allowed)
            let off = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0")))
            #expect(off.allowed && (off.warnings?.first ?? "").contains("triggers.eviction: false"))

            _ = try await h.client.patch(
                MigrationPolicy.self, name: "drain", namespace: nil,
                patch: .merge(["spec": ["triggers": ["eviction": true], "dryRun": true]]), subresource: nil, options: WriteOptions())
            try await h.eventually("dry-run policy allows with a warning") {
                let answer = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0")))
                return answer.allowed && (answer.warnings?.first ?? "").contains("dry run")
            }
            _ = try await h.client.patch(
                MigrationPolicy.self, name: "drain", namespace: nil, patch: .merge(["spec": ["dryRun": false]]),
                subresource: nil, options: WriteOptions())
            try await h.eventually("opted-out pod allowed") {
                let answer = try Self.response(await webhook.handle(body: try Self.review(pod: "db-1")))
                return answer.allowed && (answer.warnings?.first ?? "").contains("opted out")
            }
            #expect(try await h.children().isEmpty)
        }
    }

    @Test("a sibling a Sequential migration orphaned is still its StatefulSet's: its eviction is refused, not allowed as an uncovered bare pod")
    func orphanedSiblingIsProtected() async throws {
        try await PolicyHarness.run { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b")
            let db = try await h.statefulSet("db")
            try await h.addPod("db-0", of: db, on: "node-a")
            // A migration of db-1 holds StatefulSet db orphan-deleted (Restoring).
            var moving = try await h.client.create(
                StatefulMigration(
                    metadata: ObjectMeta(name: "move-db-1", namespace: "default"),
                    spec: Fixture.policy().spec.template!.migrationSpec(sourcePod: "db-1", targetNode: "node-b", podAnnotations: [:]).spec),
                namespace: "default", options: WriteOptions())
            var status = StatefulMigrationStatus(phase: .restoring)
            status.statefulSetName = "db"
            status.strategy = .sequential
            status.savedStatefulSet = try JSONValueEncoder().encode(db)
            moving.status = status
            moving = try await h.client.updateStatus(moving)
            _ = try await h.client.delete(StatefulSet.self, name: "db", namespace: "default", options: DeleteOptions(propagationPolicy: .orphan))
            try await h.eventually("db-0 orphaned") {
                try await h.client.get(Pod.self, name: "db-0", namespace: "default").metadata.controllerReference == nil
            }
            try await h.createPolicy(Fixture.policy(name: "drain"))  // StatefulSet pods only (the default)
            try await h.eventually("policy seen") { try await h.policy("drain").status != nil }
            let webhook = h.evictionWebhook()
            try await h.eventually("the orphaned sibling's eviction is refused") {
                let answer = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0")))
                return !answer.allowed && answer.status?.code == 429
                    && (answer.status?.message ?? "").contains("maxInFlightPerStatefulSet")
            }
        }
    }

    @Test("fallback: an unplaceable pod is allowed with Evict and refused with the reason with None")
    func fallback() async throws {
        try await PolicyHarness.run { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b", cpu: "200m")  // the pod requests 500m
            let set = try await h.statefulSet("db")
            try await h.addPod("db-0", of: set, on: "node-a")
            try await h.createPolicy(Fixture.policy(name: "drain"))
            try await h.eventually("policy seen") { try await h.policy("drain").status != nil }
            let webhook = h.evictionWebhook()
            let none = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0")))
            #expect(!none.allowed && none.status?.code == 429)
            #expect((none.status?.message ?? "").contains("fallback None") && (none.status?.message ?? "").contains("InsufficientCPU"))
            #expect(try await h.client.get(Pod.self, name: "db-0", namespace: "default").metadata.annotations?[EvictionRequest.annotation] == nil)

            _ = try await h.client.patch(
                MigrationPolicy.self, name: "drain", namespace: nil, patch: .merge(["spec": ["fallback": ["action": "Evict"]]]),
                subresource: nil, options: WriteOptions())
            try await h.eventually("fallback Evict allows the eviction") {
                let answer = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0")))
                return answer.allowed && (answer.warnings?.first ?? "").contains("falls back to eviction")
            }
        }
    }

    @Test("malformed bodies get a 400 with a reason; other resources, UID mismatches and v1beta1 are handled")
    func malformedAndOddRequests() async throws {
        try await PolicyHarness.run { h in
            try await h.addNode("node-a")
            try await h.addNode("node-b")
            let set = try await h.statefulSet("db")
            try await h.addPod("db-0", of: set, on: "node-a")
            try await h.createPolicy(Fixture.policy(name: "drain"))
            try await h.eventually("policy seen") { try await h.policy("drain").status != nil }
            let webhook = h.evictionWebhook()
            for body in [Array("not json".utf8), Array("{\"kind\":\"AdmissionReview\"}".utf8), Array("{\"request\":{\"uid\":\"\"}}".utf8), Array("[1,2]".utf8), []] {
                let answer = await webhook.handle(body: body)
                #expect(answer.status == 400)
                #expect(answer.contentType.hasPrefix("text/plain") && !answer.body.isEmpty)
            }
            // A UID precondition naming another pod is left to the Eviction API (409).
            let other = try Self.response(await webhook.handle(body: try Self.review(pod: "db-0", preconditionUID: "someone-else")))
            #expect(other.allowed)
            // A v1beta1 review of a policy/v1beta1 eviction is answered in v1beta1, with the same verdict.
            let beta = await webhook.handle(body: try Self.review(pod: "db-0", apiVersion: "admission.k8s.io/v1beta1", evictionVersion: "policy/v1beta1"))
            let review = try JSONValueDecoder().decode(AdmissionReview.self, from: try JSONValue.parse(beta.body))
            #expect(review.apiVersion == "admission.k8s.io/v1beta1" && review.response?.allowed == false)
            #expect(review.response?.status?.code == 429)
        }
    }
}
