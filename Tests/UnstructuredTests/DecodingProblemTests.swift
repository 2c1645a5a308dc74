import Testing

@testable import Unstructured

/// Decoding failures read by people (`ms2m plan`, kubeconfig, scenario files): the document's path and words,
/// never Swift's type names.
@Suite("Readable decoding and UTF-8 errors")
struct DecodingProblemTests {
    struct Budgets: Decodable { var maxConcurrent: Int32 }
    struct Spec: Decodable { var budgets: Budgets; var names: [String]? }
    struct Policy: Decodable { var spec: Spec }
    struct Meta: Decodable { var name: String }
    struct Object: Decodable { var metadata: Meta }

    func problem<T: Decodable>(_ type: T.Type, _ value: JSONValue) -> String {
        do {
            _ = try JSONValueDecoder().decode(type, from: value)
            return "decoded"
        } catch {
            return DecodingProblem.describe(error)
        }
    }

    @Test("type mismatches, nulls and missing keys name the path and the kinds of value, not Swift types")
    func decodingErrors() {
        #expect(problem(Policy.self, ["spec": ["budgets": ["maxConcurrent": "lots"]]]) == "spec.budgets.maxConcurrent: expected an integer, found a string")
        #expect(problem(Object.self, ["metadata": 5]) == "metadata: expected an object, found a number")
        #expect(problem(Policy.self, ["spec": ["budgets": ["maxConcurrent": 1], "names": ["a", 2]]]) == "spec.names[1]: expected a string, found a number")
        #expect(problem(Policy.self, ["spec": ["budgets": ["maxConcurrent": 1], "names": "a"]]) == "spec.names: expected a list, found a string")
        #expect(problem(Policy.self, ["spec": ["budgets": .null]]) == "spec.budgets: expected an object, found null")
        #expect(problem(Policy.self, ["spec": [:]]) == "spec.budgets: required, but missing")
        for text in [problem(Object.self, ["metadata": 5]), problem(Policy.self, ["spec": ["budgets": ["maxConcurrent": "x"]]])] {
            #expect(!text.contains("OrderedDictionary") && !text.contains("Int32") && !text.contains("DecodingError"), "\(text)")
        }
    }

    @Test("UTF-8: text decodes; the first invalid sequence is named by its offset and byte", arguments: [
        ([0x61, 0xFF, 0x62], 1, 0xFF),  // a byte that never starts a sequence
        ([0x61, 0x62, 0xC3], 2, 0xC3),  // a truncated two-byte sequence at the end
        ([0xC0, 0xAF], 0, 0xC0),  // an overlong '/'
        ([0x61, 0xED, 0xA0, 0x80], 1, 0xED),  // a UTF-16 surrogate encoded in UTF-8
    ] as [([UInt8], Int, UInt8)])
    func utf8(bytes: [UInt8], offset: Int, byte: UInt8) throws {
        #expect(throws: UTF8Text.InvalidByte(offset: offset, byte: byte)) { try UTF8Text.decode(bytes) }
        #expect(try UTF8Text.decode(Array("naïve ✓ 日本".utf8)) == "naïve ✓ 日本")
        #expect("\(UTF8Text.InvalidByte(offset: offset, byte: byte))".contains("offset \(offset)"))
    }
}
