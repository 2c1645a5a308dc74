import Testing
import Unstructured
import YAMLCodec

@Suite("YAML emitter")
struct EmitterTests {
    @Test("writes block style with two-space indentation and sequences of mappings as '- key: v'")
    func layout() {
        let value: JSONValue = [
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": ["name": "web", "labels": [:], "finalizers": []],
            "spec": [
                "containers": [
                    ["name": "nginx", "ports": [["containerPort": 80], ["containerPort": 443]]],
                ],
                "matrix": [[1, 2], []],
                "ratio": 0.5,
                "whole": .double(2),
                "nothing": nil,
            ],
        ]
        let expected = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels: {}
              finalizers: []
            spec:
              containers:
                - name: nginx
                  ports:
                    - containerPort: 80
                    - containerPort: 443
              matrix:
                - - 1
                  - 2
                - []
              ratio: 0.5
              whole: 2.0
              nothing: null

            """
        #expect(YAML.emit(value) == expected)
    }

    @Test(
        "quotes strings that would not read back as themselves",
        arguments: [
            ("true", "\"true\""), ("yes", "\"yes\""), ("N", "\"N\""), ("null", "\"null\""), ("~", "\"~\""),
            ("", "\"\""), ("0755", "\"0755\""), ("1e3", "\"1e3\""), ("1.5", "\"1.5\""), (".inf", "\".inf\""),
            (" lead", "\" lead\""), ("trail ", "\"trail \""), ("a: b", "\"a: b\""), ("a #b", "\"a #b\""),
            ("end:", "\"end:\""), ("-x", "\"-x\""), ("*ref", "\"*ref\""), ("&a", "\"&a\""), ("!tag", "\"!tag\""),
            ("|x", "\"|x\""), (">x", "\">x\""), ("'q", "\"'q\""), ("\"q", "\"\\\"q\""), ("%p", "\"%p\""),
            ("@x", "\"@x\""), ("`x", "\"`x\""), ("{x", "\"{x\""), ("[x", "\"[x\""), ("#c", "\"#c\""),
            ("?x", "\"?x\""), (",x", "\",x\""), ("<<", "\"<<\""), ("...", "\"...\""), ("tab\there", "\"tab\\there\""),
            ("bell\u{07}", "\"bell\\x07\""), ("nel\u{85}", "\"nel\\x85\""), ("ls\u{2028}", "\"ls\\L\""),
        ])
    func quoting(text: String, expected: String) throws {
        let emitted = YAML.emit(["k": .string(text)])
        #expect(emitted == "k: \(expected)\n")
        #expect(isIdentical(try YAML.parse(emitted), ["k": .string(text)]))
    }

    @Test(
        "leaves ordinary strings plain",
        arguments: ["nginx:1.27", "hello world", "a-b", "http://x/y?z#f", "1.2.3", "2024-01-01", "café", "a#b", "x:y"])
    func plain(text: String) {
        #expect(YAML.emit(["k": .string(text)]) == "k: \(text)\n")
    }

    @Test(
        "writes multi-line strings as literal blocks with the chomping that keeps them exact",
        arguments: [
            ("a\nb", "k: |-\n  a\n  b\n"),
            ("a\nb\n", "k: |\n  a\n  b\n"),
            ("a\nb\n\n", "k: |+\n  a\n  b\n\n"),
            ("  indented\nnext", "k: |2-\n    indented\n  next\n"),
            ("\nleading blank", "k: |2-\n\n  leading blank\n"),
            ("x\n\n  y\n", "k: |\n  x\n\n    y\n"),
            ("\tt\nu", "k: |2-\n  \tt\n  u\n"),
        ])
    func literalBlocks(text: String, expected: String) throws {
        let emitted = YAML.emit(["k": .string(text)])
        #expect(emitted == expected)
        #expect(isIdentical(try YAML.parse(emitted), ["k": .string(text)]))
    }

    @Test("quotes keys that need it and writes very long keys in the explicit form")
    func keys() throws {
        let long = String(repeating: "k", count: 1500)
        let value: JSONValue = .object(["1": "a", "true": "b", "multi\nline": "c", "": "d", long: ["x": 1]])
        let emitted = YAML.emit(value)
        #expect(emitted.hasPrefix("\"1\": a\n\"true\": b\n\"multi\\nline\": c\n\"\": d\n? \(long)\n:\n  x: 1\n"))
        #expect(isIdentical(try YAML.parse(emitted), value))
    }

    @Test("emitAll separates documents with ---")
    func emitAll() throws {
        let documents: [JSONValue] = [["kind": "Namespace"], ["kind": "Pod"], "text\n"]
        let emitted = YAML.emitAll(documents)
        #expect(emitted == "kind: Namespace\n---\nkind: Pod\n---\n|\n  text\n")
        #expect(isIdentical(.array(try YAML.parseAll(emitted)), .array(documents)))
        #expect(YAML.emitAll([]) == "")
    }

    static let trickyValues: [JSONValue] = [
        .null, true, false, 0, -1, .int(Int64.max), .int(Int64.min), .double(0.1), .double(-0), .double(1e300),
        .double(.leastNonzeroMagnitude), .double(1e20), .double(-2.5e-8), .double(.infinity), .double(-.infinity), .double(3),
        "", " ", "  ", "\n", "\n\n", " \n", "a\n", "\t", "\ttab first\nline", "x\n\ttab later\n",
        "trailing spaces  \nx", "a\r\nb",
        "é\u{FEFF}", "😀 emoji", "- not a list", "key: value", "# not a comment", "---", "--- x", "... x", "0x1F",
        "0o17", "0b11", "+1", "-.5", "1_000", "Yes", "OFF", "NULL", "=", "a\\b", "quote\"inside", "it's",
        "\u{0}\u{1}\u{7F}", "\u{85}line", "x\u{2029}y", "last line  \n", "   \n  x", "\n\nx\n\n\n",
        [], [:], [[]], [[:]], [nil, [nil]], ["a": [:], "b": []], ["nested": ["deeper": ["deepest": [1, [2, [3]]]]]],
        [["a": 1, "b": [["c": "d"]]], [["x"]]], ["": "empty key", " ": "space key", "-": "dash", "<<": "merge"],
        ["multi\nline key": "v", "key with: colon": "v", "#": 1, "null": nil, "1": 1],
        ["block": "line one\nline two\n", "list": ["first\nsecond", "third\n\n"]],
    ]

    @Test("emit then parse gives back each tricky value", arguments: trickyValues)
    func trickyRoundTrip(value: JSONValue) throws {
        let emitted = YAML.emit(value)
        let parsed = try YAML.parse(emitted)
        #expect(isIdentical(parsed, value), "emitted:\n\(emitted)")
    }

    @Test("emit then parse gives back randomly generated trees")
    func randomizedRoundTrip() throws {
        var generator = SeededGenerator(seed: 0x5EED_2024)
        for iteration in 0..<300 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let emitted = YAML.emit(value)
            let parsed: JSONValue
            do {
                parsed = try YAML.parse(emitted)
            } catch {
                Issue.record("iteration \(iteration): \(error)\nemitted:\n\(emitted)")
                continue
            }
            #expect(isIdentical(parsed, value), "iteration \(iteration) emitted:\n\(emitted)")
        }
    }

    private static let fragments: [String] = [
        "a", "b c", " ", "  ", "\n", "\t", ":", ": ", "#", " #", "-", "- ", "?", "'", "\"", "\\", "|", ">", "&", "*",
        "!", "%", "@", "`", "{", "}", "[", "]", ",", "0", "1", "0x", "7", ".", "e", "true", "no", "~", "null", "é",
        "😀", "\r", "\u{85}", "\u{2028}", "\u{7}", "---", "...", "<<", "=",
    ]

    private static func randomString(using generator: inout SeededGenerator) -> String {
        let count = Int.random(in: 0...5, using: &generator)
        return (0..<count).map { _ in fragments.randomElement(using: &generator)! }.joined()
    }

    private static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth >= 4 ? 6 : 9), using: &generator)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            let shift = Int64.random(in: 0...63, using: &generator)
            return .int(Int64.random(in: Int64.min...Int64.max, using: &generator) >> shift)
        case 3:
            let d = Double.random(in: -1e6...1e6, using: &generator)
            return .double(Bool.random(using: &generator) ? d : d.rounded())
        case 4, 5: return .string(randomString(using: &generator))
        case 6:
            let count = Int.random(in: 0...4, using: &generator)
            return .array((0..<count).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }
}
