import OrderedCollections

/// Decodes `Decodable` values from a `JSONValue` tree, the way `JSONDecoder` decodes them from JSON text.
///
/// - Integers of any fixed width decode from `.int` (range-checked) and from a `.double` with no fractional part.
/// - `Float` and `Double` decode from `.int` and `.double`.
/// - `Bool` decodes only from `.bool`, `String` only from `.string`.
/// - `JSONValue` decodes as the subtree itself, unchanged and with its key order.
/// - A missing key and an explicit `null` both decode as `nil` through `decodeIfPresent`.
/// - Keys the type does not know are ignored.
///
/// Failures are the standard `DecodingError`s, with the coding path of the offending value.
public struct JSONValueDecoder: Sendable {
    /// Values handed to the decoded types through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Makes a decoder with an empty `userInfo`.
    public init() {
        userInfo = [:]
    }

    /// Decodes a value of the given type from a `JSONValue` tree.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        let info: [CodingUserInfoKey: Any] = userInfo.isEmpty ? [:] : userInfo.mapValues { $0 as Any }
        return try TreeDecoder(value: value, codingPath: [], userInfo: info).decodeValue(T.self)
    }
}

// MARK: - Unboxing

/// Conversions from a `JSONValue` to the primitive types, throwing the standard errors.
enum JSONUnboxing {
    static func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        if case .null = value {
            return .valueNotFound(
                type, .init(codingPath: path, debugDescription: "Expected \(type) value but found null instead."))
        }
        return .typeMismatch(
            type,
            .init(
                codingPath: path, debugDescription: "Expected to decode \(type) but found \(value.typeName) instead."))
    }

    static func bool(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        if case .bool(let b) = value { return b }
        throw mismatch(Bool.self, value, path())
    }

    static func string(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        if case .string(let s) = value { return s }
        throw mismatch(String.self, value, path())
    }

    static func integer<T: FixedWidthInteger>(
        _ value: JSONValue, _ type: T.Type, _ path: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        switch value {
        case .int(let i):
            if let exact = T(exactly: i) { return exact }
            throw DecodingError.dataCorrupted(
                .init(codingPath: path(), debugDescription: "Number \(i) does not fit in \(T.self)."))
        case .double(let d):
            if let exact = T(exactly: d) { return exact }
            throw DecodingError.dataCorrupted(
                .init(codingPath: path(), debugDescription: "Number \(d) is not representable as \(T.self)."))
        default:
            throw mismatch(T.self, value, path())
        }
    }

    static func double(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Double {
        switch value {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: throw mismatch(Double.self, value, path())
        }
    }

    static func float(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Float {
        switch value {
        case .double(let d):
            let f = Float(d)
            if f.isInfinite && d.isFinite {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path(), debugDescription: "Number \(d) does not fit in Float."))
            }
            return f
        case .int(let i): return Float(i)
        default: throw mismatch(Float.self, value, path())
        }
    }

    /// The common leaf types decoded without making a nested decoder; nil when `T` is not one of them.
    @inline(__always)
    static func fastPath<T: Decodable>(
        _ type: T.Type, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]
    ) throws -> T? {
        if T.self == JSONValue.self { return (value as! T) }
        if T.self == String.self { return (try string(value, path()) as! T) }
        if T.self == Int.self { return (try integer(value, Int.self, path()) as! T) }
        if T.self == Bool.self { return (try bool(value, path()) as! T) }
        if T.self == Int64.self { return (try integer(value, Int64.self, path()) as! T) }
        if T.self == Int32.self { return (try integer(value, Int32.self, path()) as! T) }
        if T.self == Double.self { return (try double(value, path()) as! T) }
        return nil
    }
}

// MARK: - Decoder

