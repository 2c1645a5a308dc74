import KubeModel
import MigrationAPI
import Testing
import Unstructured

/// The drift guard between the Swift types and the CRD schemas (kubebuilder's `make manifests`, by test).
@Suite("CRD schemas and Swift types agree")
struct SchemaCoverageTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let crdPath: String
        let value: @Sendable () throws -> JSONValue
        let unset: @Sendable () -> [String]
        var testDescription: String { crdPath }
    }

    static let cases: [Case] = [
        Case(
            crdPath: RepositoryFiles.statefulMigrationCRDPath,
            value: { try JSONValueEncoder().encode(FullyPopulated.migration) },
            unset: { UnsetFields.paths(in: FullyPopulated.migration, opaque: FullyPopulated.opaqueProperties) }),
        Case(
            crdPath: RepositoryFiles.migrationPolicyCRDPath,
            value: { try JSONValueEncoder().encode(FullyPopulated.policy) },
            unset: { UnsetFields.paths(in: FullyPopulated.policy, opaque: FullyPopulated.opaqueProperties) }),
    ]

    @Test("the fully populated fixtures set every optional field", arguments: cases)
    func fixturesComplete(_ c: Case) {
        #expect(c.unset() == [], "fields the fixture leaves nil; populate them in FullyPopulated.swift")
    }

    @Test("every field the Swift types encode is declared in the schema, with its JSON type", arguments: cases)
    func typeFieldsInSchema(_ c: Case) throws {
        let schema = try RepositoryFiles.openAPISchema(ofCRD: c.crdPath)
        #expect(SchemaCoverage.undeclaredFields(in: try c.value(), schema: schema) == [])
    }

    @Test("every property the schema declares is written by the Swift types", arguments: cases)
    func schemaFieldsInType(_ c: Case) throws {
        let schema = try RepositoryFiles.openAPISchema(ofCRD: c.crdPath)
        #expect(SchemaCoverage.unpopulatedProperties(of: schema, in: try c.value()) == [])
    }

    @Test("the coverage walk reports undeclared fields, wrong types and unpopulated properties by path")
    func walkerFindsDrift() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "spec": [
                    "type": "object",
                    "properties": [
                        "a": ["type": "integer"],
                        "list": ["type": "array", "items": ["type": "object", "properties": ["x": ["type": "string"]]]],
                        "raw": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    ],
                ]
            ],
        ]
        let value: JSONValue = ["spec": ["a": "1", "list": [["x": "1", "y": 2]], "raw": ["any": ["thing": 1]], "b": true]]
        #expect(
            SchemaCoverage.undeclaredFields(in: value, schema: schema).sorted() == [
                "spec.a: encoded as string, schema says integer", "spec.b: not in the schema", "spec.list[0].y: not in the schema",
            ])
        #expect(SchemaCoverage.unpopulatedProperties(of: schema, in: ["spec": ["a": 1]]).sorted() == ["spec.list", "spec.raw"])
        #expect(UnsetFields.paths(in: MessageQueueConfig(queueName: "q"), opaque: []).sorted() == [
            "brokerUrl", "exchangeName", "routingKey",
        ])
    }

    @Test("the policy template declares the StatefulMigration spec's fields except sourcePod and targetNode")
    func templateMirrorsMigrationSpec() throws {
        let migrationSpec = try RepositoryFiles.openAPISchema(ofCRD: RepositoryFiles.statefulMigrationCRDPath)[
            path: ["properties", "spec"]]
        let template = try RepositoryFiles.openAPISchema(ofCRD: RepositoryFiles.migrationPolicyCRDPath)[
            path: ["properties", "spec", "properties", "template"]]
        var expected = propertyTree(migrationSpec)
        expected.removeAll { $0 == "sourcePod" || $0 == "targetNode" }
        #expect(propertyTree(template) == expected)
        // The same validation applies to a stamped field as to one written by hand.
        for field in ["checkpointImageRepository", "replayCutoffSeconds", "migrationStrategy", "transferMode"] {
            #expect(template?[path: ["properties", field]] == migrationSpec?[path: ["properties", field]], "\(field)")
        }
    }

    /// Every property path below `schema`, depth first, in declaration order.
    private func propertyTree(_ schema: JSONValue?, prefix: String = "") -> [String] {
        guard let properties = schema?["properties"]?.objectValue else { return [] }
        return properties.flatMap { key, child in
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            return [path] + propertyTree(child, prefix: path)
        }
    }
}
