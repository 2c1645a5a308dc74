#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import OrderedCollections

/// Decodes `Decodable` values straight from JSON bytes, with the same rules and errors as `JSONValueDecoder`
/// (which decodes from a parsed `JSONValue` tree) but without building the tree.
///
/// The document is first indexed into a flat tape (`JSONTapeEntry`: kinds and byte ranges, no strings);
/// types then read the members they ask for, found by comparing bytes, and strings are made only for the values
/// decoded. A member a type does not know is skipped without being read. The coding path of a failure is built
/// only when the error is made.
///
/// - Integers of any fixed width decode from integer literals (range-checked) and from a float literal with no
///   fractional part; `Float` and `Double` from any number; `Bool` only from `true`/`false`, `String` only from
///   strings.
/// - `JSONValue` decodes as the subtree, with its key order.
/// - A missing member and an explicit `null` both decode as `nil` through `decodeIfPresent`.
/// - Syntax errors are `DecodingError.dataCorrupted` with the `JSONParseError` (and its byte offset) underneath.
/// - Documents nest at most 512 levels deep.
public struct JSONBytesDecoder: Sendable {
    /// Values handed to the decoded types through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Makes a decoder with an empty `userInfo`.
    public init() {
        userInfo = [:]
    }

    /// Decodes a value of the given type from one JSON document.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBufferPointer { buffer in try decode(type, from: buffer) }
    }

    /// Decodes a value of the given type from one JSON document in `bytes`, which must stay valid during the call.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>) throws -> T {
        var builder = JSONTapeBuilder(bytes)
        do {
            try builder.build()
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "The given data was not valid JSON: \(error)", underlyingError: error))
        }
        let info: [CodingUserInfoKey: Any] = userInfo.isEmpty ? [:] : userInfo.mapValues { $0 as Any }
        return try builder.entries.withUnsafeBufferPointer { entries in
            let document = JSONTapeDocument(bytes: bytes, entries: entries, userInfo: info)
            return try TapeDecoder(document: document, index: 0, parent: nil, pathKey: 0).decodeValue(T.self)
        }
    }
}

/// The bytes and the tape of the document being decoded, shared by all its decoders.
final class JSONTapeDocument {
    let bytes: UnsafeBufferPointer<UInt8>
    let entries: UnsafeBufferPointer<JSONTapeEntry>
    let userInfo: [CodingUserInfoKey: Any]

    init(bytes: UnsafeBufferPointer<UInt8>, entries: UnsafeBufferPointer<JSONTapeEntry>, userInfo: [CodingUserInfoKey: Any]) {
        self.bytes = bytes
        self.entries = entries
        self.userInfo = userInfo
    }

    @inline(__always)
    func range(_ entry: JSONTapeEntry) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(entry.start)..<Int(entry.start) + Int(entry.end)])
    }

    /// The tape index after the value at `index` (and all its descendants).
    @inline(__always)
    func skip(_ index: Int) -> Int {
        let entry = entries[index]
        switch entry.kind {
        case .array, .object: return Int(entry.end)
        default: return index + 1
        }
    }

    /// The string of a string entry; nil for a non-string or invalid UTF-8.
    func string(at index: Int) -> String? {
        let entry = entries[index]
        switch entry.kind {
        case .string: return JSONStringUnescaping.plain(range(entry))
        case .escapedString: return JSONStringUnescaping.unescape(range(entry))
        default: return nil
        }
    }

    /// Whether the key entry at `index` spells `name`.
    @inline(__always)
    func keyMatches(_ index: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let entry = entries[index]
        if entry.kind == .escapedString {
            guard let key = string(at: index) else { return false }
            return key.utf8.elementsEqual(name)
        }
        guard Int(entry.end) == name.count else { return false }
        if name.isEmpty { return true }
        return memcmp(bytes.baseAddress! + Int(entry.start), name.baseAddress!, name.count) == 0
    }

    /// The tape index of the key of the member named `name` in the object at `object`, searching from the member
    /// after the last one found (`cursor`, updated), as types mostly read members in document order.
    func findMember(object: Int, name: UnsafeBufferPointer<UInt8>, cursor: inout Int) -> Int? {
        let end = Int(entries[object].end)
        let first = object + 1
        guard first < end else { return nil }
        var index = cursor > first && cursor < end ? cursor : first
        let startedAt = index
        repeat {
            let next = skip(index + 1)
            if keyMatches(index, name) {
                cursor = next
                return index
            }
            index = next < end ? next : first
        } while index != startedAt
        return nil
    }

    /// The value at `index` as a `JSONValue` tree.
    func jsonValue(at index: Int) throws -> JSONValue {
        let entry = entries[index]
        switch entry.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .integer:
            if let i = JSONStringUnescaping.int64(range(entry)) { return .int(i) }
            return .double(try doubleValue(index))
        case .float: return .double(try doubleValue(index))
        case .string, .escapedString:
            guard let s = string(at: index) else { throw invalidString(index) }
            return .string(s)
        case .array:
            var array: [JSONValue] = []
            array.reserveCapacity(Int(entry.start))
            var i = index + 1
            while i < Int(entry.end) {
                array.append(try jsonValue(at: i))
                i = skip(i)
            }
            return .array(array)
        case .object:
            var object = JSONObject(minimumCapacity: Int(entry.start))
            var i = index + 1
            while i < Int(entry.end) {
                guard let key = string(at: i) else { throw invalidString(i) }
                object[key] = try jsonValue(at: i + 1)
                i = skip(i + 1)
            }
            return .object(object)
        }
    }

    func doubleValue(_ index: Int) throws -> Double {
        guard let d = JSONStringUnescaping.double(range(entries[index])) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Invalid number."))
        }
        return d
    }

    func invalidString(_ index: Int) -> DecodingError {
        .dataCorrupted(.init(
            codingPath: [], debugDescription: "The given data was not valid JSON: invalid UTF-8 or unpaired surrogate in a string at byte \(entries[index].start)."))
    }
}

