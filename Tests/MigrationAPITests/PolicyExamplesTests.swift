import Foundation
import KubeSim
import MigrationAPI
import Testing
import Unstructured
import YAMLCodec

/// The ready-to-apply examples in `policies/`: each is commented, decodes into `MigrationPolicy` without
/// losing a field, and passes the CRD's schema (types, enums, patterns, CEL rules) with nothing pruned — what
/// `kubectl apply -f policies/<file>` needs.
@Suite("Policy examples in policies/")
struct PolicyExamplesTests {
    static let files: [String] = (try? RepositoryFiles.manifests(in: "policies")) ?? []

    static let schema: StructuralSchema? = {
        guard let openAPI = try? RepositoryFiles.openAPISchema(ofCRD: RepositoryFiles.migrationPolicyCRDPath) else {
            return nil
        }
        return try? StructuralSchema(openAPIV3Schema: openAPI)
    }()

    @Test("policies/ holds the default policy and the four examples")
    func layout() {
        for name in ["default", "drain-on-cordon", "maintenance-label", "maintenance-taint-window", "dry-run"] {
            #expect(Self.files.contains("policies/\(name).yaml"), "policies/\(name).yaml is missing")
        }
    }

    @Test("each example is commented, decodes into a MigrationPolicy and passes the CRD schema", arguments: files)
    func validates(path: String) throws {
        let text = try RepositoryFiles.text(path)
        #expect(text.hasPrefix("#"), "\(path) should open with a comment saying what it does and how to apply it")
        let documents = try YAML.parseAll(text)
        #expect(documents.count == 1, "\(path): one MigrationPolicy per file")
        let document = try #require(documents.first)
        #expect(document["apiVersion"]?.stringValue == "migration.ms2m.io/v1alpha1")
        #expect(document["kind"]?.stringValue == "MigrationPolicy")

        // The Swift model keeps every field: decoding and encoding again gives the same spec.
        let policy = try JSONValueDecoder().decode(MigrationPolicy.self, from: document)
        #expect(policy.metadata.name == path.split(separator: "/").last!.replacingOccurrences(of: ".yaml", with: ""))
        let encoded = try JSONValueEncoder().encode(policy)
        #expect(encoded["spec"] == document["spec"], "\(path): a field is lost by MigrationPolicy")

        // The CRD schema: nothing pruned, no error (CEL rules included).
        let schema = try #require(Self.schema)
        let defaulted = schema.applyDefaults(to: document)
        let pruned = schema.prune(defaulted)
        #expect(pruned["spec"] == defaulted["spec"], "\(path): fields unknown to the CRD would be pruned")
        let errors = schema.validate(pruned, old: nil)
        #expect(errors.isEmpty, "\(path): \(errors)")
    }

    @Test("the schema check catches a broken example (the test can fail)")
    func catchesBrokenExample() throws {
        var document = try RepositoryFiles.document("policies/maintenance-label.yaml")
        document[path: ["spec", "fallback", "action"]] = "Delete"
        document[path: ["spec", "unknownField"]] = true
        let schema = try #require(Self.schema)
        let defaulted = schema.applyDefaults(to: document)
        #expect(schema.prune(defaulted)["spec"] != defaulted["spec"])
        #expect(!schema.validate(schema.prune(defaulted), old: nil).isEmpty)
    }
}
