import OrderedCollections

/// Encodes `Encodable` values into a `JSONValue` tree, the way `JSONEncoder` encodes them into JSON text.
///
/// - Object keys come out in the order the value encodes them.
/// - `nil` optionals are left out (synthesized conformances use `encodeIfPresent`).
/// - A `JSONValue` is embedded unchanged.
/// - Integers become `.int`; `UInt64`/`UInt` values above `Int64.max` become `.double`.
/// - Finite `Double`/`Float` values become `.double`; infinities and NaN throw `EncodingError.invalidValue`,
///   as JSON cannot carry them.
///
/// The tree is built in reference-typed storage and frozen into a `JSONValue` once, so nested containers
/// cost no copying.
public struct JSONValueEncoder: Sendable {
    /// Values handed to the encoded types through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Makes an encoder with an empty `userInfo`.
    public init() {
        userInfo = [:]
    }

    /// Encodes a value into a `JSONValue` tree.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if T.self == JSONValue.self { return value as! JSONValue }
        let info: [CodingUserInfoKey: Any] = userInfo.isEmpty ? [:] : userInfo.mapValues { $0 as Any }
        let encoder = TreeEncoder(codingPath: [], userInfo: info)
        if let leaf = try encoder.leaf(value, codingPath: []) { return leaf }
        try value.encode(to: encoder)
        guard let node = encoder.node else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return node.frozen()
    }
}

// MARK: - Storage

/// A node of the tree under construction.
enum EncodedNode {
    case value(JSONValue)
    case object(EncodedObject)
    case array(EncodedArray)
    /// A super-encoder handed out earlier; its content is read when the tree is frozen.
    case deferred(TreeEncoder)

    func frozen() -> JSONValue {
        switch self {
        case .value(let value): return value
        case .object(let object): return .object(object.members.mapValues { $0.frozen() })
        case .array(let array): return .array(array.elements.map { $0.frozen() })
        case .deferred(let encoder): return encoder.node?.frozen() ?? .object([:])
        }
    }
}

/// The members of an object under construction.
final class EncodedObject {
    var members: OrderedDictionary<String, EncodedNode> = [:]
}

/// The elements of an array under construction.
final class EncodedArray {
    var elements: [EncodedNode] = []
}

// MARK: - Encoder

