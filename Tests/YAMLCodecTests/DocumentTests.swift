import Testing
import Unstructured
import YAMLCodec

@Suite("YAML documents and streams")
struct DocumentTests {
    @Test("parses a Kubernetes manifest keeping key order and nesting")
    func manifest() throws {
        let text = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: {app: web, tier: "frontend"}
            spec:
              replicas: 3
              template:
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.27
                    ports:
                    - containerPort: 80
                    args: ["--port", '80']
            """
        let value = try YAML.parse(text)
        #expect(value.objectValue?.keys.elementsEqual(["apiVersion", "kind", "metadata", "spec"]) == true)
        #expect(value[path: ["metadata", "labels"]]?.objectValue?.keys.elementsEqual(["app", "tier"]) == true)
        let container = try #require(value[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
        #expect(isIdentical(container, ["name": "nginx", "image": "nginx:1.27", "ports": [["containerPort": 80]],
                                        "args": ["--port", "80"]]))
        #expect(isIdentical(value[path: ["spec", "replicas"]] ?? .null, .int(3)))
    }

    @Test("an empty or comment-only text parses as null", arguments: ["", "   \n", "# nothing here\n", "---\n"])
    func emptyDocument(text: String) throws {
        #expect(isIdentical(try YAML.parse(text), .null))
        #expect(try YAML.parseAll(text).isEmpty)
    }

    @Test("splits a multi-document stream, skipping empty documents like kubectl")
    func multiDocument() throws {
        let text = """
            ---
            # the namespace first
            apiVersion: v1
            kind: Namespace
            metadata:
              name: demo
            ---
            ---
            # an empty document above and a comment-only one below
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: demo}
            data:
              mode: "0755"
            ...
            ---
            - just
            - a list
            """
        let documents = try YAML.parseAll(text)
        try #require(documents.count == 3)
        #expect(documents[0]["kind"] == "Namespace")
        #expect(documents[1][path: ["metadata", "namespace"]] == "demo")
        #expect(isIdentical(documents[1][path: ["data", "mode"]] ?? .null, "0755"))
        #expect(isIdentical(documents[2], ["just", "a list"]))
    }

    @Test("an explicit null document is kept, an empty one is not")
    func nullDocumentKept() throws {
        #expect(isIdentical(.array(try YAML.parseAll("a: 1\n---\nnull\n---\n")), [["a": 1], .null]))
    }

    @Test("parse rejects a stream with two documents and points at the second")
    func parseSingle() throws {
        let error = try #require(throws: YAMLError.self) { try YAML.parse("a: 1\n---\nb: 2\n") }
        #expect(error.line == 2)
        #expect(error.message.contains("single document"))
        #expect(isIdentical(try YAML.parse("---\na: 1\n---\n"), ["a": 1]))
    }

    @Test("expands anchors and aliases")
    func aliases() throws {
        let text = """
            base: &base
              image: nginx
              tags: &tags [a, b]
            copy: *base
            moreTags: *tags
            scalar: &s hello
            again: *s
            """
        let value = try YAML.parse(text)
        #expect(isIdentical(value["copy"] ?? .null, ["image": "nginx", "tags": ["a", "b"]]))
        #expect(isIdentical(value["moreTags"] ?? .null, ["a", "b"]))
        #expect(value["again"] == "hello")
    }

    @Test("merge keys copy members in, explicit keys win and earlier sources win")
    func mergeKeys() throws {
        let text = """
            defaults: &defaults
              cpu: 100m
              memory: 64Mi
            large: &large
              memory: 1Gi
              disk: 10Gi
            single:
              cpu: 500m
              <<: *defaults
            multiple:
              <<: [*large, *defaults]
              name: both
            inline:
              <<: {a: 1, b: 2}
              b: 3
            """
        let value = try YAML.parse(text)
        #expect(isIdentical(value["single"] ?? .null, ["cpu": "500m", "memory": "64Mi"]))
        let expectedMultiple: JSONValue = ["memory": "1Gi", "disk": "10Gi", "cpu": "100m", "name": "both"]
        #expect(isIdentical(value["multiple"] ?? .null, expectedMultiple))
        #expect(isIdentical(value["inline"] ?? .null, ["a": 1, "b": 3]))
    }

    @Test("a quoted << is an ordinary key")
    func quotedMergeKey() throws {
        #expect(isIdentical(try YAML.parse("'<<': {a: 1}\n"), ["<<": ["a": 1]]))
    }

    @Test("a merge key needs mappings", arguments: ["a: {<<: 1}\n", "x: &x [1]\na: {<<: [*x]}\n"])
    func badMerge(text: String) throws {
        let error = try #require(throws: YAMLError.self) { try YAML.parse(text) }
        #expect(error.message.contains("merge key"))
    }

    @Test("an unknown alias is an error with its position")
    func unknownAlias() throws {
        let error = try #require(throws: YAMLError.self) { try YAML.parse("a: 1\nb: *missing\n") }
        #expect(error.message.contains("missing"))
        #expect(error.line == 2)
        #expect(error.column == 4)
    }

    @Test("anchors do not leak from one document into the next")
    func anchorsPerDocument() throws {
        #expect(throws: YAMLError.self) { try YAML.parseAll("a: &x 1\n---\nb: *x\n") }
    }

    @Test("an alias bomb is stopped with a clear error")
    func aliasBomb() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let error = try #require(throws: YAMLError.self) { try YAML.parse(text) }
        #expect(error.message.contains("alias bomb"))
    }

    @Test("a duplicate key is an error naming the key and both lines")
    func duplicateKey() throws {
        let text = "metadata:\n  name: a\n  labels: {}\n  name: b\n"
        let error = try #require(throws: YAMLError.self) { try YAML.parse(text) }
        #expect(error.message.contains("\"name\""))
        #expect(error.message.contains("line 2"))
        #expect(error.line == 4)
        #expect(error.column == 3)
    }

    @Test("keys that are equal after resolution are duplicates too")
    func duplicateResolvedKey() {
        #expect(throws: YAMLError.self) { try YAML.parse("1: a\n\"1\": b\n") }
        #expect(throws: YAMLError.self) { try YAML.parse("{a: 1, a: 2}") }
    }

    @Test(
        "syntax errors carry libyaml's message and position",
        arguments: [
            ("a: 1\nb: 2\nc: d: e\n", 3, 5, "mapping values are not allowed"),
            ("key: [1, 2\nother: 3\n", 2, 6, "did not find expected ',' or ']'"),
            ("a:\n  b: 1\n c: 2\n", 3, 2, "did not find expected key"),
            ("a: \"unterminated\n", 2, 1, "found unexpected end of stream"),
            ("a:\n\t- b\n", 2, 1, "found character that cannot start any token"),
        ])
    func syntaxErrors(text: String, line: Int, column: Int, message: String) throws {
        let error = try #require(throws: YAMLError.self) { try YAML.parse(text) }
        #expect(error.message.contains(message))
        #expect(error.line == line)
        #expect(error.column == column)
        #expect(error.description.hasPrefix("yaml: line \(line), column \(column): "))
    }

    @Test("deep nesting is accepted up to the limit and rejected beyond it")
    func nesting() throws {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        var value = try YAML.parse(deep)
        var depth = 0
        while case .array(let elements) = value, let first = elements.first {
            value = first
            depth += 1
        }
        #expect(depth == 499)
        let tooDeep = String(repeating: "[", count: 1001) + String(repeating: "]", count: 1001)
        let error = try #require(throws: YAMLError.self) { try YAML.parse(tooDeep) }
        #expect(error.message.contains("nested"))
    }

    @Test("invalid UTF-8 is reported, not crashed on")
    func invalidInput() throws {
        let text = String(decoding: [0x61, 0x3A, 0x20, 0x22, 0x00, 0x22], as: UTF8.self)
        #expect(throws: YAMLError.self) { try YAML.parse(text) }
    }
}
