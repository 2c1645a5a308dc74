import Testing
import Unstructured

@Suite("JSONValue")
struct JSONValueTests {
    @Test("parses and writes back a document with key order kept")
    func roundTrip() throws {
        let text = #"{"b":1,"a":[true,false,null],"c":{"x":1.5,"y":"s\n\"q\""},"d":-9223372036854775808}"#
        let value = try JSONValue.parse(text)
        #expect(value.jsonString() == text)
        #expect(value["d"] == .int(Int64.min))
        #expect(value["c"]?["x"] == .double(1.5))
    }

    @Test("keeps integers and floats apart", arguments: [("5", JSONValue.int(5)), ("5.0", .double(5)), ("1e3", .double(1000))])
    func numbers(text: String, expected: JSONValue) throws {
        let value = try JSONValue.parse(text)
        #expect(value == expected)
        #expect(value.typeName == expected.typeName)
    }

    @Test("decodes unicode escapes and surrogate pairs")
    func unicode() throws {
        #expect(try JSONValue.parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
    }

    @Test("rejects malformed documents with an offset", arguments: ["{", "[1,]", "{\"a\" 1}", "01x", "\"\\ud800\"", "tru", "1 2"])
    func rejects(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test("object equality ignores key order")
    func equality() throws {
        #expect(try JSONValue.parse(#"{"a":1,"b":2}"#) == JSONValue.parse(#"{"b":2,"a":1}"#))
        #expect(try JSONValue.parse(#"{"a":1}"#) != JSONValue.parse(#"{"a":2}"#))
    }

    @Test("sets values at a path, creating objects on the way")
    func pathSet() {
        var value: JSONValue = [:]
        value[path: ["metadata", "labels", "app"]] = "db"
        #expect(value.jsonString() == #"{"metadata":{"labels":{"app":"db"}}}"#)
        value[path: ["metadata", "labels", "app"]] = nil
        #expect(value.jsonString() == #"{"metadata":{"labels":{}}}"#)
    }
}
