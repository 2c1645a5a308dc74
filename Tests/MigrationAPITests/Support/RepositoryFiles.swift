import Foundation
import Unstructured
import YAMLCodec

/// Files of this repository that the tests read: the CRDs, the samples and the policies.
enum RepositoryFiles {
    /// The repository root: three levels above this file (`Tests/MigrationAPITests/Support/`).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let statefulMigrationCRDPath = "config/crd/bases/migration.ms2m.io_statefulmigrations.yaml"
    static let migrationPolicyCRDPath = "config/crd/bases/migration.ms2m.io_migrationpolicies.yaml"

    /// The text of a file given relative to the root.
    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// The single YAML document of a file.
    static func document(_ relativePath: String) throws -> JSONValue {
        try YAML.parse(text(relativePath))
    }

    /// Relative paths of the `.yaml` files in a directory, sorted, excluding kustomizations.
    static func manifests(in relativeDirectory: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(
            atPath: root.appendingPathComponent(relativeDirectory).path)
        return names.filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }.sorted()
            .map { "\(relativeDirectory)/\($0)" }
    }

    /// Every sample and policy manifest, as (relative path, document) pairs.
    static func sampleDocuments() throws -> [(path: String, document: JSONValue)] {
        var result: [(String, JSONValue)] = []
        for path in try manifests(in: "config/samples") + manifests(in: "policies") {
            for document in try YAML.parseAll(text(path)) { result.append((path, document)) }
        }
        return result
    }

    /// The `openAPIV3Schema` of a CRD's only version.
    static func openAPISchema(ofCRD relativePath: String) throws -> JSONValue {
        let crd = try document(relativePath)
        guard let versions = crd[path: ["spec", "versions"]]?.arrayValue, versions.count == 1,
            let schema = versions[0][path: ["schema", "openAPIV3Schema"]]
        else { throw FixtureError("\(relativePath) has no single version with an openAPIV3Schema") }
        return schema
    }
}

/// A fixture file that is not shaped as the tests expect.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