/// The `Decoder` over one node of the tree; also its own single-value container.
final class TreeDecoder: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    init(value: JSONValue, codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.value = value
        self.codingPath = codingPath
        self.userInfo = userInfo
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let fast = try JSONUnboxing.fastPath(T.self, value, codingPath) { return fast }
        return try T(from: self)
    }

    func child(_ value: JSONValue, key: any CodingKey) -> TreeDecoder {
        TreeDecoder(value: value, codingPath: codingPath + [key], userInfo: userInfo)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw DecodingError.typeMismatchOrNull(JSONObject.self, value, codingPath, what: "keyed decoding container")
        }
        return KeyedDecodingContainer(TreeKeyedDecodingContainer<Key>(object: object, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let array) = value else {
            throw DecodingError.typeMismatchOrNull(
                [JSONValue].self, value, codingPath, what: "unkeyed decoding container")
        }
        return TreeUnkeyedDecodingContainer(array: array, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try JSONUnboxing.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try JSONUnboxing.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try JSONUnboxing.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try JSONUnboxing.float(value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONUnboxing.integer(value, type, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONUnboxing.integer(value, type, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }
}

extension DecodingError {
    /// `valueNotFound` for a null, `typeMismatch` otherwise, when asking for a container.
    static func typeMismatchOrNull(
        _ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey], what: String
    ) -> DecodingError {
        if case .null = value {
            return .valueNotFound(
                type, .init(codingPath: path, debugDescription: "Cannot get \(what) -- found null value instead."))
        }
        let expected = type == JSONObject.self ? "an object" : "an array"
        return .typeMismatch(
            type,
            .init(codingPath: path, debugDescription: "Expected \(expected) but found \(value.typeName) instead."))
    }
}

// MARK: - Keyed container

struct TreeKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let decoder: TreeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

    private func path(_ key: Key) -> [any CodingKey] { decoder.codingPath + [key] }

    private func value(for key: Key) throws -> JSONValue {
        guard let value = object[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                .init(
                    codingPath: codingPath,
                    debugDescription: "No value associated with key \(key.stringValue.debugDescription)."))
        }
        return value
    }

    /// The member for `key` unless it is missing or null.
    private func presentValue(for key: Key) -> JSONValue? {
        guard let value = object[key.stringValue], !value.isNull else { return nil }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { object[key.stringValue]?.isNull ?? true }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try JSONUnboxing.bool(value(for: key), path(key))
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try JSONUnboxing.string(value(for: key), path(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try JSONUnboxing.double(value(for: key), path(key))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try JSONUnboxing.float(value(for: key), path(key))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }

    private func integer<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T {
        try JSONUnboxing.integer(value(for: key), type, path(key))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let member = try value(for: key)
        if let fast = try JSONUnboxing.fastPath(type, member, path(key)) { return fast }
        return try T(from: decoder.child(member, key: key))
    }

    // One lookup per optional member instead of the default contains + decodeNil + decode.

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try presentValue(for: key).map { try JSONUnboxing.bool($0, path(key)) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try presentValue(for: key).map { try JSONUnboxing.string($0, path(key)) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try presentValue(for: key).map { try JSONUnboxing.double($0, path(key)) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try presentValue(for: key).map { try JSONUnboxing.integer($0, type, path(key)) }
    }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        try presentValue(for: key).map { try JSONUnboxing.integer($0, type, path(key)) }
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        try presentValue(for: key).map { try JSONUnboxing.integer($0, type, path(key)) }
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let member = object[key.stringValue] else { return nil }
        if T.self == JSONValue.self { return (member as! T) }
        if member.isNull { return nil }
        if let fast = try JSONUnboxing.fastPath(type, member, path(key)) { return fast }
        return try T(from: decoder.child(member, key: key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(value(for: key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(value(for: key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = AnyCodingKey(stringValue: "super")
        return decoder.child(object["super"] ?? .null, key: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(object[key.stringValue] ?? .null, key: key)
    }
}

// MARK: - Unkeyed container

struct TreeUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let array: [JSONValue]
    let decoder: TreeDecoder
    private(set) var currentIndex = 0

    init(array: [JSONValue], decoder: TreeDecoder) {
        self.array = array
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    private var indexKey: AnyCodingKey { AnyCodingKey(intValue: currentIndex) }
    private var path: [any CodingKey] { decoder.codingPath + [indexKey] }

    private func current(_ type: Any.Type) throws -> JSONValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: path, debugDescription: "Unkeyed container is at end."))
        }
        return array[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        if try current(Never?.self).isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    private mutating func next<T>(_ type: T.Type, _ unbox: (JSONValue, [any CodingKey]) throws -> T) throws -> T {
        let element = try current(type)
        let result = try unbox(element, path)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try JSONUnboxing.bool($0, $1) } }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) { try JSONUnboxing.string($0, $1) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try JSONUnboxing.double($0, $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try JSONUnboxing.float($0, $1) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try next(type) { try JSONUnboxing.integer($0, type, $1) }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let element = try current(type)
        let result: T
        if let fast = try JSONUnboxing.fastPath(type, element, path) {
            result = fast
        } else {
            result = try T(from: decoder.child(element, key: indexKey))
        }
        currentIndex += 1
        return result
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try decoder.child(current(JSONObject.self), key: indexKey).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try decoder.child(current([JSONValue].self), key: indexKey).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let child = try decoder.child(current(JSONValue.self), key: indexKey)
        currentIndex += 1
        return child
    }
}
