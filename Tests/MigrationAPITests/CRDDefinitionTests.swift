import MigrationAPI
import Testing
import Unstructured

/// The CRDs' names, scope and printer columns match the Swift types and what users type.
@Suite("CRD definitions")
struct CRDDefinitionTests {
    @Test("StatefulMigration: names, scope, status subresource")
    func statefulMigrationNames() throws {
        let crd = try RepositoryFiles.document(RepositoryFiles.statefulMigrationCRDPath)
        #expect(crd[path: ["metadata", "name"]]?.stringValue == "\(StatefulMigration.plural).\(StatefulMigration.group)")
        #expect(crd[path: ["spec", "group"]]?.stringValue == StatefulMigration.group)
        #expect(crd[path: ["spec", "names", "kind"]]?.stringValue == StatefulMigration.kind)
        #expect(crd[path: ["spec", "names", "plural"]]?.stringValue == StatefulMigration.plural)
        #expect(crd[path: ["spec", "names", "shortNames"]] == ["smig"])
        #expect(crd[path: ["spec", "names", "categories"]] == ["ms2m"])
        #expect(crd[path: ["spec", "scope"]] == "Namespaced")
        let version = crd[path: ["spec", "versions"]]?.arrayValue?.first
        #expect(version?["name"]?.stringValue == StatefulMigration.version)
        #expect(version?[path: ["subresources", "status"]] == [:])
    }

    @Test("MigrationPolicy: names, cluster scope, status subresource")
    func migrationPolicyNames() throws {
        let crd = try RepositoryFiles.document(RepositoryFiles.migrationPolicyCRDPath)
        #expect(crd[path: ["metadata", "name"]]?.stringValue == "\(MigrationPolicy.plural).\(MigrationPolicy.group)")
        #expect(crd[path: ["spec", "names", "kind"]]?.stringValue == MigrationPolicy.kind)
        #expect(crd[path: ["spec", "names", "shortNames"]] == ["mpol"])
        #expect(crd[path: ["spec", "names", "categories"]] == ["ms2m"])
        #expect(crd[path: ["spec", "scope"]] == (MigrationPolicy.isNamespaced ? "Namespaced" : "Cluster"))
        let version = crd[path: ["spec", "versions"]]?.arrayValue?.first
        #expect(version?["name"]?.stringValue == MigrationPolicy.version)
        #expect(version?[path: ["subresources", "status"]] == [:])
    }

    @Test("StatefulMigration printer columns show phase, source, target and strategy")
    func statefulMigrationColumns() throws {
        let columns = try printerColumns(RepositoryFiles.statefulMigrationCRDPath)
        #expect(columns["Phase"] == ".status.phase")
        #expect(columns["Source"] == ".spec.sourcePod")
        #expect(columns["Target"] == ".status.targetNode")
        #expect(columns["Strategy"] == ".status.strategy")
        #expect(columns["Age"] == ".metadata.creationTimestamp")
    }

    @Test("every printer column's path names a field of the schema", arguments: [
        RepositoryFiles.statefulMigrationCRDPath, RepositoryFiles.migrationPolicyCRDPath,
    ])
    func columnPathsExist(crdPath: String) throws {
        let schema = try RepositoryFiles.openAPISchema(ofCRD: crdPath)
        for (name, jsonPath) in try printerColumns(crdPath) where !jsonPath.hasPrefix(".metadata.") {
            // `.status.conditions[?(@.type=="Ready")].status` walks into the list's items.
            var node: JSONValue? = schema
            let fields = jsonPath.replacingOccurrences(of: #"[?(@.type=="Ready")]"#, with: "").split(separator: ".")
            for field in fields {
                if node?["type"] == "array" { node = node?["items"] }
                node = node?[path: ["properties", String(field)]]
            }
            #expect(node != nil, "column \(name): \(jsonPath) is not in the schema")
        }
    }

    private func printerColumns(_ crdPath: String) throws -> [String: String] {
        let crd = try RepositoryFiles.document(crdPath)
        let columns = crd[path: ["spec", "versions"]]?.arrayValue?.first?["additionalPrinterColumns"]?.arrayValue ?? []
        var result: [String: String] = [:]
        for column in columns {
            if let name = column["name"]?.stringValue { result[name] = column["jsonPath"]?.stringValue }
        }
        return result
    }
}
