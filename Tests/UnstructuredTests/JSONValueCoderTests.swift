import Testing
import Unstructured

/// Structural equality that tells `.int(5)` from `.double(5)` and keeps key order significant.
func isIdentical(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.double(let a), .double(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { isIdentical($0, $1) }
    case (.object(let a), .object(let b)):
        return a.keys.elementsEqual(b.keys) && zip(a.values, b.values).allSatisfy { isIdentical($0, $1) }
    default: return false
    }
}

func pathText(_ path: [any CodingKey]) -> String {
    path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}

/// The two decoders that must agree on every case: `JSONValueDecoder` over the tree, and `JSONBytesDecoder`
/// over the tree's JSON bytes.
enum TreeDecoderKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case tree, bytes

    var description: String { rawValue }

    func decode<T: Decodable>(
        _ type: T.Type, from value: JSONValue, userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) throws -> T {
        switch self {
        case .tree:
            var decoder = JSONValueDecoder()
            decoder.userInfo = userInfo
            return try decoder.decode(type, from: value)
        case .bytes:
            var decoder = JSONBytesDecoder()
            decoder.userInfo = userInfo
            return try decoder.decode(type, from: value.jsonBytes())
        }
    }
}

@Suite("JSONValueDecoder and JSONBytesDecoder: the same cases")
struct JSONValueDecoderTests {
    enum Phase: String, Codable, Equatable {
        case pending = "Pending"
        case running = "Running"
    }

    struct Condition: Codable, Equatable {
        var type: String
        var status: Bool
        var reason: String?
    }

    struct Status: Codable, Equatable {
        var phase: Phase
        var restarts: UInt8
        var ratio: Float
        var conditions: [Condition]
        var matrix: [[Int]]
        var annotations: [String: String]?
        var raw: JSONValue
        var maybe: Int?
    }

