import Testing
import Unstructured

@Suite("JSONBytesDecoder: bytes")
struct JSONBytesDecoderTests {
    let decoder = JSONBytesDecoder()

    struct Pair: Decodable, Equatable {
        var first: String
        var second: Int?
        var third: [String: String]?
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try decoder.decode(type, from: Array(text.utf8))
    }

    @Test("members are found in any order, unknown members of any depth are skipped")
    func memberOrder() throws {
        let text = #"{"skip":{"a":[1,{"b":[[]]}],"c":{}},"third":{"z":"1","a":"2"},"second":7,"first":"x","tail":[true,null]}"#
        #expect(try decode(Pair.self, text) == Pair(first: "x", second: 7, third: ["z": "1", "a": "2"]))
        #expect(try decode(Pair.self, #"{"first":"","second":null}"#) == Pair(first: "", second: nil, third: nil))
    }

    @Test("escapes in values and keys decode; \\u surrogate pairs become one scalar")
    func escapes() throws {
        let text = #"{"fir\u0073t":"a\"b\\c\/d\n\t\u00e9\ud83d\ude00","third":{"k\u00e9y":"v"}}"#
        let pair = try decode(Pair.self, text)
        #expect(pair.first == "a\"b\\c/d\n\té😀")
        #expect(pair.third == ["kéy": "v"])
        #expect(try decode(String.self, "\"ünïcødé ✓\"") == "ünïcødé ✓")
    }

    @Test("a lone surrogate or invalid UTF-8 in a decoded string is dataCorrupted")
    func badStrings() {
        #expect(throws: DecodingError.self) { try decode(String.self, #""\ud83d""#) }
        #expect(throws: DecodingError.self) { try decoder.decode(String.self, from: [0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test(
        "syntax errors are dataCorrupted with the parse error and its byte offset underneath",
        arguments: [
            #"{"first":"x""#, #"{"first" "x"}"#, #"{"first":"x",}"#, "[1 2]", "01", "1.", "-", "tru", "\"a\u{01}\"",
            #""\x""#, #""\u12G4""#, "{} x", "", "[", #"{"a":1"#,
        ])
    func syntaxErrors(text: String) {
        do {
            _ = try decode(JSONValue.self, text)
            Issue.record("expected an error for \(text)")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.underlyingError is JSONParseError)
            #expect(context.debugDescription.contains("not valid JSON"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("nesting is limited to 512 levels")
    func depth() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try decode(JSONValue.self, ok)
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: DecodingError.self) { try decode(JSONValue.self, deep) }
    }

    @Test("integers at and beyond the Int64 range, floats and exponents")
    func numbers() throws {
        #expect(try decode(Int64.self, "-9223372036854775808") == Int64.min)
        #expect(try decode(Int64.self, "9223372036854775807") == Int64.max)
        #expect(try decode(UInt64.self, "18446744073709551615") == UInt64.max)
        #expect(throws: DecodingError.self) { try decode(Int64.self, "9223372036854775808") }
        #expect(try decode(Int.self, "1e3") == 1000)
        #expect(try decode(Double.self, "-2.5E-1") == -0.25)
        #expect(try decode(JSONValue.self, "5") == .int(5))
        #expect(try decode(JSONValue.self, "9223372036854775808") == .double(9_223_372_036_854_775_808))
        if case .double = try decode(JSONValue.self, "5.0") {} else { Issue.record("5.0 must stay a double") }
    }

    @Test("a JSONValue decoded from bytes is identical to JSONValue.parse, key order and number kinds included")
    func sameTreeAsParser() throws {
        let text = #"""
            {"z":1,"a":[1.0,"x",null,true,false,{"n":-0.5e2,"m":{}}],"é\n":"\u00e9","big":12345678901234567890,"e":[]}
            """#
        let parsed = try JSONValue.parse(text)
        let decoded = try decode(JSONValue.self, text)
        #expect(isIdentical(parsed, decoded))
    }

    @Test("error paths name object keys and array positions")
    func errorPath() {
        struct Outer: Decodable { var items: [Pair] }
        do {
            _ = try decode(Outer.self, #"{"items":[{"first":"a"},{"first":"b","third":{"k":5}}]}"#)
            Issue.record("expected an error")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(pathText(context.codingPath) == "items.[1].third.k")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
