import Testing
import Unstructured

@testable import KubeSim

/// Parses JSON text in a test table, failing the test on malformed input.
func engineJSON(_ text: String) -> JSONValue {
    do {
        return try JSONValue.parse(text)
    } catch {
        Issue.record("bad JSON in test table: \(error): \(text)")
        return .null
    }
}

@Suite("MergePatch (RFC 7386)")
struct MergePatchTests {
    /// RFC 7386 Appendix A, every example.
    static let appendixA: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test("applies the RFC 7386 appendix A examples", arguments: appendixA)
    func appendix(original: String, patch: String, expected: String) {
        #expect(MergePatch.apply(engineJSON(patch), to: engineJSON(original)) == engineJSON(expected))
    }

    @Test("keeps the target's key order and appends new keys")
    func keyOrder() {
        let result = MergePatch.apply(engineJSON(#"{"z":0,"b":2}"#), to: engineJSON(#"{"a":1,"b":1}"#))
        #expect(result.jsonString() == #"{"a":1,"b":2,"z":0}"#)
    }
}

@Suite("JSONPatch (RFC 6902)")
struct JSONPatchTests {
    /// RFC 6902 Appendix A examples that succeed.
    static let appendixA: [(String, String, String, String)] = [
        ("A.1 add an object member", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#,
         #"{"baz":"qux","foo":"bar"}"#),
        ("A.2 add an array element", #"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#,
         #"{"foo":["bar","qux","baz"]}"#),
        ("A.3 remove an object member", #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#,
         #"{"foo":"bar"}"#),
        ("A.4 remove an array element", #"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#,
         #"{"foo":["bar","baz"]}"#),
        ("A.5 replace a value", #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#,
         #"{"baz":"boo","foo":"bar"}"#),
        ("A.6 move a value", #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
         #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
         #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
        ("A.7 move an array element", #"{"foo":["all","grass","cows","eat"]}"#,
         #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#, #"{"foo":["all","cows","eat","grass"]}"#),
        ("A.8 test a value: success", #"{"baz":"qux","foo":["a",2,"c"]}"#,
         #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
         #"{"baz":"qux","foo":["a",2,"c"]}"#),
        ("A.10 add a nested member object", #"{"foo":"bar"}"#,
         #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, #"{"foo":"bar","child":{"grandchild":{}}}"#),
        ("A.11 ignore unrecognized elements", #"{"foo":"bar"}"#,
         #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"foo":"bar","baz":"qux"}"#),
        ("A.14 ~ escape ordering", #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#,
         #"{"/":9,"~1":10}"#),
        ("A.16 add an array value", #"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#,
         #"{"foo":["bar",["abc","def"]]}"#),
        ("~1 decodes to /", #"{"metadata":{"labels":{}}}"#,
         #"[{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"x"}]"#,
         #"{"metadata":{"labels":{"app.kubernetes.io/name":"x"}}}"#),
        ("add at the end index appends", #"[1,2]"#, #"[{"op":"add","path":"/2","value":3}]"#, #"[1,2,3]"#),
        ("copy", #"{"a":{"b":1}}"#, #"[{"op":"copy","from":"/a","path":"/c"}]"#, #"{"a":{"b":1},"c":{"b":1}}"#),
        ("replace the whole document", #"{"a":1}"#, #"[{"op":"replace","path":"","value":[1]}]"#, #"[1]"#),
        ("test compares numbers by value", #"{"a":1}"#, #"[{"op":"test","path":"/a","value":1.0}]"#, #"{"a":1}"#),
        ("operations apply in order", #"{}"#,
         #"[{"op":"add","path":"/a","value":[]},{"op":"add","path":"/a/-","value":1},{"op":"move","from":"/a","#
             + #""path":"/b"}]"#,
         #"{"b":[1]}"#),
    ]

    @Test("applies the RFC 6902 appendix A examples", arguments: appendixA)
    func appendix(name: String, original: String, patch: String, expected: String) throws {
        #expect(try JSONPatch.apply(engineJSON(patch), to: engineJSON(original)) == engineJSON(expected), "\(name)")
    }

    /// Failing patches and a fragment the error message must contain.
    static let failures: [(String, String, String, String)] = [
        ("A.9 test a value: error", #"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#,
         "test operation failed"),
        ("A.12 add to a nonexistent target", #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#,
         "missing path"),
        ("A.15 strings are not numbers", #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#,
         "test operation failed"),
        ("remove a missing member", #"{"a":1}"#, #"[{"op":"remove","path":"/b"}]"#, "missing path"),
        ("replace a missing member", #"{"a":1}"#, #"[{"op":"replace","path":"/b","value":1}]"#, "missing path"),
        ("index past the end", #"[1]"#, #"[{"op":"add","path":"/2","value":3}]"#, "out of bounds"),
        ("remove past the end", #"[1]"#, #"[{"op":"remove","path":"/1"}]"#, "out of bounds"),
        ("leading zero index", #"[1,2]"#, #"[{"op":"remove","path":"/01"}]"#, "out of bounds"),
        ("- is only for add", #"[1]"#, #"[{"op":"remove","path":"/-"}]"#, "out of bounds"),
        ("pointer without a slash", #"{}"#, #"[{"op":"add","path":"a","value":1}]"#, "invalid JSON pointer"),
        ("bad ~ escape", #"{}"#, #"[{"op":"add","path":"/~2","value":1}]"#, "'~' must be followed"),
        ("unknown op", #"{}"#, #"[{"op":"frobnicate","path":"/a"}]"#, "unknown operation"),
        ("missing value", #"{}"#, #"[{"op":"add","path":"/a"}]"#, "missing \"value\""),
        ("missing from", #"{}"#, #"[{"op":"move","path":"/a"}]"#, "missing \"from\""),
        ("move into own child", #"{"a":{"b":{}}}"#, #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#, "prefix"),
        ("not a list", #"{}"#, #"{"op":"add"}"#, "must be a JSON array"),
        ("second operation fails", #"{}"#,
         #"[{"op":"add","path":"/a","value":1},{"op":"test","path":"/a","value":2}]"#, "operation 1"),
    ]

    @Test("rejects invalid operations with a specific reason", arguments: failures)
    func rejects(name: String, original: String, patch: String, fragment: String) {
        do {
            let result = try JSONPatch.apply(engineJSON(patch), to: engineJSON(original))
            Issue.record("\(name): expected an error, got \(result.jsonString())")
        } catch {
            #expect(error.message.contains(fragment), "\(name): \(error.message)")
        }
    }
}
