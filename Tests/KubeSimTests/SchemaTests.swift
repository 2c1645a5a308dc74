import Testing
import Unstructured

@testable import KubeSim

/// A schema exercising every supported keyword under `spec`.
let migrationSchemaJSON = #"""
{"type":"object","properties":{
  "apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object"},
  "spec":{"type":"object","required":["sourcePod"],"properties":{
    "sourcePod":{"type":"string","minLength":1,"maxLength":10,"pattern":"^[a-z0-9-]+$"},
    "replicas":{"type":"integer","minimum":0,"maximum":10},
    "ratio":{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":1,"exclusiveMaximum":true,
             "multipleOf":0.25},
    "strategy":{"type":"string","enum":["ShadowPod","Sequential"]},
    "port":{"x-kubernetes-int-or-string":true},
    "items":{"type":"array","minItems":1,"maxItems":3,"items":{"type":"string"}},
    "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
    "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
             "items":{"type":"object","required":["name"],"properties":{
               "name":{"type":"string"},"port":{"type":"integer","format":"int32"}}}},
    "labels":{"type":"object","minProperties":1,"maxProperties":2,
              "additionalProperties":{"type":"string","maxLength":3}},
    "enabled":{"type":"boolean"},
    "startedAt":{"type":"string","format":"date-time"},
    "id":{"type":"string","format":"uuid"},
    "data":{"type":"string","format":"byte"},
    "note":{"type":"string","nullable":true},
    "template":{"type":"object","x-kubernetes-embedded-resource":true,
                "x-kubernetes-preserve-unknown-fields":true}
  }}
}}
"""#

func compileEngineSchema(_ text: String) throws -> StructuralSchema {
    try StructuralSchema(openAPIV3Schema: engineJSON(text))
}

/// `{"apiVersion":…,"kind":…,"metadata":…,"spec":{"sourcePod":"p", <fields>}}`
func migrationObject(_ specFields: String) -> JSONValue {
    let comma = specFields.isEmpty ? "" : ","
    return engineJSON(
        #"{"apiVersion":"migration.ms2m.io/v1alpha1","kind":"StatefulMigration","metadata":{"name":"m1"},"#
            + #""spec":{"sourcePod":"p""# + comma + specFields + "}}")
}

@Suite("StructuralSchema validation")
struct SchemaTests {
    static let schema = try! compileEngineSchema(migrationSchemaJSON)

    static let valid: [String] = [
        "", #""replicas":0"#, #""replicas":10"#, #""replicas":2.0"#, #""ratio":0.5"#, #""ratio":0.75"#,
        #""strategy":"Sequential""#, #""port":8080"#, #""port":"http""#, #""items":["a","b","c"]"#,
        #""tags":["a","b"]"#, #""ports":[{"name":"a","port":1},{"name":"b","port":1}]"#, #""labels":{"a":"abc"}"#,
        #""enabled":false"#, #""startedAt":"2024-02-29T10:00:00Z""#, #""startedAt":"2024-01-01T00:00:00.5+02:00""#,
        #""id":"123e4567-e89b-12d3-a456-426614174000""#, #""data":"aGVsbG8=""#, #""note":null"#,
        #""template":{"apiVersion":"v1","kind":"Pod","metadata":{},"spec":{"x":1}}"#,
        #""sourcePod":"a-1""#,
    ]

    @Test("accepts valid values", arguments: valid)
    func accepts(fields: String) {
        var object = migrationObject(fields)
        if fields.hasPrefix(#""sourcePod""#) { object = engineJSON(#"{"spec":{"# + fields + "}}") }
        #expect(Self.schema.validate(object, old: nil) == [])
    }

    /// (spec fields, error field, error type)
    static let invalid: [(String, String, FieldErrorType)] = [
        (#""replicas":-1"#, "spec.replicas", .invalid),
        (#""replicas":11"#, "spec.replicas", .invalid),
        (#""replicas":1.5"#, "spec.replicas", .typeInvalid),
        (#""replicas":"1""#, "spec.replicas", .typeInvalid),
        (#""replicas":null"#, "spec.replicas", .typeInvalid),
        (#""ratio":0"#, "spec.ratio", .invalid),
        (#""ratio":1"#, "spec.ratio", .invalid),
        (#""ratio":0.3"#, "spec.ratio", .invalid),
        (#""strategy":"X""#, "spec.strategy", .notSupported),
        (#""port":true"#, "spec.port", .typeInvalid),
        (#""port":1.5"#, "spec.port", .typeInvalid),
        (#""items":[]"#, "spec.items", .invalid),
        (#""items":["a","b","c","d"]"#, "spec.items", .tooMany),
        (#""items":[1]"#, "spec.items[0]", .typeInvalid),
        (#""items":"a""#, "spec.items", .typeInvalid),
        (#""tags":["a","b","a"]"#, "spec.tags[2]", .duplicate),
        (#""ports":[{"name":"a"},{"name":"b"},{"name":"a","port":2}]"#, "spec.ports[2]", .duplicate),
        (#""ports":[{"port":1}]"#, "spec.ports[0].name", .required),
        (#""ports":[{"name":"a","port":3000000000}]"#, "spec.ports[0].port", .typeInvalid),
        (#""labels":{}"#, "spec.labels", .invalid),
        (#""labels":{"a":"1","b":"2","c":"3"}"#, "spec.labels", .tooMany),
        (#""labels":{"a":"toolong"}"#, "spec.labels[a]", .tooLong),
        (#""enabled":"yes""#, "spec.enabled", .typeInvalid),
        (#""startedAt":"2024-02-30T10:00:00Z""#, "spec.startedAt", .typeInvalid),
        (#""startedAt":"yesterday""#, "spec.startedAt", .typeInvalid),
        (#""id":"not-a-uuid""#, "spec.id", .typeInvalid),
        (#""data":"%%%""#, "spec.data", .typeInvalid),
        (#""template":{"kind":"Pod","metadata":{}}"#, "spec.template.apiVersion", .required),
        (#""template":{"apiVersion":"v1","metadata":{}}"#, "spec.template.kind", .required),
    ]

    @Test("rejects invalid values with the field path and error type", arguments: invalid)
    func rejects(fields: String, field: String, type: FieldErrorType) {
        let errors = Self.schema.validate(migrationObject(fields), old: nil).filter { !$0.field.isEmpty }
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.field == field, "\(errors)")
        #expect(errors.first?.type == type, "\(errors)")
    }

    static let strings: [(JSONValue, String)] = [
        (engineJSON(#"{"spec":{}}"#), "spec.sourcePod: Required value"),
        (migrationObject(#""replicas":-1"#),
         "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"),
        (migrationObject(#""replicas":"3""#),
         #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#),
        (migrationObject(#""strategy":"X""#),
         #"spec.strategy: Unsupported value: "X": supported values: "ShadowPod", "Sequential""#),
        (engineJSON(#"{"spec":{"sourcePod":"UPPER"}}"#),
         #"spec.sourcePod: Invalid value: "UPPER": spec.sourcePod in body should match '^[a-z0-9-]+$'"#),
        (engineJSON(#"{"spec":{"sourcePod":"abcdefghijk"}}"#),
         "spec.sourcePod: Too long: may not be more than 10 bytes"),
        (migrationObject(#""items":["a","b","c","d"]"#), "spec.items: Too many: 4: must have at most 3 items"),
        (migrationObject(#""tags":["a","a"]"#), #"spec.tags[1]: Duplicate value: "a""#),
        (migrationObject(#""ports":[{"name":"a"},{"name":"a"}]"#), #"spec.ports[1]: Duplicate value: {"name":"a"}"#),
        (migrationObject(#""ratio":0.3"#),
         "spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.25"),
    ]

    @Test("formats errors as the API server does", arguments: strings)
    func messages(object: JSONValue, expected: String) {
        let errors = Self.schema.validate(object, old: nil).filter { !$0.field.isEmpty }
        #expect(errors.map(\.description) == [expected])
    }

    @Test("an empty string fails minLength and the pattern")
    func minLength() {
        let errors = Self.schema.validate(engineJSON(#"{"spec":{"sourcePod":""}}"#), old: nil)
        #expect(errors.map(\.description) == [
            #"spec.sourcePod: Invalid value: "": spec.sourcePod in body should be at least 1 chars long"#,
            #"spec.sourcePod: Invalid value: "": spec.sourcePod in body should match '^[a-z0-9-]+$'"#,
        ])
    }

    @Test("counts string length in Unicode scalars")
    func unicodeLength() throws {
        let schema = try compileEngineSchema(#"{"type":"object","properties":{"s":{"type":"string","maxLength":2}}}"#)
        #expect(schema.validate(engineJSON(#"{"s":"éé"}"#), old: nil) == [])
        #expect(schema.validate(engineJSON(#"{"s":"ééé"}"#), old: nil).map(\.type) == [.tooLong])
    }

    @Test("does not validate root metadata, apiVersion or kind")
    func rootMetadata() throws {
        let schema = try compileEngineSchema(
            #"{"type":"object","required":["spec"],"properties":{"spec":{"type":"object"}}}"#)
        let errors = schema.validate(engineJSON(#"{"apiVersion":1,"kind":[],"metadata":"x","spec":{}}"#), old: nil)
        #expect(errors == [])
    }

    @Test("reports several errors and formats the 422 message")
    func invalidMessage() {
        let errors = Self.schema.validate(engineJSON(#"{"spec":{"replicas":-1}}"#), old: nil)
        #expect(errors.map(\.field) == ["spec.sourcePod", "spec.replicas"])
        let message = InvalidObjectMessage.format(
            kind: "StatefulMigration", group: "migration.ms2m.io", name: "m1", errors: errors)
        #expect(message == #"StatefulMigration.migration.ms2m.io "m1" is invalid: [spec.sourcePod: Required value, "#
            + "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0]")
        let single = InvalidObjectMessage.format(kind: "Pod", group: "", name: "x", errors: [errors[0]])
        #expect(single == #"Pod "x" is invalid: spec.sourcePod: Required value"#)
    }

    @Test("anyOf, oneOf, allOf and not validate values")
    func junctors() throws {
        let schema = try compileEngineSchema(#"""
            {"type":"object","properties":{
              "a":{"type":"string","anyOf":[{"pattern":"^x"},{"pattern":"^y"}]},
              "o":{"type":"integer","oneOf":[{"minimum":5},{"maximum":7}]},
              "n":{"type":"string","not":{"enum":["bad"]}},
              "all":{"type":"integer","allOf":[{"minimum":1},{"maximum":3}]}}}
            """#)
        #expect(schema.validate(engineJSON(#"{"a":"yes","o":1,"n":"good","all":2}"#), old: nil) == [])
        let errors = schema.validate(engineJSON(#"{"a":"no","o":6,"n":"bad","all":4}"#), old: nil)
        #expect(Set(errors.map(\.field)) == ["a", "o", "n", "all"])
    }
}

@Suite("StructuralSchema compilation")
struct CompileSchemaTests {
    /// Schemas the API server (or KubeSim) refuses, with a fragment of the reason.
    static let rejected: [(String, String)] = [
        (#"{"type":"object","properties":{"a":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}}"#,
         "uniqueItems cannot be set to true"),
        (#"{"type":"object","properties":{"a":{"type":"string","pattern":"[a-"}}}"#, "pattern"),
        (##"{"type":"object","properties":{"a":{"$ref":"#/definitions/x"}}}"##, "$ref"),
        (#"{"type":"object","properties":{"a":{"description":"no type"}}}"#, "properties[a].type: Required value"),
        (#"{"type":"string"}"#, "must be object at the root"),
        (#"{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},"#
            + #""additionalProperties":{"type":"string"}}}}"#, "mutual exclusive"),
        (#"{"type":"object","properties":{"a":{"type":"array","items":{"type":"object"},"#
            + #""x-kubernetes-list-type":"map"}}}"#, "x-kubernetes-list-map-keys: Required value"),
        (#"{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","#
            + #""x-kubernetes-list-map-keys":["k"],"items":{"type":"object","properties":{"k":{"type":"string"}}}}}}"#,
         "must be required or have a default"),
        (#"{"type":"object","properties":{"a":{"type":"integer","default":"x"}}}"#, "default: Invalid value"),
        (#"{"type":"object","properties":{"a":{"type":"object","#
            + #""default":{"zzz":1}}}}"#, "must not have unknown fields"),
        (#"{"type":"object","properties":{"a":{"type":"array"}}}"#, "items: Required value"),
        (#"{"type":"object","properties":{"a":{"type":"string","x-kubernetes-int-or-string":true}}}"#,
         "must be empty if x-kubernetes-int-or-string"),
        (#"{"type":"object","properties":{"a":{"type":"strin"}}}"#, "Unsupported value"),
        (#"{"type":"object","properties":{"a":{"type":"string","frobnicate":1}}}"#, "frobnicate"),
    ]

    @Test("rejects what the API server rejects or KubeSim cannot enforce", arguments: rejected)
    func rejects(schema: String, fragment: String) {
        do {
            _ = try StructuralSchema(openAPIV3Schema: engineJSON(schema))
            Issue.record("expected a SchemaError containing \(fragment)")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test("accepts controller-gen's int-or-string and preserve-unknown-fields shapes")
    func accepts() throws {
        _ = try compileEngineSchema(#"""
            {"type":"object","properties":{
              "p":{"anyOf":[{"type":"integer"},{"type":"string"}],"x-kubernetes-int-or-string":true},
              "raw":{"x-kubernetes-preserve-unknown-fields":true},
              "m":{"type":"object","additionalProperties":true}}}
            """#)
    }
}

@Suite("StructuralSchema defaulting and pruning")
struct DefaultingPruningSchemaTests {
    static let schema = try! compileEngineSchema(#"""
        {"type":"object","properties":{
          "spec":{"type":"object","default":{},"properties":{
            "replicas":{"type":"integer","default":1},
            "strategy":{"type":"string","default":"ShadowPod"},
            "nullable":{"type":"string","nullable":true,"default":"d"},
            "options":{"type":"object","default":{"retries":3},"properties":{
              "retries":{"type":"integer"},"backoff":{"type":"string","default":"10s"}}},
            "containers":{"type":"array","items":{"type":"object","properties":{
              "name":{"type":"string"},"pull":{"type":"string","default":"IfNotPresent"}}}},
            "env":{"type":"object","additionalProperties":{"type":"object","properties":{
              "value":{"type":"string","default":"v"}}}},
            "raw":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{
              "known":{"type":"object","properties":{"a":{"type":"string"}}}}},
            "free":{"type":"object","additionalProperties":true}
          }},
          "status":{"type":"object","properties":{"phase":{"type":"string"}}}
        }}
        """#)

    @Test("defaults missing objects and fields recursively")
    func defaultsEmpty() {
        let result = Self.schema.applyDefaults(to: engineJSON(#"{"metadata":{"name":"x"}}"#))
        #expect(result == engineJSON(#"""
            {"metadata":{"name":"x"},"spec":{"replicas":1,"strategy":"ShadowPod","nullable":"d",
             "options":{"retries":3,"backoff":"10s"}}}
            """#))
    }

    @Test("keeps set values; defaults inside arrays and maps; null in non-nullable gets the default")
    func defaultsNested() {
        let result = Self.schema.applyDefaults(to: engineJSON(#"""
            {"spec":{"replicas":null,"nullable":null,"strategy":"Sequential","options":{"retries":0},
             "containers":[{"name":"a"},{"name":"b","pull":"Always"}],"env":{"X":{}}}}
            """#))
        #expect(result == engineJSON(#"""
            {"spec":{"replicas":1,"nullable":null,"strategy":"Sequential","options":{"retries":0,"backoff":"10s"},
             "containers":[{"name":"a","pull":"IfNotPresent"},{"name":"b","pull":"Always"}],
             "env":{"X":{"value":"v"}}}}
            """#))
    }

    @Test("prunes unknown fields at every level, keeping root metadata and preserved subtrees")
    func prunes() {
        let result = Self.schema.prune(engineJSON(#"""
            {"apiVersion":"a/v1","kind":"K","metadata":{"name":"x","whatever":1},"extra":1,
             "spec":{"replicas":2,"bogus":true,"containers":[{"name":"a","junk":1}],
                     "env":{"X":{"value":"1","junk":2}},
                     "raw":{"anything":{"deep":1},"known":{"a":"1","b":"2"}},
                     "free":{"k":{"v":1}}},
             "status":{"phase":"Running","junk":[]}}
            """#))
        #expect(result == engineJSON(#"""
            {"apiVersion":"a/v1","kind":"K","metadata":{"name":"x","whatever":1},
             "spec":{"replicas":2,"containers":[{"name":"a"}],"env":{"X":{"value":"1"}},
                     "raw":{"anything":{"deep":1},"known":{"a":"1"}},"free":{"k":{"v":1}}},
             "status":{"phase":"Running"}}
            """#))
    }

    @Test("embedded resources keep apiVersion, kind and metadata")
    func embedded() throws {
        let schema = try compileEngineSchema(#"""
            {"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true,
              "properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}}}}
            """#)
        let result = schema.prune(engineJSON(#"{"t":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"x":1,"#
            + #""spec":{"a":"1","b":2}}}"#))
        let expected = #"{"t":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"a":"1"}}}"#
        #expect(result == engineJSON(expected))
    }
}