/// The `Encoder` for one node of the tree; also its own single-value container.
final class TreeEncoder: Encoder, SingleValueEncodingContainer {
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]
    var node: EncodedNode?

    init(codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.codingPath = codingPath
        self.userInfo = userInfo
    }

    /// The common leaf types encoded without a nested encoder; nil when `T` is not one of them.
    @inline(__always)
    func leaf<T: Encodable>(_ value: T, codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue? {
        if T.self == JSONValue.self { return (value as! JSONValue) }
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int.self { return .int(Int64(value as! Int)) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == Int64.self { return .int(value as! Int64) }
        if T.self == Int32.self { return .int(Int64(value as! Int32)) }
        if T.self == Double.self { return try Self.double(value as! Double, codingPath()) }
        return nil
    }

    /// The node for a nested value.
    func node<T: Encodable>(for value: T, key: any CodingKey) throws -> EncodedNode {
        if let leaf = try leaf(value, codingPath: self.codingPath + [key]) { return .value(leaf) }
        let child = TreeEncoder(codingPath: codingPath + [key], userInfo: userInfo)
        try value.encode(to: child)
        return child.node ?? .object(EncodedObject())
    }

    static func double(_ value: Double, _ codingPath: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "Unable to encode Double.\(value) in JSON."))
        }
        return .double(value)
    }

    static func float(_ value: Float, _ codingPath: [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "Unable to encode Float.\(value) in JSON."))
        }
        // Through the shortest decimal form, so 0.1 as Float reads as 0.1 and not 0.10000000149011612.
        return .double(Double(value.description) ?? Double(value))
    }

    static func integer<T: FixedWidthInteger>(_ value: T) -> JSONValue {
        if let exact = Int64(exactly: value) { return .int(exact) }
        return .double(Double(value))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let storage: EncodedObject
        if case .object(let existing)? = node {
            storage = existing
        } else {
            storage = EncodedObject()
            node = .object(storage)
        }
        return KeyedEncodingContainer(TreeKeyedEncodingContainer<Key>(storage: storage, encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let storage: EncodedArray
        if case .array(let existing)? = node {
            storage = existing
        } else {
            storage = EncodedArray()
            node = .array(storage)
        }
        return TreeUnkeyedEncodingContainer(storage: storage, encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    func encodeNil() { node = .value(.null) }
    func encode(_ value: Bool) { node = .value(.bool(value)) }
    func encode(_ value: String) { node = .value(.string(value)) }
    func encode(_ value: Double) throws { node = .value(try Self.double(value, codingPath)) }
    func encode(_ value: Float) throws { node = .value(try Self.float(value, codingPath)) }
    func encode(_ value: Int) { node = .value(Self.integer(value)) }
    func encode(_ value: Int8) { node = .value(Self.integer(value)) }
    func encode(_ value: Int16) { node = .value(Self.integer(value)) }
    func encode(_ value: Int32) { node = .value(Self.integer(value)) }
    func encode(_ value: Int64) { node = .value(Self.integer(value)) }
    func encode(_ value: UInt) { node = .value(Self.integer(value)) }
    func encode(_ value: UInt8) { node = .value(Self.integer(value)) }
    func encode(_ value: UInt16) { node = .value(Self.integer(value)) }
    func encode(_ value: UInt32) { node = .value(Self.integer(value)) }
    func encode(_ value: UInt64) { node = .value(Self.integer(value)) }

    func encode<T: Encodable>(_ value: T) throws {
        if let leaf = try leaf(value, codingPath: codingPath) {
            node = .value(leaf)
            return
        }
        // The value encodes itself into this same encoder (e.g. a RawRepresentable enum or a wrapper).
        try value.encode(to: self)
        if node == nil { node = .object(EncodedObject()) }
    }
}

// MARK: - Keyed container

struct TreeKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: EncodedObject
    let encoder: TreeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func set(_ value: JSONValue, _ key: Key) {
        storage.members[key.stringValue] = .value(value)
    }

    mutating func encodeNil(forKey key: Key) { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        set(try TreeEncoder.double(value, codingPath + [key]), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        set(try TreeEncoder.float(value, codingPath + [key]), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) { set(TreeEncoder.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) { set(TreeEncoder.integer(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        storage.members[key.stringValue] = try encoder.node(for: value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested: EncodedObject
        if case .object(let existing)? = storage.members[key.stringValue] {
            nested = existing
        } else {
            nested = EncodedObject()
            storage.members[key.stringValue] = .object(nested)
        }
        let child = TreeEncoder(codingPath: codingPath + [key], userInfo: encoder.userInfo)
        return KeyedEncodingContainer(TreeKeyedEncodingContainer<NestedKey>(storage: nested, encoder: child))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested: EncodedArray
        if case .array(let existing)? = storage.members[key.stringValue] {
            nested = existing
        } else {
            nested = EncodedArray()
            storage.members[key.stringValue] = .array(nested)
        }
        let child = TreeEncoder(codingPath: codingPath + [key], userInfo: encoder.userInfo)
        return TreeUnkeyedEncodingContainer(storage: nested, encoder: child)
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(named: AnyCodingKey(stringValue: "super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(named: key)
    }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        let child = TreeEncoder(codingPath: codingPath + [key], userInfo: encoder.userInfo)
        storage.members[key.stringValue] = .deferred(child)
        return child
    }
}

// MARK: - Unkeyed container

struct TreeUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let storage: EncodedArray
    let encoder: TreeEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { storage.elements.count }

    private var indexKey: AnyCodingKey { AnyCodingKey(intValue: storage.elements.count) }

    private func append(_ value: JSONValue) { storage.elements.append(.value(value)) }

    mutating func encodeNil() { append(.null) }
    mutating func encode(_ value: Bool) { append(.bool(value)) }
    mutating func encode(_ value: String) { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try TreeEncoder.double(value, codingPath + [indexKey])) }
    mutating func encode(_ value: Float) throws { append(try TreeEncoder.float(value, codingPath + [indexKey])) }
    mutating func encode(_ value: Int) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: Int8) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: Int16) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: Int32) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: Int64) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) { append(TreeEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) { append(TreeEncoder.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        storage.elements.append(try encoder.node(for: value, key: indexKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = TreeEncoder(codingPath: codingPath + [indexKey], userInfo: encoder.userInfo)
        let nested = EncodedObject()
        storage.elements.append(.object(nested))
        return KeyedEncodingContainer(TreeKeyedEncodingContainer<NestedKey>(storage: nested, encoder: child))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = TreeEncoder(codingPath: codingPath + [indexKey], userInfo: encoder.userInfo)
        let nested = EncodedArray()
        storage.elements.append(.array(nested))
        return TreeUnkeyedEncodingContainer(storage: nested, encoder: child)
    }

    mutating func superEncoder() -> any Encoder {
        let child = TreeEncoder(codingPath: codingPath + [indexKey], userInfo: encoder.userInfo)
        storage.elements.append(.deferred(child))
        return child
    }
}