    @Test("decodes nested structs, arrays, dictionaries, enums and optionals", arguments: TreeDecoderKind.allCases)
    func decodesNested(_ decoder: TreeDecoderKind) throws {
        let value: JSONValue = [
            "phase": "Running", "restarts": 3, "ratio": 0.25, "ignored": ["x": 1],
            "conditions": [["type": "Ready", "status": true], ["type": "Synced", "status": false, "reason": "Lag"]],
            "matrix": [[1, 2], [], [.double(3)]],
            "annotations": ["b": "2", "a": "1"],
            "raw": ["z": 1, "y": [nil, "s"]],
            "maybe": nil,
        ]
        let status = try decoder.decode(Status.self, from: value)
        #expect(status.phase == .running)
        #expect(status.restarts == 3)
        #expect(status.ratio == 0.25)
        #expect(
            status.conditions == [
                Condition(type: "Ready", status: true, reason: nil),
                Condition(type: "Synced", status: false, reason: "Lag"),
            ])
        #expect(status.matrix == [[1, 2], [], [3]])
        #expect(status.annotations == ["a": "1", "b": "2"])
        #expect(isIdentical(status.raw, ["z": 1, "y": [nil, "s"]]))
        #expect(status.maybe == nil)
    }

    @Test("decoding JSONValue returns the tree unchanged, key order included", arguments: TreeDecoderKind.allCases)
    func decodesJSONValue(_ decoder: TreeDecoderKind) throws {
        let value: JSONValue = ["z": 1, "a": [.double(1), "x"], "m": nil]
        #expect(isIdentical(try decoder.decode(JSONValue.self, from: value), value))
        #expect(isIdentical(.array(try decoder.decode([JSONValue].self, from: [1, "a"])), [1, "a"]))
    }

    @Test("a wrong type is a typeMismatch with the coding path", arguments: TreeDecoderKind.allCases)
    func typeMismatch(_ decoder: TreeDecoderKind) throws {
        let value: JSONValue = [
            "phase": "Running", "restarts": 3, "ratio": 1, "matrix": [], "raw": nil,
            "conditions": [["type": "Ready", "status": true], ["type": "Synced", "status": "yes"]],
        ]
        do {
            _ = try decoder.decode(Status.self, from: value)
            Issue.record("expected an error")
        } catch DecodingError.typeMismatch(let type, let context) {
            #expect(ObjectIdentifier(type) == ObjectIdentifier(Bool.self))
            #expect(pathText(context.codingPath) == "conditions.[1].status")
            #expect(context.debugDescription.contains("string"))
        }
    }

    @Test("a missing key is keyNotFound; a null for a required value is valueNotFound", arguments: TreeDecoderKind.allCases)
    func missingAndNull(_ decoder: TreeDecoderKind) throws {
        do {
            _ = try decoder.decode(Condition.self, from: ["status": true])
            Issue.record("expected an error")
        } catch DecodingError.keyNotFound(let key, let context) {
            #expect(key.stringValue == "type")
            #expect(context.codingPath.isEmpty)
        }
        do {
            _ = try decoder.decode(Condition.self, from: ["type": nil, "status": true])
            Issue.record("expected an error")
        } catch DecodingError.valueNotFound(let type, let context) {
            #expect(ObjectIdentifier(type) == ObjectIdentifier(String.self))
            #expect(pathText(context.codingPath) == "type")
        }
    }

    @Test("an unknown enum raw value is dataCorrupted", arguments: TreeDecoderKind.allCases)
    func badEnum(_ decoder: TreeDecoderKind) {
        #expect {
            try decoder.decode([Phase].self, from: ["Pending", "Exploded"])
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return pathText(context.codingPath) == "[1]"
        }
    }

    @Test(
        "integers decode from .int and integral .double, range-checked",
        arguments: TreeDecoderKind.allCases, [
            (JSONValue.int(127), true), (.int(128), false), (.double(5), true), (.double(5.5), false),
            (.int(-128), true), (.string("5"), false), (.bool(true), false),
        ])
    func integerRanges(_ decoder: TreeDecoderKind, value: (JSONValue, Bool)) {
        let (value, fits) = value
        let result = try? decoder.decode(Int8.self, from: value)
        #expect((result != nil) == fits)
    }

    @Test("every fixed-width integer type and both float types decode", arguments: TreeDecoderKind.allCases)
    func numericTypes(_ decoder: TreeDecoderKind) throws {
        #expect(try decoder.decode(UInt64.self, from: .double(9_223_372_036_854_775_808)) == UInt64(1) << 63)
        #expect(try decoder.decode(UInt16.self, from: 65535) == 65535)
        #expect(try decoder.decode(Int32.self, from: .double(-2_147_483_648)) == Int32.min)
        #expect(try decoder.decode(UInt.self, from: 7) == 7)
        #expect(try decoder.decode(Int64.self, from: .int(Int64.min)) == Int64.min)
        #expect(try decoder.decode(Double.self, from: 3) == 3.0)
        #expect(try decoder.decode(Float.self, from: .double(1.5)) == 1.5)
        #expect(throws: DecodingError.self) { try decoder.decode(UInt32.self, from: -1) }
        #expect(throws: DecodingError.self) { try decoder.decode(Float.self, from: .double(1e300)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Double.self, from: "1.5") }
    }

    @Test("Bool and String decode only from their own kinds", arguments: TreeDecoderKind.allCases)
    func strictKinds(_ decoder: TreeDecoderKind) {
        #expect(throws: DecodingError.self) { try decoder.decode(Bool.self, from: 1) }
        #expect(throws: DecodingError.self) { try decoder.decode(Bool.self, from: "true") }
        #expect(throws: DecodingError.self) { try decoder.decode(String.self, from: 5) }
        #expect(throws: DecodingError.self) { try decoder.decode([String].self, from: ["a": "b"]) }
        #expect(throws: DecodingError.self) { try decoder.decode(Condition.self, from: ["x"]) }
    }

    struct Manual: Decodable {
        var first: Int
        var nested: [String]
        var inner: Int
        var rest: [Int]
        var parent: String

        enum Keys: String, CodingKey { case first, list, inner, deep, base }
        enum DeepKeys: String, CodingKey { case inner }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            first = try container.decode(Int.self, forKey: .first)
            var list = try container.nestedUnkeyedContainer(forKey: .list)
            #expect(list.count == 3)
            var nested: [String] = []
            var rest: [Int] = []
            nested.append(try list.decode(String.self))
            #expect(try list.decodeNil())
            var sublist = try list.nestedUnkeyedContainer()
            while !sublist.isAtEnd { rest.append(try sublist.decode(Int.self)) }
            #expect(list.isAtEnd)
            #expect(throws: DecodingError.self) { try list.decode(String.self) }
            self.nested = nested
            self.rest = rest
            let deep = try container.nestedContainer(keyedBy: DeepKeys.self, forKey: .deep)
            #expect(pathText(deep.codingPath) == "deep")
            inner = try deep.decode(Int.self, forKey: .inner)
            let base = try container.superDecoder(forKey: .base)
            #expect(pathText(base.codingPath) == "base")
            parent = try base.singleValueContainer().decode(String.self)
        }
    }

    @Test("nested keyed and unkeyed containers and superDecoder work with correct paths", arguments: TreeDecoderKind.allCases)
    func nestedContainers(_ decoder: TreeDecoderKind) throws {
        let value: JSONValue = ["first": 1, "list": ["a", nil, [2, 3]], "deep": ["inner": 4], "base": "p"]
        let manual = try decoder.decode(Manual.self, from: value)
        #expect(manual.first == 1)
        #expect(manual.nested == ["a"])
        #expect(manual.rest == [2, 3])
        #expect(manual.inner == 4)
        #expect(manual.parent == "p")
    }

    @Test("decodeIfPresent gives nil for a missing key and for null, except JSONValue? keeps an explicit null", arguments: TreeDecoderKind.allCases)
    func optionals(_ decoder: TreeDecoderKind) throws {
        struct Box: Decodable {
            var a: Int?
            var b: JSONValue?
            var c: [Int]?
            var d: JSONValue?
        }
        let box = try decoder.decode(Box.self, from: ["a": nil, "b": nil, "c": nil])
        #expect(box.a == nil)
        #expect(box.b == .null)
        #expect(box.c == nil)
        #expect(box.d == nil)
    }

    @Test("unknown keys are ignored and userInfo reaches the decoded type", arguments: TreeDecoderKind.allCases)
    func userInfo(_ decoder: TreeDecoderKind) throws {
        let key = CodingUserInfoKey(rawValue: "flavour")!
        struct Probe: Decodable {
            var seen: String
            init(from decoder: any Decoder) throws {
                seen = decoder.userInfo[CodingUserInfoKey(rawValue: "flavour")!] as? String ?? "none"
            }
        }
        #expect(try decoder.decode(Probe.self, from: ["anything": 1], userInfo: [key: "mint"]).seen == "mint")
    }
}
