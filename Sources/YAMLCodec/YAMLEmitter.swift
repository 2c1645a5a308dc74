import Unstructured

/// Writes `JSONValue` trees as block-style YAML that `YAML.parse` reads back as the same tree.
struct YAMLEmitter {
    var output = ""

    /// Keys longer than this are written in the explicit `? key` form (libyaml limits implicit keys to 1024).
    private static let longKeyLength = 1000

    /// One document, ending in a newline.
    mutating func document(_ value: JSONValue) {
        switch value {
        case .object(let object) where !object.isEmpty:
            mapping(object, indent: 0, inline: false)
        case .array(let elements) where !elements.isEmpty:
            sequence(elements, indent: 0, inline: false)
        default:
            scalar(value, parentIndent: 0)
        }
    }

    private mutating func spaces(_ count: Int) {
        output += String(repeating: " ", count: count)
    }

    /// A mapping whose first line starts at the cursor when `inline` (after `- `), else on a fresh line.
    private mutating func mapping(_ object: JSONObject, indent: Int, inline: Bool) {
        var first = true
        for (key, value) in object {
            if !first || !inline { spaces(indent) }
            first = false
            let keyText = Self.keyText(key)
            if keyText.utf8.count > Self.longKeyLength {
                output += "? " + keyText + "\n"
                spaces(indent)
                output += ":"
            } else {
                output += keyText + ":"
            }
            switch value {
            case .object(let nested) where !nested.isEmpty:
                output += "\n"
                mapping(nested, indent: indent + 2, inline: false)
            case .array(let elements) where !elements.isEmpty:
                output += "\n"
                sequence(elements, indent: indent + 2, inline: false)
            default:
                output += " "
                scalar(value, parentIndent: indent)
            }
        }
    }

    /// A sequence whose first item starts at the cursor when `inline`, else on a fresh line.
    private mutating func sequence(_ elements: [JSONValue], indent: Int, inline: Bool) {
        for (index, element) in elements.enumerated() {
            if index > 0 || !inline { spaces(indent) }
            output += "- "
            switch element {
            case .object(let nested) where !nested.isEmpty:
                mapping(nested, indent: indent + 2, inline: true)
            case .array(let nested) where !nested.isEmpty:
                sequence(nested, indent: indent + 2, inline: true)
            default:
                scalar(element, parentIndent: indent)
            }
        }
    }

    /// A scalar or empty collection at the cursor, then a newline. Block scalars indent by `parentIndent + 2`.
    private mutating func scalar(_ value: JSONValue, parentIndent: Int) {
        switch value {
        case .null: output += "null\n"
        case .bool(let b): output += b ? "true\n" : "false\n"
        case .int(let i): output += String(i) + "\n"
        case .double(let d): output += Self.doubleText(d) + "\n"
        case .array: output += "[]\n"
        case .object: output += "{}\n"
        case .string(let s):
            switch Self.style(for: s, isKey: false) {
            case .plain: output += s + "\n"
            case .doubleQuoted: output += Self.doubleQuoted(s) + "\n"
            case .literal: literal(s, indent: parentIndent + 2)
            }
        }
    }

    static func doubleText(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        return d.description
    }

    // MARK: Strings

    enum StringStyle {
        case plain, doubleQuoted, literal
    }

    static func keyText(_ key: String) -> String {
        style(for: key, isKey: true) == .plain ? key : doubleQuoted(key)
    }

    static func style(for text: String, isKey: Bool) -> StringStyle {
        if !isKey && text.utf8.contains(0x0A) && canBeLiteral(text) { return .literal }
        return canBePlain(text) ? .plain : .doubleQuoted
    }

    private static let indicators: Set<UInt8> = Set("-?:,[]{}#&*!|>'\"%@`".utf8)

    /// Whether the text, written plain, reads back as the same string.
    static func canBePlain(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return false }
        if indicators.contains(first) || first == 0x20 || last == 0x20 || last == UInt8(ascii: ":") { return false }
        if text == "<<" || text.hasPrefix("...") { return false }
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte == 0x20 && previous == UInt8(ascii: ":") { return false }
            if byte == UInt8(ascii: "#") && previous == 0x20 { return false }
            if byte < 0x20 || byte == 0x7F { return false }
            previous = byte
        }
        if utf8.contains(where: { $0 >= 0x80 }) {
            for scalar in text.unicodeScalars where !isPrintable(scalar) || isLineBreak(scalar) { return false }
        }
        return YAMLScalarResolver.resolvePlain(text) == .string(text)
    }

    /// Whether the text can be a literal block scalar that reads back exactly.
    static func canBeLiteral(_ text: String) -> Bool {
        var hasContent = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: continue
            case 0x09: continue
            case 0x20: continue
            default:
                if !isPrintable(scalar) || isLineBreak(scalar) { return false }
                hasContent = true
            }
        }
        return hasContent
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E: return true
        case 0xA0...0xD7FF: return true
        case 0xE000...0xFFFD: return scalar.value != 0xFEFF
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// YAML 1.1 line breaks beyond `\n` and `\r`: NEL, LS, PS.
    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x85 || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x0D: out += "\\r"
            case 0x00: out += "\\0"
            case 0x2028: out += "\\L"
            case 0x2029: out += "\\P"
            default:
                if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value <= 0xFF {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value <= 0xFFFF {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// A literal block scalar (`|`), with chomping chosen so the trailing newlines read back exactly.
    private mutating func literal(_ text: String, indent: Int) {
        var trailingNewlines = 0
        for byte in text.utf8.reversed() {
            guard byte == 0x0A else { break }
            trailingNewlines += 1
        }
        output += "|"
        // Leading spaces, tabs or blank lines would confuse libyaml's indentation detection.
        if let first = text.utf8.first, first == 0x20 || first == 0x09 || first == 0x0A { output += "2" }
        switch trailingNewlines {
        case 0: output += "-"
        case 1: break
        default: output += "+"
        }
        output += "\n"
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if trailingNewlines > 0 { lines.removeLast() }
        for line in lines {
            if !line.isEmpty {
                spaces(indent)
                output += line
            }
            output += "\n"
        }
    }
}
