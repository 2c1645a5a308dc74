import KubeSim
import MigrationAPI
import TestSupport
import Testing
import Unstructured

/// The CRDs installed in KubeSim (schema validation, defaulting, CEL) accept the samples and reject bad specs
/// with 422 Invalid naming the field, as the API server would at `kubectl apply`.
@Suite("CRD admission in KubeSim")
struct CRDAdmissionTests {
    /// Runs `body` against a KubeSim with both CRDs and the samples' namespaces installed.
    func withCRDs(_ body: (KubeSimServer) async throws -> Void) async throws {
        try await withKubeSim { server in
            for path in [RepositoryFiles.statefulMigrationCRDPath, RepositoryFiles.migrationPolicyCRDPath] {
                try server.create(RepositoryFiles.document(path))
            }
            try server.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]])
            try await body(server)
        }
    }

    /// The Status of a rejected create, or nil when it was accepted.
    func rejection(_ server: KubeSimServer, _ object: JSONValue) -> KubeSimError? {
        do {
            try server.create(object)
            return nil
        } catch let error as KubeSimError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static func migration(_ spec: JSONObject) throws -> JSONValue {
        var document = try RepositoryFiles.document("config/samples/migration_v1alpha1_statefulmigration.yaml")
        var merged = document["spec"]?.objectValue ?? [:]
        for (key, value) in spec { merged[key] = value }
        merged = merged.filter { !$0.value.isNull }
        document["spec"] = .object(merged)
        return document
    }

    static func policy(_ spec: JSONObject) throws -> JSONValue {
        var document = try RepositoryFiles.document("policies/default.yaml")
        var merged = document["spec"]?.objectValue ?? [:]
        for (key, value) in spec { merged[key] = value }
        merged = merged.filter { !$0.value.isNull }
        document["spec"] = .object(merged)
        return document
    }

    @Test("the CRDs install and every sample and policy is accepted unchanged")
    func samplesAccepted() async throws {
        try await withCRDs { server in
            for (path, document) in try RepositoryFiles.sampleDocuments() {
                let stored = try server.create(document)
                // Nothing pruned: every field of the sample is in the schema.
                #expect(stored["spec"] == document["spec"] || document["kind"] == "MigrationPolicy", "\(path)")
            }
        }
    }

    @Test("fully populated objects, status included, are stored without a field pruned")
    func fullyPopulatedAccepted() async throws {
        try await withCRDs { server in
            for object in [
                try JSONValueEncoder().encode(FullyPopulated.migration),
                try JSONValueEncoder().encode(FullyPopulated.policy),
            ] {
                let stored = try server.create(object)
                #expect(stored["spec"] == object["spec"])
                #expect(stored["status"] == object["status"])
            }
        }
    }

    /// (what is wrong, spec fields to set (null removes), field the error names)
    static let badMigrations: [(String, JSONObject, String)] = [
        ("missing sourcePod", ["sourcePod": .null], "spec.sourcePod"),
        ("sourcePod not a DNS subdomain", ["sourcePod": "Consumer_0"], "spec.sourcePod"),
        ("unknown strategy", ["migrationStrategy": "LiveCopy"], "spec.migrationStrategy"),
        ("cutoff 0", ["replayCutoffSeconds": 0], "spec.replayCutoffSeconds"),
        ("cutoff over an hour", ["replayCutoffSeconds": 3601], "spec.replayCutoffSeconds"),
        ("http broker", ["messageQueueConfig": ["queueName": "q", "brokerUrl": "http://rabbitmq:15672"]],
         "spec.messageQueueConfig.brokerUrl"),
        ("queue config without a queue", ["messageQueueConfig": ["brokerUrl": "amqp://rabbitmq"]],
         "spec.messageQueueConfig.queueName"),
        ("Direct transfer (not implemented)", ["transferMode": "Direct"], "spec.transferMode"),
        ("unknown replay mode", ["replayMode": "Forever"], "spec.replayMode"),
        ("missing image repository", ["checkpointImageRepository": .null], "spec.checkpointImageRepository"),
        ("image repository with a tag", ["checkpointImageRepository": "registry:5000/checkpoints:latest"],
         "spec.checkpointImageRepository"),
        ("phase timeout 0", ["phaseTimeouts": ["replaying": 0]], "spec.phaseTimeouts.replaying"),
        ("negative grace period", ["sourceDeletionGracePeriodSeconds": -1], "spec.sourceDeletionGracePeriodSeconds"),
    ]

    @Test("bad StatefulMigration specs are 422 Invalid naming the field", arguments: badMigrations)
    func badMigrationRejected(problem: String, spec: JSONObject, field: String) async throws {
        try await withCRDs { server in
            let error = try #require(rejection(server, Self.migration(spec)), "\(problem) was accepted")
            #expect(error.code == 422)
            #expect(error.reason == "Invalid")
            #expect(error.message.contains(field), "\(error.message)")
            let causes = error.status[path: ["details", "causes"]]?.arrayValue ?? []
            #expect(causes.contains { $0["field"]?.stringValue == field }, "\(causes)")
        }
    }

    @Test("an empty strategy, target node and container are accepted (the engine chooses)")
    func emptyChoicesAccepted() async throws {
        try await withCRDs { server in
            let stored = try server.create(
                Self.migration(["migrationStrategy": "", "targetNode": "", "containerName": "", "transferMode": ""]))
            #expect(stored[path: ["spec", "migrationStrategy"]] == "")
        }
    }

    @Test("the spec cannot change after creation; metadata and status can")
    func specImmutable() async throws {
        try await withCRDs { server in
            let created = try server.create(Self.migration([:]))
            var repointed = created
            repointed[path: ["spec", "targetNode"]] = "worker-9"
            do {
                try server.update(repointed)
                Issue.record("re-pointing the migration was accepted")
            } catch let error as KubeSimError {
                #expect(error.code == 422)
                #expect(error.reason == "Invalid")
                #expect(error.message.contains("spec"), "\(error.message)")
                #expect(error.message.contains("immutable"), "\(error.message)")
            }
            var relabelled = created
            relabelled[path: ["metadata", "labels"]] = ["team": "shop"]
            relabelled["status"] = ["phase": "Checkpointing", "sourceNode": "worker-1"]
            let updated = try server.update(relabelled)
            #expect(updated[path: ["status", "phase"]] == "Checkpointing")
            #expect(updated[path: ["metadata", "labels", "team"]] == "shop")
        }
    }

    /// (what is wrong, spec fields to set (null removes), field the error names)
    static let badPolicies: [(String, JSONObject, String)] = [
        ("maxConcurrent 0", ["budgets": ["maxConcurrent": 0]], "spec.budgets.maxConcurrent"),
        ("unknown fallback", ["fallback": ["action": "Delete"]], "spec.fallback.action"),
        ("unknown owner kind", ["selection": ["ownerKinds": ["Job"]]], "spec.selection.ownerKinds[0]"),
        ("bad cron", ["budgets": ["scheduleWindows": [["schedule": "nightly", "durationSeconds": 60]]]],
         "spec.budgets.scheduleWindows[0].schedule"),
        ("taint effect", ["triggers": ["taints": [["key": "k", "effect": "Sometimes"]]]],
         "spec.triggers.taints[0].effect"),
        ("threshold over 100", ["rebalance": ["enabled": true, "thresholdPercent": 150]],
         "spec.rebalance.thresholdPercent"),
        ("template cutoff 0", ["template": ["replayCutoffSeconds": 0]], "spec.template.replayCutoffSeconds"),
        ("template http broker", ["template": ["messageQueueConfig": ["brokerUrl": "http://x"]]],
         "spec.template.messageQueueConfig.brokerUrl"),
        ("neither triggers nor rebalance", ["triggers": .null], "spec"),
    ]

    @Test("bad MigrationPolicy specs are 422 Invalid naming the field", arguments: badPolicies)
    func badPolicyRejected(problem: String, spec: JSONObject, field: String) async throws {
        try await withCRDs { server in
            let error = try #require(rejection(server, Self.policy(spec)), "\(problem) was accepted")
            #expect(error.code == 422)
            #expect(error.reason == "Invalid")
            let causes = error.status[path: ["details", "causes"]]?.arrayValue ?? []
            #expect(causes.contains { $0["field"]?.stringValue == field }, "\(error.message)")
        }
    }

    @Test("a policy without budgets gets the documented defaults")
    func policyBudgetDefaults() async throws {
        try await withCRDs { server in
            let stored = try server.create(Self.policy(["budgets": .null]))
            let policy = try JSONValueDecoder().decode(MigrationPolicy.self, from: stored)
            #expect(policy.spec.budgets?.maxConcurrent == MigrationBudgets.defaultMaxConcurrent)
            #expect(policy.spec.budgets?.maxOutboundPerNode == MigrationBudgets.defaultMaxOutboundPerNode)
            #expect(policy.spec.budgets?.maxInFlightPerStatefulSet == MigrationBudgets.defaultMaxInFlightPerStatefulSet)
            #expect(policy.spec.budgets?.maxInboundPerNode == nil)
            #expect(policy.metadata.namespace == nil)
        }
    }
}