// MARK: - Unboxing

/// Conversions from tape entries to the primitive types, throwing the same errors as `JSONUnboxing`.
extension TapeDecoder {
    func mismatch(_ type: Any.Type, _ index: Int, _ path: [any CodingKey]) -> DecodingError {
        let entry = document.entries[index]
        if entry.kind == .null {
            return .valueNotFound(
                type, .init(codingPath: path, debugDescription: "Expected \(type) value but found null instead."))
        }
        return .typeMismatch(
            type,
            .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(entry.typeName) instead."))
    }

    @inline(__always)
    func unboxBool(_ index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        switch document.entries[index].kind {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, index, path())
        }
    }

    @inline(__always)
    func unboxString(_ index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        let entry = document.entries[index]
        switch entry.kind {
        case .string:
            if let s = JSONStringUnescaping.plain(document.range(entry)) { return s }
        case .escapedString:
            if let s = JSONStringUnescaping.unescape(document.range(entry)) { return s }
        default:
            throw mismatch(String.self, index, path())
        }
        throw DecodingError.dataCorrupted(.init(
            codingPath: path(), debugDescription: "The given data was not valid JSON: invalid UTF-8 or unpaired surrogate in a string."))
    }

    func unboxInteger<T: FixedWidthInteger>(
        _ index: Int, _ type: T.Type, _ path: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        let entry = document.entries[index]
        switch entry.kind {
        case .integer:
            let digits = document.range(entry)
            if let i = JSONStringUnescaping.int64(digits) {
                if let exact = T(exactly: i) { return exact }
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path(), debugDescription: "Number \(i) does not fit in \(T.self)."))
            }
            if T.self == UInt64.self || T.self == UInt.self, let u = JSONStringUnescaping.uint64(digits),
                let exact = T(exactly: u)
            {
                return exact
            }
            fallthrough
        case .float:
            let d = try document.doubleValue(index)
            if let exact = T(exactly: d) { return exact }
            throw DecodingError.dataCorrupted(
                .init(codingPath: path(), debugDescription: "Number \(d) is not representable as \(T.self)."))
        default:
            throw mismatch(T.self, index, path())
        }
    }

    func unboxDouble(_ index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> Double {
        let entry = document.entries[index]
        switch entry.kind {
        case .integer:
            if let i = JSONStringUnescaping.int64(document.range(entry)) { return Double(i) }
            return try document.doubleValue(index)
        case .float: return try document.doubleValue(index)
        default: throw mismatch(Double.self, index, path())
        }
    }

    func unboxFloat(_ index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> Float {
        switch document.entries[index].kind {
        case .integer, .float:
            let d = try unboxDouble(index, path())
            let f = Float(d)
            if f.isInfinite && d.isFinite {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path(), debugDescription: "Number \(d) does not fit in Float."))
            }
            return f
        default: throw mismatch(Float.self, index, path())
        }
    }

    /// The common leaf types decoded without making a nested decoder; nil when `T` is not one of them.
    @inline(__always)
    func fastPath<T: Decodable>(_ type: T.Type, _ index: Int, _ path: @autoclosure () -> [any CodingKey]) throws -> T? {
        if T.self == String.self { return (try unboxString(index, path()) as! T) }
        if T.self == Int.self { return (try unboxInteger(index, Int.self, path()) as! T) }
        if T.self == Bool.self { return (try unboxBool(index, path()) as! T) }
        if T.self == Int64.self { return (try unboxInteger(index, Int64.self, path()) as! T) }
        if T.self == Int32.self { return (try unboxInteger(index, Int32.self, path()) as! T) }
        if T.self == Double.self { return (try unboxDouble(index, path()) as! T) }
        if T.self == JSONValue.self { return (try document.jsonValue(at: index) as! T) }
        return nil
    }
}

