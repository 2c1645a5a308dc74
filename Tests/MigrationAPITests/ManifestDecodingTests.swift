import KubeModel
import MigrationAPI
import Testing
import Unstructured

@Suite("Sample and policy manifests")
struct ManifestDecodingTests {
    static let manifestPaths: [String] = {
        (try? RepositoryFiles.sampleDocuments().map(\.path)) ?? []
    }()

    @Test("the samples and policies cover both kinds")
    func coverage() throws {
        let kinds = try RepositoryFiles.sampleDocuments().compactMap { $0.document["kind"]?.stringValue }
        #expect(kinds.filter { $0 == StatefulMigration.kind }.count >= 2)
        #expect(kinds.contains(MigrationPolicy.kind))
        #expect(Self.manifestPaths.contains("policies/default.yaml"))
    }

    @Test("every manifest decodes into its Swift type and re-encodes without losing a field", arguments: manifestPaths)
    func decodesLosslessly(path: String) throws {
        for document in try RepositoryFiles.sampleDocuments().filter({ $0.path == path }).map(\.document) {
            let reencoded: JSONValue
            switch document["kind"]?.stringValue {
            case StatefulMigration.kind?:
                let migration = try JSONValueDecoder().decode(StatefulMigration.self, from: document)
                #expect(!migration.spec.sourcePod.isEmpty)
                reencoded = try JSONValueEncoder().encode(migration)
            case MigrationPolicy.kind?:
                reencoded = try JSONValueEncoder().encode(
                    JSONValueDecoder().decode(MigrationPolicy.self, from: document))
            default:
                Issue.record("\(path): unexpected kind \(document["kind"] ?? .null)")
                continue
            }
            // A field the types do not know would be dropped here (a typo in a sample, or drift).
            #expect(reencoded == document, "\(path) changed in a decode/encode round trip")
        }
    }

    @Test("the reference-compatible sample uses only the reference controller's fields")
    func referenceSample() throws {
        let document = try RepositoryFiles.document("config/samples/migration_v1alpha1_statefulmigration.yaml")
        let referenceFields: Set<String> = [
            "sourcePod", "containerName", "targetNode", "checkpointImageRepository", "replayCutoffSeconds",
            "migrationStrategy", "messageQueueConfig",
        ]
        let fields = Set(document["spec"]?.objectValue?.keys.map { $0 } ?? [])
        #expect(fields.isSubset(of: referenceFields), "extra: \(fields.subtracting(referenceFields))")
    }

    @Test("the default policy drains cordoned nodes of the sample consumer's StatefulSet pods")
    func defaultPolicy() throws {
        let policy = try YAMLDecoding.decode(MigrationPolicy.self, path: "policies/default.yaml")
        #expect(policy.spec.triggers?.cordon == true)
        #expect(policy.spec.selection?.podSelector?.matches(["app": "ms2m-sample-consumer"]) == true)
        #expect(policy.spec.selection?.podSelector?.matches(["app": "other"]) == false)
        #expect(policy.spec.selection?.ownerKinds == [.statefulSet])
        #expect(policy.spec.template?.messageQueueConfig?.queueName?.isEmpty == false)
        #expect(policy.spec.template?.messageQueueConfig?.exchangeName?.isEmpty == false)
        #expect(policy.spec.template?.checkpointImageRepository?.isEmpty == false)
        #expect(policy.spec.dryRun != true)
    }

    @Test("fully populated values survive an encode/decode round trip")
    func roundTrip() throws {
        let migration = FullyPopulated.migration
        let decodedMigration = try JSONValueDecoder().decode(
            StatefulMigration.self, from: JSONValueEncoder().encode(migration))
        #expect(decodedMigration == migration)
        let policy = FullyPopulated.policy
        let decodedPolicy = try JSONValueDecoder().decode(MigrationPolicy.self, from: JSONValueEncoder().encode(policy))
        #expect(decodedPolicy == policy)
    }

    @Test("an absent apiVersion, kind or spec decodes to the type's defaults")
    func decodingDefaults() throws {
        let policy = try JSONValueDecoder().decode(MigrationPolicy.self, from: ["metadata": ["name": "p"]])
        #expect(policy.apiVersion == "migration.ms2m.io/v1alpha1")
        #expect(policy.kind == "MigrationPolicy")
        #expect(policy.spec == MigrationPolicySpec())
    }
}
