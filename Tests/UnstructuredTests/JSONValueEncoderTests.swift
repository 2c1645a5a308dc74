import Testing
import Unstructured

@Suite("JSONValueEncoder")
struct JSONValueEncoderTests {
    enum Kind: String, Codable {
        case deployment = "Deployment"
    }

    struct Metadata: Codable, Equatable {
        var name: String
        var namespace: String?
        var labels: [String: String]?
        var generation: Int64?
    }

    struct Resource: Codable, Equatable {
        var kind: Kind
        var metadata: Metadata
        var replicas: Int
        var weight: Double
        var scale: Float
        var paused: Bool
        var ports: [UInt16]
        var big: UInt64
        var extra: JSONValue?
        var nothing: String?
    }

    let encoder = JSONValueEncoder()

    static let sample = Resource(
        kind: .deployment, metadata: Metadata(name: "web", namespace: nil, labels: ["app": "web"], generation: 2),
        replicas: 3, weight: 2, scale: 0.1, paused: false, ports: [80, 443], big: UInt64.max,
        extra: ["z": nil, "a": [1, .double(1)]], nothing: nil)

    @Test("produces a tree with keys in encoding order, nil optionals omitted, numbers kept apart")
    func encodesStruct() throws {
        let value = try encoder.encode(Self.sample)
        let keys = ["kind", "metadata", "replicas", "weight", "scale", "paused", "ports", "big", "extra"]
        #expect(value.objectValue?.keys.elementsEqual(keys) == true)
        #expect(value[path: ["metadata"]]?.objectValue?.keys.elementsEqual(["name", "labels", "generation"]) == true)
        #expect(value["kind"] == "Deployment")
        guard case .int(3)? = value["replicas"] else { Issue.record("replicas not .int(3)"); return }
        guard case .double(2)? = value["weight"] else { Issue.record("weight not .double(2)"); return }
        guard case .double(0.1)? = value["scale"] else { Issue.record("Float 0.1 not .double(0.1)"); return }
        guard case .double(let big)? = value["big"] else { Issue.record("UInt64.max not a double"); return }
        #expect(big == 18_446_744_073_709_551_615.0)
        #expect(value["ports"] == [80, 443])
        #expect(value["paused"] == false)
        #expect(value["extra"]?.objectValue?.keys.elementsEqual(["z", "a"]) == true)
        guard case .double(1)? = value["extra"]?["a"]?.arrayValue?.last else {
            Issue.record("embedded JSONValue changed")
            return
        }
        #expect(value["nothing"] == nil)
    }

    @Test("encoding then decoding gives back the value")
    func roundTrip() throws {
        var sample = Self.sample
        sample.big = 12
        let decoded = try JSONValueDecoder().decode(Resource.self, from: encoder.encode(sample))
        #expect(decoded == sample)
    }

    @Test("a JSONValue encodes to itself")
    func encodesJSONValue() throws {
        let value: JSONValue = ["b": [1, .double(2.5), nil, true, "s"], "a": [:]]
        let encoded = try encoder.encode(value)
        #expect(encoded.jsonString() == value.jsonString())
        #expect(try encoder.encode([value]).jsonString() == "[\(value.jsonString())]")
    }

    @Test("top-level scalars, optionals and collections encode")
    func topLevel() throws {
        #expect(try encoder.encode(5) == .int(5))
        #expect(try encoder.encode("s") == "s")
        #expect(try encoder.encode(Int?.none) == .null)
        #expect(try encoder.encode(["x": [1, 2]]) == ["x": [1, 2]])
        #expect(try encoder.encode(Int8(-3)) == .int(-3))
        #expect(try encoder.encode(UInt64(Int64.max)) == .int(Int64.max))
    }

    @Test("non-finite numbers are an invalidValue error with the path")
    func nonFinite() {
        struct Holder: Encodable { var values: [Double] }
        #expect {
            try encoder.encode(Holder(values: [1, .nan]))
        } throws: { error in
            guard case EncodingError.invalidValue(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["values", "1"]
        }
    }

    struct Manual: Encodable {
        enum Keys: String, CodingKey { case header, items, nested, base }
        enum InnerKeys: String, CodingKey { case flag }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("h", forKey: .header)
            var items = container.nestedUnkeyedContainer(forKey: .items)
            try items.encode(1)
            var inner = items.nestedContainer(keyedBy: InnerKeys.self)
            try inner.encode(true, forKey: .flag)
            var list = items.nestedUnkeyedContainer()
            try list.encodeNil()
            #expect(items.count == 3)
            var nested = container.nestedContainer(keyedBy: InnerKeys.self, forKey: .nested)
            // Written after the nested container was handed out: reference storage must see it.
            try nested.encode(false, forKey: .flag)
            let base = container.superEncoder(forKey: .base)
            #expect(base.codingPath.map(\.stringValue) == ["base"])
            var single = base.singleValueContainer()
            try single.encode("parent")
            try items.encode("late")
        }
    }

    @Test("nested containers and superEncoder land in the tree, even when filled later")
    func nestedContainers() throws {
        let value = try encoder.encode(Manual())
        let expected: JSONValue = [
            "header": "h", "items": [1, ["flag": true], [nil], "late"], "nested": ["flag": false], "base": "parent",
        ]
        #expect(value == expected)
        #expect(value.objectValue?.keys.elementsEqual(["header", "items", "nested", "base"]) == true)
    }

    @Test("encodes a large recursive tree with every node present")
    func largeTree() throws {
        struct Node: Encodable { var name: String; var children: [Node] }
        func build(_ depth: Int) -> Node {
            Node(name: "n\(depth)", children: depth == 0 ? [] : (0..<4).map { _ in build(depth - 1) })
        }
        let value = try encoder.encode(build(7))
        var count = 0
        func walk(_ node: JSONValue) {
            count += 1
            node["children"]?.arrayValue?.forEach(walk)
        }
        walk(value)
        #expect(count == (1..<9).reduce(0) { $0 + 1 << (2 * ($1 - 1)) })
    }
}