// MARK: - Decoder

/// The `Decoder` over one value of the tape; also its own single-value container.
///
/// The coding path is kept as a link to the parent decoder and the tape index of this value's key (or its
/// array position), and spelled out only when asked for.
final class TapeDecoder: Decoder, SingleValueDecodingContainer {
    let document: JSONTapeDocument
    /// The tape index of the value.
    let index: Int
    let parent: TapeDecoder?
    /// Where this value sits in its parent: ≥ 0 the tape index of its key, < 0 the array position −(n + 1).
    let pathKey: Int
    /// The member after the last one a keyed container found (see `JSONTapeDocument.findMember`).
    var cursor = 0

    init(document: JSONTapeDocument, index: Int, parent: TapeDecoder?, pathKey: Int) {
        self.document = document
        self.index = index
        self.parent = parent
        self.pathKey = pathKey
    }

    var userInfo: [CodingUserInfoKey: Any] { document.userInfo }

    var codingPath: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node: TapeDecoder? = self
        while let current = node, let parent = current.parent {
            keys.append(parent.key(for: current.pathKey))
            node = parent
        }
        return keys.reversed()
    }

    /// The coding key for a `pathKey` of one of this decoder's children.
    func key(for pathKey: Int) -> any CodingKey {
        if pathKey < 0 { return AnyCodingKey(intValue: -pathKey - 1) }
        return AnyCodingKey(stringValue: document.string(at: pathKey) ?? "")
    }

    /// The coding path of a child.
    func path(_ pathKey: Int) -> [any CodingKey] { codingPath + [key(for: pathKey)] }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let fast = try fastPath(T.self, index, codingPath) { return fast }
        return try T(from: self)
    }

    /// Decodes the value at tape index `value` (a member with key `pathKey` or an element) as a `T`.
    @inline(__always)
    func decodeChild<T: Decodable>(_ type: T.Type, at value: Int, pathKey: Int) throws -> T {
        if let fast = try fastPath(T.self, value, path(pathKey)) { return fast }
        return try T(from: TapeDecoder(document: document, index: value, parent: self, pathKey: pathKey))
    }

    func child(at value: Int, pathKey: Int) -> TapeDecoder {
        TapeDecoder(document: document, index: value, parent: self, pathKey: pathKey)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document.entries[index].kind == .object else {
            throw containerMismatch(JSONObject.self, what: "keyed decoding container")
        }
        return KeyedDecodingContainer(TapeKeyedDecodingContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard document.entries[index].kind == .array else {
            throw containerMismatch([JSONValue].self, what: "unkeyed decoding container")
        }
        return TapeUnkeyedDecodingContainer(decoder: self)
    }

    func containerMismatch(_ type: Any.Type, what: String) -> DecodingError {
        let entry = document.entries[index]
        if entry.kind == .null {
            return .valueNotFound(
                type, .init(codingPath: codingPath, debugDescription: "Cannot get \(what) -- found null value instead."))
        }
        let expected = type == JSONObject.self ? "an object" : "an array"
        return .typeMismatch(
            type,
            .init(codingPath: codingPath, debugDescription: "Expected \(expected) but found \(entry.typeName) instead."))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: SingleValueDecodingContainer

    func decodeNil() -> Bool { document.entries[index].kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try unboxBool(index, codingPath) }
    func decode(_ type: String.Type) throws -> String { try unboxString(index, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try unboxDouble(index, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try unboxFloat(index, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try unboxInteger(index, type, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try unboxInteger(index, type, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try unboxInteger(index, type, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try unboxInteger(index, type, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try unboxInteger(index, type, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try unboxInteger(index, type, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try unboxInteger(index, type, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try unboxInteger(index, type, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try unboxInteger(index, type, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unboxInteger(index, type, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }
}

// MARK: - Keyed container

struct TapeKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        let document = decoder.document
        var keys: [Key] = []
        keys.reserveCapacity(Int(document.entries[decoder.index].start))
        var i = decoder.index + 1
        let end = Int(document.entries[decoder.index].end)
        while i < end {
            if let name = document.string(at: i), let key = Key(stringValue: name) { keys.append(key) }
            i = document.skip(i + 1)
        }
        return keys
    }

    /// The tape index of the member's key, or nil when the object has no such member.
    @inline(__always)
    private func find(_ key: Key) -> Int? {
        var name = key.stringValue
        let decoder = self.decoder
        return name.withUTF8 { bytes in
            decoder.document.findMember(object: decoder.index, name: bytes, cursor: &decoder.cursor)
        }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    private func value(for key: Key) throws -> Int {
        guard let keyIndex = find(key) else {
            throw DecodingError.keyNotFound(
                key,
                .init(
                    codingPath: codingPath,
                    debugDescription: "No value associated with key \(key.stringValue.debugDescription)."))
        }
        return keyIndex
    }

    /// The key's tape index for a member that is present and not null.
    @inline(__always)
    private func present(_ key: Key) -> Int? {
        guard let keyIndex = find(key), decoder.document.entries[keyIndex + 1].kind != .null else { return nil }
        return keyIndex
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let keyIndex = find(key) else { return true }
        return decoder.document.entries[keyIndex + 1].kind == .null
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        let k = try value(for: key)
        return try decoder.unboxBool(k + 1, decoder.path(k))
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        let k = try value(for: key)
        return try decoder.unboxString(k + 1, decoder.path(k))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        let k = try value(for: key)
        return try decoder.unboxDouble(k + 1, decoder.path(k))
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        let k = try value(for: key)
        return try decoder.unboxFloat(k + 1, decoder.path(k))
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
        let k = try value(for: key)
        return try decoder.unboxInteger(k + 1, type, decoder.path(k))
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let k = try value(for: key)
        return try decoder.decodeChild(type, at: k + 1, pathKey: k)
    }

    // One lookup per optional member instead of the default contains + decodeNil + decode.

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxBool(k + 1, decoder.path(k))
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxString(k + 1, decoder.path(k))
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxDouble(k + 1, decoder.path(k))
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxInteger(k + 1, type, decoder.path(k))
    }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxInteger(k + 1, type, decoder.path(k))
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let k = present(key) else { return nil }
        return try decoder.unboxInteger(k + 1, type, decoder.path(k))
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let k = find(key) else { return nil }
        if T.self == JSONValue.self { return (try decoder.document.jsonValue(at: k + 1) as! T) }
        if decoder.document.entries[k + 1].kind == .null { return nil }
        return try decoder.decodeChild(type, at: k + 1, pathKey: k)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let k = try value(for: key)
        return try decoder.child(at: k + 1, pathKey: k).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let k = try value(for: key)
        return try decoder.child(at: k + 1, pathKey: k).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        try superDecoder(named: AnyCodingKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try superDecoder(named: key)
    }

    /// A decoder for the member `key`, or over `null` when there is none (as `JSONValueDecoder`).
    private func superDecoder(named key: some CodingKey) throws -> any Decoder {
        var name = key.stringValue
        let decoder = self.decoder
        let found = name.withUTF8 { bytes in
            decoder.document.findMember(object: decoder.index, name: bytes, cursor: &decoder.cursor)
        }
        if let k = found { return decoder.child(at: k + 1, pathKey: k) }
        return TreeDecoder(value: .null, codingPath: decoder.codingPath + [key], userInfo: decoder.userInfo)
    }
}

// MARK: - Unkeyed container

struct TapeUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    private let end: Int
    /// The tape index of the current element.
    private var position: Int
    private(set) var currentIndex = 0
    let count: Int?

    init(decoder: TapeDecoder) {
        self.decoder = decoder
        let entry = decoder.document.entries[decoder.index]
        end = Int(entry.end)
        position = decoder.index + 1
        count = Int(entry.start)
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var isAtEnd: Bool { position >= end }

    private var pathKey: Int { -currentIndex - 1 }

    private func current(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: decoder.path(pathKey), debugDescription: "Unkeyed container is at end."))
        }
        return position
    }

    private mutating func advance() {
        position = decoder.document.skip(position)
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        if decoder.document.entries[try current(Never?.self)].kind == .null {
            advance()
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let result = try decoder.unboxBool(current(type), decoder.path(pathKey))
        advance()
        return result
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let result = try decoder.unboxString(current(type), decoder.path(pathKey))
        advance()
        return result
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let result = try decoder.unboxDouble(current(type), decoder.path(pathKey))
        advance()
        return result
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        let result = try decoder.unboxFloat(current(type), decoder.path(pathKey))
        advance()
        return result
    }
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
        let result = try decoder.unboxInteger(current(type), type, decoder.path(pathKey))
        advance()
        return result
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let result = try decoder.decodeChild(type, at: current(type), pathKey: pathKey)
        advance()
        return result
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try decoder.child(at: current(JSONObject.self), pathKey: pathKey).container(keyedBy: type)
        advance()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try decoder.child(at: current([JSONValue].self), pathKey: pathKey).unkeyedContainer()
        advance()
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let child = decoder.child(at: try current(JSONValue.self), pathKey: pathKey)
        advance()
        return child
    }
}
