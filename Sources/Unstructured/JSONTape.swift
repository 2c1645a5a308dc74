/// One JSON document indexed as a flat "tape": one entry per value and per object key, in document order,
/// each pointing back into the bytes. Building it allocates one array and no strings; `JSONBytesDecoder` then
/// decodes typed values straight from the bytes, making strings only for the members a type asks for.
///
/// Objects hold their members as key, value, key, value …; an object or array entry records its member count
/// and the tape index just past its last descendant, so a value the decoder does not want is skipped in one
/// step.
struct JSONTapeEntry {
    /// What the entry is.
    enum Kind: UInt8 {
        case null, `true`, `false`, integer, float, string, escapedString, array, object
    }

    /// The value's kind.
    var kind: Kind
    /// Strings and numbers: the byte offset (inside the quotes for strings); arrays and objects: the member count.
    var start: UInt32
    /// Strings and numbers: the byte length; arrays and objects: the tape index just past the last descendant.
    var end: UInt32

    /// The JSON type name used in error messages (as `JSONValue.typeName`).
    var typeName: String {
        switch kind {
        case .null: return "null"
        case .true, .false: return "boolean"
        case .integer: return "integer"
        case .float: return "number"
        case .string, .escapedString: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// Builds the tape of a document, checking its syntax (RFC 8259) on the way.
struct JSONTapeBuilder {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private(set) var entries: [JSONTapeEntry] = []
    /// The deepest nesting accepted (as Foundation's `JSONDecoder`).
    static let maxDepth = 512

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        entries.reserveCapacity(bytes.count / 12 + 16)
    }

    /// Reads the whole document; trailing non-whitespace is an error.
    mutating func build() throws(JSONParseError) {
        guard bytes.count < Int(UInt32.max) else { throw fail("document larger than 4 GiB") }
        skipWhitespace()
        try parseValue()
        skipWhitespace()
        if index != bytes.count { throw fail("unexpected data after the document") }
    }

    private func fail(_ reason: String) -> JSONParseError {
        JSONParseError(reason: reason, offset: index)
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONParseError) {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "{"): try parseObject()
        case UInt8(ascii: "["): try parseArray()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            entries.append(JSONTapeEntry(kind: .true, start: 0, end: 0))
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            entries.append(JSONTapeEntry(kind: .false, start: 0, end: 0))
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            entries.append(JSONTapeEntry(kind: .null, start: 0, end: 0))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber()
        default:
            throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("unexpected end of input") }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] {
            throw fail("invalid literal")
        }
        index += count
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nesting deeper than \(Self.maxDepth)") }
    }

    private mutating func parseObject() throws(JSONParseError) {
        try enter()
        defer { depth -= 1 }
        index += 1
        let slot = entries.count
        entries.append(JSONTapeEntry(kind: .object, start: 0, end: 0))
        var count: UInt32 = 0
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            entries[slot].end = UInt32(entries.count)
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            try parseValue()
            count += 1
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                entries[slot].start = count
                entries[slot].end = UInt32(entries.count)
                return
            }
            throw fail("expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws(JSONParseError) {
        try enter()
        defer { depth -= 1 }
        index += 1
        let slot = entries.count
        entries.append(JSONTapeEntry(kind: .array, start: 0, end: 0))
        var count: UInt32 = 0
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            entries[slot].end = UInt32(entries.count)
            return
        }
        while true {
            skipWhitespace()
            try parseValue()
            count += 1
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                entries[slot].start = count
                entries[slot].end = UInt32(entries.count)
                return
            }
            throw fail("expected ',' or ']'")
        }
    }

    /// Records a string's byte range; checks control characters and escape syntax. UTF-8 is validated when
    /// the string is made.
    private mutating func parseString() throws(JSONParseError) {
        index += 1  // opening quote
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                entries.append(JSONTapeEntry(
                    kind: escaped ? .escapedString : .string, start: UInt32(start), end: UInt32(index - start)))
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard index < bytes.count else { throw fail("unterminated escape") }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    guard index + 4 <= bytes.count else { throw fail("short unicode escape") }
                    for _ in 0..<4 {
                        guard JSONStringUnescaping.hexDigit(bytes[index]) != nil else {
                            throw fail("invalid hex digit in a unicode escape")
                        }
                        index += 1
                    }
                default:
                    throw fail("invalid escape")
                }
                continue
            }
            if byte < 0x20 { throw fail("unescaped control character in a string") }
            index += 1
        }
        throw fail("unterminated string")
    }

    private mutating func parseNumber() throws(JSONParseError) {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw fail("invalid number")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            if index == digitsStart { throw fail("invalid number: no digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let digitsStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            if index == digitsStart { throw fail("invalid number: no exponent digits") }
        }
        entries.append(JSONTapeEntry(
            kind: isInteger ? .integer : .float, start: UInt32(start), end: UInt32(index - start)))
    }
}

/// Turning the bytes of JSON strings and numbers into values.
enum JSONStringUnescaping {
    @inline(__always)
    static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// The string of an unescaped, checked byte range; nil when it is not valid UTF-8.
    @inline(__always)
    static func plain(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// The string of a checked byte range with escapes; nil for invalid UTF-8 or an unpaired surrogate.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                scratch.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(bytes, index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { return nil }
                    let low = hex4(bytes, index + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { return nil }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    return nil
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                scratch.append(contentsOf: UTF8.encode(unicode)!)
            default: scratch.append(escaped)  // " \ /
            }
        }
        return String(validating: scratch, as: UTF8.self)
    }

    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        var value: UInt32 = 0
        for i in at..<at + 4 { value = value * 16 + (hexDigit(bytes[i]) ?? 0) }
        return value
    }

    /// An integer literal's value; nil when it does not fit in Int64.
    @inline(__always)
    static func int64(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var value: Int64 = 0
        var negative = false
        for byte in bytes {
            if byte == UInt8(ascii: "-") {
                negative = true
                continue
            }
            // Accumulate negatively so Int64.min parses.
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.subtractingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = a
        }
        if negative { return value }
        return value == Int64.min ? nil : -value
    }

    /// A non-negative integer literal's value; nil when it is negative or does not fit in UInt64.
    static func uint64(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "-") { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = a
        }
        return value
    }

    /// Any number literal as a Double.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: bytes, as: UTF8.self))
    }
}
