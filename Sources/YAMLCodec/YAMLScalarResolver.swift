import Unstructured

/// Turns scalars into values the way Kubernetes tooling does (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1).
enum YAMLScalarResolver {
    static let tagPrefix = "tag:yaml.org,2002:"
    static let strTag = tagPrefix + "str"
    static let intTag = tagPrefix + "int"
    static let floatTag = tagPrefix + "float"
    static let boolTag = tagPrefix + "bool"
    static let nullTag = tagPrefix + "null"
    static let mapTag = tagPrefix + "map"
    static let seqTag = tagPrefix + "seq"
    static let mergeTag = tagPrefix + "merge"

    private static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]
    private static let trueWords: Set<String> = [
        "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y",
    ]
    private static let falseWords: Set<String> = [
        "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N",
    ]

    /// The value of a scalar, honouring its style and explicit tag.
    static func resolve(_ scalar: YAMLScalarEvent, at mark: YAMLMark) throws(YAMLError) -> JSONValue {
        guard let tag = scalar.tag else {
            return scalar.style == .plain ? resolvePlain(scalar.value) : .string(scalar.value)
        }
        func fail(_ kind: String) -> YAMLError {
            YAMLError(
                message: "cannot decode \(scalar.value.debugDescription) as !!\(kind)", line: mark.line,
                column: mark.column)
        }
        switch tag {
        case intTag:
            let value = number(scalar.value)
            if case .int(let i)? = value { return .int(i) }
            if case .double(let d)? = value, isIntegerText(scalar.value), d.isFinite { return .double(d) }
            throw fail("int")
        case floatTag:
            switch number(scalar.value) {
            case .int(let i): return .double(Double(i))
            case .double(let d): return .double(d)
            default: throw fail("float")
            }
        case boolTag:
            if let b = bool(scalar.value) { return .bool(b) }
            throw fail("bool")
        case nullTag:
            if nullWords.contains(scalar.value) { return .null }
            throw fail("null")
        case mapTag, seqTag:
            throw YAMLError(
                message: "a scalar cannot have the tag \(tag)", line: mark.line, column: mark.column)
        default:
            // !!str, !!binary, !!timestamp, !!merge and application tags: the text as-is.
            return .string(scalar.value)
        }
    }

    /// The value of an untagged plain scalar.
    static func resolvePlain(_ text: String) -> JSONValue {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return number(text) ?? .string(text)
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            if nullWords.contains(text) { return .null }
        default:
            break
        }
        if text.utf8.count <= 5, let b = bool(text) { return .bool(b) }
        return .string(text)
    }

    static func bool(_ text: String) -> Bool? {
        if trueWords.contains(text) { return true }
        if falseWords.contains(text) { return false }
        return nil
    }

    /// Whether `text` has the form of an integer (so an overflowing one still counts for `!!int`).
    private static func isIntegerText(_ text: String) -> Bool {
        !text.contains(".") && !text.contains("e") && !text.contains("E") && !text.contains("n")
    }

    /// An integer or float in YAML 1.1 / go-yaml syntax, or nil.
    static func number(_ text: String) -> JSONValue? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var start = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") {
            negative = bytes[0] == UInt8(ascii: "-")
            start = 1
        }
        let body = bytes[start...]
        guard let first = body.first else { return nil }

        if first == UInt8(ascii: ".") {
            switch String(decoding: body, as: UTF8.self) {
            case ".inf", ".Inf", ".INF": return .double(negative ? -.infinity : .infinity)
            case ".nan", ".NaN", ".NAN": return start == 0 ? .double(.nan) : nil
            default: break
            }
        }

        if first == UInt8(ascii: "0"), body.count >= 2 {
            let second = body[body.startIndex + 1]
            let radix: UInt64?
            switch second {
            case UInt8(ascii: "x"), UInt8(ascii: "X"): radix = 16
            case UInt8(ascii: "o"), UInt8(ascii: "O"): radix = 8
            case UInt8(ascii: "b"), UInt8(ascii: "B"): radix = 2
            default: radix = nil
            }
            if let radix {
                guard let magnitude = digits(body.dropFirst(2), radix: radix), !magnitude.overflow else { return nil }
                return integer(magnitude.value, negative: negative)
            }
            // YAML 1.1 octal: 0755.
            if let magnitude = digits(body.dropFirst(1), radix: 8) {
                if !magnitude.overflow { return integer(magnitude.value, negative: negative) }
                return nil
            }
        }

        if let magnitude = digits(body, radix: 10) {
            if !magnitude.overflow { return integer(magnitude.value, negative: negative) }
            let plain = String(decoding: bytes.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
            return Double(plain).map { .double($0) }
        }

        if isFloatSyntax(body), let d = Double(String(decoding: bytes, as: UTF8.self)) {
            return .double(d)
        }
        return nil
    }

    private static func integer(_ magnitude: UInt64, negative: Bool) -> JSONValue {
        if negative {
            if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
            if magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            return .double(-Double(magnitude))
        }
        if magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        return .double(Double(magnitude))
    }

    /// Digits in `radix` with `_` separators between them (not first or last); nil for anything else.
    private static func digits(_ text: ArraySlice<UInt8>, radix: UInt64) -> (value: UInt64, overflow: Bool)? {
        guard let first = text.first, let last = text.last,
            first != UInt8(ascii: "_"), last != UInt8(ascii: "_")
        else { return nil }
        var value: UInt64 = 0
        var overflow = false
        for byte in text {
            if byte == UInt8(ascii: "_") { continue }
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
            let (sum, o2) = shifted.addingReportingOverflow(digit)
            overflow = overflow || o1 || o2
            value = sum
        }
        return (value, overflow)
    }

    /// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, go-yaml's float syntax after the sign.
    private static func isFloatSyntax(_ body: ArraySlice<UInt8>) -> Bool {
        var index = body.startIndex
        func isDigit(_ i: Int) -> Bool { i < body.endIndex && body[i] >= 0x30 && body[i] <= 0x39 }
        func skipDigits() -> Int {
            let begin = index
            while isDigit(index) { index += 1 }
            return index - begin
        }
        if index < body.endIndex && body[index] == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { return false }
        } else {
            guard skipDigits() > 0 else { return false }
            if index < body.endIndex && body[index] == UInt8(ascii: ".") {
                index += 1
                _ = skipDigits()
            }
        }
        if index < body.endIndex && (body[index] == UInt8(ascii: "e") || body[index] == UInt8(ascii: "E")) {
            index += 1
            if index < body.endIndex && (body[index] == UInt8(ascii: "+") || body[index] == UInt8(ascii: "-")) {
                index += 1
            }
            guard skipDigits() > 0 else { return false }
        }
        return index == body.endIndex
    }

    /// The string form of a resolved mapping key.
    static func keyString(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
            if d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
            return d.description
        case .array, .object: return nil
        }
    }
}
