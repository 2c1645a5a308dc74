import Testing
import Unstructured
import YAMLCodec

@Suite("YAML scalar resolution")
struct ScalarResolutionTests {
    /// Parses `value: <scalar>` and returns the value.
    private func resolve(_ scalar: String) throws -> JSONValue {
        let document = try YAML.parse("value: \(scalar)\n")
        return try #require(document["value"])
    }

    @Test(
        "plain null words and empty values resolve to null",
        arguments: ["~", "null", "Null", "NULL", ""])
    func nulls(text: String) throws {
        #expect(isIdentical(try resolve(text), .null))
    }

    @Test(
        "YAML 1.1 boolean words resolve to booleans",
        arguments: [
            ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
            ("yes", true), ("Yes", true), ("YES", true), ("no", false), ("No", false), ("NO", false),
            ("on", true), ("On", true), ("ON", true), ("off", false), ("Off", false), ("OFF", false),
            ("y", true), ("Y", true), ("n", false), ("N", false),
        ])
    func booleans(text: String, expected: Bool) throws {
        #expect(isIdentical(try resolve(text), .bool(expected)))
    }

    @Test(
        "integers in decimal, hex, binary and octal resolve to .int",
        arguments: [
            ("0", 0), ("42", 42), ("-17", -17), ("+5", 5), ("1_000_000", 1_000_000), ("0x1F", 31), ("0xff", 255),
            ("-0x10", -16), ("0b1010", 10), ("0755", 493), ("0o755", 493), ("00", 0),
            ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
        ] as [(String, Int64)])
    func integers(text: String, expected: Int64) throws {
        #expect(isIdentical(try resolve(text), .int(expected)))
    }

    @Test(
        "floats, infinities and overflowing integers resolve to .double",
        arguments: [
            ("1.5", 1.5), ("1e3", 1000), (".5", 0.5), ("-1.5E-3", -0.0015), ("1.", 1), ("+2.5e+2", 250),
            (".inf", .infinity), (".Inf", .infinity), (".INF", .infinity), ("+.inf", .infinity),
            ("-.inf", -.infinity), ("9223372036854775808", 9_223_372_036_854_775_808.0),
            ("99999999999999999999", 1e20),
        ] as [(String, Double)])
    func floats(text: String, expected: Double) throws {
        #expect(isIdentical(try resolve(text), .double(expected)))
    }

    @Test("NaN spellings resolve to a NaN double", arguments: [".nan", ".NaN", ".NAN"])
    func notANumber(text: String) throws {
        guard case .double(let d) = try resolve(text) else {
            Issue.record("\(text) did not resolve to a double")
            return
        }
        #expect(d.isNaN)
    }

    @Test(
        "everything else stays a string",
        arguments: [
            "1.2.3", "2024-01-01", "0x", "1_", "_1", "0b", "0b102", "abc", "yess", "nulls", "-x", "a-", ".", "+", "1e",
            "e3", "-.nan", "0x1G", "1:20", "true story", "~x", "12:30:00", "v1", "1Gi", "500m",
        ])
    func strings(text: String) throws {
        #expect(isIdentical(try resolve(text), .string(text)))
    }

    @Test(
        "quoted and block scalars are always strings",
        arguments: [
            ("\"0755\"", "0755"), ("'true'", "true"), ("\"null\"", "null"), ("''", ""), ("'1.5'", "1.5"),
            ("\"~\"", "~"), ("|\n  yes\n", "yes\n"), (">-\n  42\n", "42"), ("\"a\\tb\"", "a\tb"),
            ("'it''s'", "it's"),
        ])
    func quoted(text: String, expected: String) throws {
        #expect(isIdentical(try resolve(text), .string(expected)))
    }

    @Test("an unquoted 0755 is octal while a quoted one is a string")
    func octalVersusQuoted() throws {
        let document = try YAML.parse("mode: 0755\nquoted: \"0755\"\nflag: true\nword: 'true'\n")
        #expect(isIdentical(document, ["mode": .int(493), "quoted": "0755", "flag": true, "word": "true"]))
    }

    @Test(
        "explicit tags override plain resolution",
        arguments: [
            ("!!str 123", JSONValue.string("123")), ("!!str true", "true"), ("!!str", ""), ("!!int \"42\"", 42),
            ("!!int 0x10", 16), ("!!float 1", .double(1)), ("!!float '2.5'", 2.5), ("!!bool \"yes\"", true),
            ("!!null ''", .null), ("!!binary aGVsbG8=", "aGVsbG8="), ("!custom 12", "12"), ("! 12", "12"),
            ("!!timestamp 2024-01-01", "2024-01-01"),
        ])
    func tags(text: String, expected: JSONValue) throws {
        #expect(isIdentical(try resolve(text), expected))
    }

    @Test(
        "a tag that does not fit the scalar is an error",
        arguments: ["!!int abc", "!!int 1.5", "!!float abc", "!!bool maybe", "!!null x", "!!map x", "!!seq x"])
    func badTags(text: String) {
        #expect(throws: YAMLError.self) { try resolve(text) }
    }

    @Test("collection tags are honoured on collections and rejected on the wrong kind")
    func collectionTags() throws {
        #expect(isIdentical(try YAML.parse("a: !!map {x: 1}\nb: !!seq [1]\n"), ["a": ["x": 1], "b": [1]]))
        #expect(throws: YAMLError.self) { try YAML.parse("a: !!seq {x: 1}\n") }
        #expect(throws: YAMLError.self) { try YAML.parse("a: !!map [1]\n") }
    }

    @Test(
        "mapping keys become their string form",
        arguments: [
            ("1: a", "1"), ("true: a", "true"), ("yes: a", "true"), ("~: a", "null"), ("1.5: a", "1.5"),
            ("0x10: a", "16"), ("'quoted key': a", "quoted key"), ("!!str 007: a", "007"),
        ])
    func keys(text: String, expectedKey: String) throws {
        let document = try YAML.parse(text)
        #expect(document.objectValue?.keys.elementsEqual([expectedKey]) == true)
        #expect(document[expectedKey] == "a")
    }

    @Test("a sequence or mapping as a key is an error", arguments: ["? [a, b]\n: 1\n", "? {a: 1}\n: 2\n"])
    func nonScalarKeys(text: String) throws {
        let error = try #require(throws: YAMLError.self) { try YAML.parse(text) }
        #expect(error.message.contains("keys must be scalars"))
        #expect(error.line == 1)
    }
}
