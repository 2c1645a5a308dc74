import Testing
import Unstructured

@testable import KubeSim

/// Evaluates a CEL expression with `self` bound to `value` (no schema: JSON ints stay ints).
func evaluateCEL(_ source: String, self value: JSONValue = .null) throws -> CELValue {
    let expr = try CELParser.parse(source, variables: ["self", "oldSelf"])
    return try CELEvaluator(bindings: ["self": CELValue(value, node: nil)]).evaluate(expr)
}

@Suite("CEL subset: parser and evaluator")
struct CELEvaluatorTests {
    static let object = engineJSON(#"""
        {"name":"web-1","replicas":3,"minReplicas":1,"ratio":0.5,"items":["a","b","c"],
         "labels":{"app":"web","tier":"fe"},"ports":[{"name":"http","port":80},{"name":"https","port":443}]}
        """#)

    static let cases: [(String, CELValue)] = [
        ("self.minReplicas <= self.replicas", .bool(true)),
        ("self.replicas + 2 * 3 - 1", .int(8)),
        ("(self.replicas + 2) * 3 % 4", .int(3)),
        ("7 / 2", .int(3)),
        ("7.0 / 2.0", .double(3.5)),
        ("-self.replicas", .int(-3)),
        ("self.ratio < 1", .bool(true)),
        ("self.replicas == 3.0", .bool(true)),
        ("'a' + \"b\" + '''c'''", .string("abc")),
        ("r'\\d' == '\\\\d'", .bool(true)),
        ("'\\u00e9' == 'é'", .bool(true)),
        ("size(self.name)", .int(5)),
        ("self.name.size()", .int(5)),
        ("size('héllo')", .int(5)),
        ("self.items.size() == 3 && size(self.labels) == 2", .bool(true)),
        ("self.name.startsWith('web') && self.name.endsWith('-1') && self.name.contains('b-')", .bool(true)),
        ("self.name.matches('^[a-z]+-[0-9]$')", .bool(true)),
        ("matches(self.name, 'x')", .bool(false)),
        ("has(self.labels.app) && !has(self.labels.missing)", .bool(true)),
        ("has(self.nothing)", .bool(false)),
        ("'b' in self.items", .bool(true)),
        ("'app' in self.labels", .bool(true)),
        ("self.items[0] + self.items[2]", .string("ac")),
        ("self.labels['tier']", .string("fe")),
        ("self.ports[1].port", .int(443)),
        ("self.replicas > 2 ? 'big' : 'small'", .string("big")),
        ("false ? 1 : true ? 2 : 3", .int(2)),
        ("self.items.all(x, x.size() == 1)", .bool(true)),
        ("self.items.exists(x, x == 'c')", .bool(true)),
        ("self.items.exists_one(x, x > 'a')", .bool(false)),
        ("self.ports.all(p, p.port > 0 && p.port < 65536)", .bool(true)),
        ("self.ports.map(p, p.name)", .list([.string("http"), .string("https")])),
        ("self.ports.filter(p, p.port > 100).size()", .int(1)),
        ("self.labels.all(k, k.size() > 2)", .bool(true)),
        ("[1, 2] + [3] == [1, 2, 3]", .bool(true)),
        ("{'a': 1}['a']", .int(1)),
        ("null == null && self.name != null", .bool(true)),
        ("int('42') + int(2.9)", .int(44)),
        ("string(self.replicas) + 'x'", .string("3x")),
        ("double(1) / 4.0", .double(0.25)),
        ("self.items.join(',')", .string("a,b,c")),
        ("'A-b'.lowerAscii() + 'c'.upperAscii()", .string("a-bC")),
        ("[3, 1].isSorted() || [1, 3].isSorted()", .bool(true)),
        ("[1, 2, 3].sum() == 6 && [4, 2].min() == 2", .bool(true)),
        // Errors are absorbed when the other side of && / || decides.
        ("self.missing > 1 || true", .bool(true)),
        ("false && self.missing > 1", .bool(false)),
        ("self.items.exists(x, x == 'a' || self.missing)", .bool(true)),
    ]

    @Test("evaluates expressions", arguments: cases)
    func evaluates(source: String, expected: CELValue) throws {
        #expect(try evaluateCEL(source, self: Self.object) == expected, "\(source)")
    }

    static let runtimeErrors: [(String, String)] = [
        ("self.missing > 1", "no such key: missing"),
        ("self.labels['nope'] == 'x'", "no such key: nope"),
        ("self.items[5] == 'x'", "index out of bounds: 5"),
        ("self.replicas / 0 == 1", "division by zero"),
        ("self.replicas % 0 == 1", "modulus by zero"),
        ("9223372036854775807 + 1 > 0", "integer overflow"),
        ("self.replicas + 1.5 > 0", "no such overload"),
        ("self.name > 1", "no such overload"),
        ("self.name ? 1 : 2", "no such overload"),
    ]

    @Test("reports runtime errors as cel-go words them", arguments: runtimeErrors)
    func runtimeError(source: String, fragment: String) {
        do {
            let value = try evaluateCEL(source, self: Self.object)
            Issue.record("\(source): expected an error, got \(value)")
        } catch {
            #expect("\(error)".contains(fragment), "\(source): \(error)")
        }
    }

    static let syntaxErrors: [(String, String)] = [
        ("self.a ==", "unexpected end of expression"),
        ("self.a = 1", "unexpected character '='"),
        ("(self.a", "expected ')'"),
        ("'unterminated", "unterminated string"),
        ("quantity(self.a).isGreaterThan(quantity('1'))", "quantity() is not supported"),
        ("self.a.isSemver()", ".isSemver() is not supported"),
        ("other.a == 1", "undeclared reference to 'other'"),
        ("self.all(x)", "takes a variable name"),
        ("has(self)", "has() macro"),
        ("self.matches('[a-')", "invalid regular expression"),
        ("size(self, 1)", "no matching overload"),
        ("b'bytes' == self", "bytes literals are not supported"),
        ("self.x.all(y, z > 1)", "undeclared reference to 'z'"),
    ]

    @Test("rejects what the subset cannot parse or check", arguments: syntaxErrors)
    func syntaxError(source: String, fragment: String) {
        do {
            _ = try CELParser.parse(source, variables: ["self", "oldSelf"])
            Issue.record("\(source): expected a syntax error")
        } catch {
            #expect(error.description.contains(fragment), "\(source): \(error)")
        }
    }

    @Test("numbers follow the schema: type number is a double, type integer an int")
    func schemaTypes() throws {
        let schema = try compileEngineSchema(#"""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "d":{"type":"number"},"i":{"type":"integer"}},
              "x-kubernetes-validations":[{"rule":"self.d / 2.0 == 1.0 && self.i / 2 == 1"}]}}}
            """#)
        #expect(schema.validate(engineJSON(#"{"spec":{"d":2,"i":2.0}}"#), old: nil) == [])
    }
}

@Suite("x-kubernetes-validations")
struct CELRuleTests {
    static let schema = try! compileEngineSchema(#"""
        {"type":"object","properties":{"spec":{"type":"object",
          "x-kubernetes-validations":[
            {"rule":"self.minReplicas <= self.replicas","message":"minReplicas must be <= replicas"},
            {"rule":"!has(self.maxReplicas) || self.maxReplicas >= self.replicas"},
            {"rule":"self.replicas < 100","fieldPath":".replicas","reason":"FieldValueForbidden",
             "message":"too many"},
            {"rule":"self.replicas != 42","messageExpression":"'replicas ' + string(self.replicas) + ' is unlucky'"}
          ],
          "properties":{
            "sourcePod":{"type":"string",
                         "x-kubernetes-validations":[{"rule":"self == oldSelf","message":"sourcePod is immutable"}]},
            "replicas":{"type":"integer"},"minReplicas":{"type":"integer"},"maxReplicas":{"type":"integer"},
            "names":{"type":"array","items":{"type":"string"},
                     "x-kubernetes-validations":[{"rule":"self.all(n, size(n) <= 5)","message":"names too long"},
                                                 {"rule":"size(self) == 0 || self.exists(n, n == 'main')"}]},
            "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                     "items":{"type":"object","required":["name"],"properties":{
                       "name":{"type":"string"},
                       "port":{"type":"integer",
                               "x-kubernetes-validations":[
                                 {"rule":"self >= oldSelf","message":"port can only grow"}]}}}}
          }}}}
        """#)

    func errors(_ spec: String, old: String? = nil) -> [String] {
        let oldObject = old.map { engineJSON(#"{"spec":"# + $0 + "}") }
        return Self.schema.validate(engineJSON(#"{"spec":"# + spec + "}"), old: oldObject)
            .map(\.description)
    }

    @Test("a valid object passes every rule")
    func valid() {
        #expect(errors(#"{"sourcePod":"a","replicas":3,"minReplicas":1,"names":["main"]}"#) == [])
    }

    @Test("self.minReplicas <= self.replicas")
    func minReplicas() {
        #expect(errors(#"{"replicas":1,"minReplicas":2}"#) == ["spec: Invalid value: minReplicas must be <= replicas"])
    }

    @Test("has() guards an optional field; the default message is 'failed rule'")
    func hasGuard() {
        #expect(errors(#"{"replicas":5,"minReplicas":1,"maxReplicas":2}"#)
            == ["spec: Invalid value: failed rule: !has(self.maxReplicas) || self.maxReplicas >= self.replicas"])
    }

    @Test("a missing field without has() is a runtime error")
    func missingField() {
        #expect(errors(#"{"replicas":5}"#) == [
            #"spec: Invalid value: "object": no such key: minReplicas evaluating rule: minReplicas must be <= replicas"#
        ])
    }

    @Test("reason and fieldPath shape the error")
    func reasonAndFieldPath() {
        #expect(errors(#"{"replicas":100,"minReplicas":1}"#) == ["spec.replicas: Forbidden: too many"])
    }

    @Test("messageExpression builds the message")
    func messageExpression() {
        #expect(errors(#"{"replicas":42,"minReplicas":1}"#) == ["spec: Invalid value: replicas 42 is unlucky"])
    }

    @Test("transition rule self == oldSelf: skipped on create, enforced on update")
    func immutability() {
        let spec = #"{"sourcePod":"b","replicas":1,"minReplicas":1}"#
        #expect(errors(spec) == [])
        #expect(errors(spec, old: #"{"sourcePod":"b","replicas":1,"minReplicas":1}"#) == [])
        #expect(errors(spec, old: #"{"sourcePod":"a","replicas":1,"minReplicas":1}"#)
            == [#"spec.sourcePod: Invalid value: "b": sourcePod is immutable"#])
        // No old value for the field: the transition rule does not run.
        #expect(errors(spec, old: #"{"replicas":1,"minReplicas":1}"#) == [])
    }

    @Test("list macros and size() in rules")
    func listRules() {
        #expect(errors(#"{"replicas":1,"minReplicas":1,"names":["main","toolong"]}"#)
            == ["spec.names: Invalid value: names too long"])
        #expect(errors(#"{"replicas":1,"minReplicas":1,"names":["x"]}"#)
            == ["spec.names: Invalid value: failed rule: size(self) == 0 || self.exists(n, n == 'main')"])
    }

    @Test("oldSelf in list-type map items is matched by key")
    func listMapCorrelation() {
        let old = #"{"replicas":1,"minReplicas":1,"ports":[{"name":"a","port":80},{"name":"b","port":90}]}"#
        let new = #"{"replicas":1,"minReplicas":1,"ports":[{"name":"b","port":85},{"name":"a","port":81},"#
            + #"{"name":"c","port":1}]}"#
        #expect(errors(new, old: old) == [#"spec.ports[0].port: Invalid value: 85: port can only grow"#])
    }

    @Test("rules are not run when the object has type errors")
    func blockedByTypeErrors() {
        let result = Self.schema.validate(engineJSON(#"{"spec":{"replicas":"x","minReplicas":5}}"#), old: nil)
        #expect(result.map(\.type) == [.typeInvalid, .invalid])
        #expect(result.last?.detail.contains("some validation rules were not checked") == true)
    }

    static let rejected: [(String, String)] = [
        (#"[{"rule":"self.x.quantity() > 1"}]"#, "x-kubernetes-validations[0].rule"),
        (#"[{"rule":"self.a ==="}]"#, "compilation failed"),
        (#"[{"rule":"self.a > 0","reason":"Bogus"}]"#, "reason: Unsupported value"),
        (#"[{"rule":"self.a > 0","fieldPath":".nope"}]"#, "does not refer to a valid field"),
        (#"[{"rule":"self.a > 0","messageExpression":"'x' +"}]"#, "messageExpression"),
        (#"[{"message":"no rule"}]"#, "rule: Required value"),
    ]

    @Test("rules outside the subset are rejected when the CRD is compiled", arguments: rejected)
    func rejectsRule(rules: String, fragment: String) {
        let schema = #"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"#
            + #""x-kubernetes-validations":"# + rules + "}}}"
        do {
            _ = try StructuralSchema(openAPIV3Schema: engineJSON(schema))
            Issue.record("expected a SchemaError containing \(fragment)")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test("oldSelf is refused below a list that is not a map (uncorrelatable)")
    func uncorrelatable() {
        let schema = #"{"type":"object","properties":{"l":{"type":"array","items":{"type":"string","#
            + #""x-kubernetes-validations":[{"rule":"self == oldSelf"}]}}}}"#
        #expect(throws: SchemaError.self) { try StructuralSchema(openAPIV3Schema: engineJSON(schema)) }
    }
}
