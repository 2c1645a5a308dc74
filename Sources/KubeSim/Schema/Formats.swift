import Unstructured

/// The string and number `format`s KubeSim checks; any other format is accepted as an annotation, as
/// the API server does for formats it does not know.
enum SchemaFormat {
    /// Whether `value` satisfies `format`. Formats apply only to values of the matching JSON kind.
    static func accepts(_ value: JSONValue, format: String) -> Bool {
        switch (format, value) {
        case ("int32", _):
            guard let i = value.intValue else { return true }
            return i >= Int64(Int32.min) && i <= Int64(Int32.max)
        case ("int64", _):
            return true
        case (_, .string(let s)):
            return acceptsString(s, format: format)
        default:
            return true
        }
    }

    static func acceptsString(_ s: String, format: String) -> Bool {
        switch format {
        case "date-time", "datetime": return isDateTime(s)
        case "date": return isDate(Substring(s))
        case "byte": return isBase64(s)
        case "uuid":
            return matches(s, #"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#)
        case "ipv4": return isIPv4(s)
        case "hostname":
            let label = #"[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?"#
            return s.count <= 253 && matches(s, "^\(label)(\\.\(label))*$")
        default: return true
        }
    }

    private static func matches(_ s: String, _ pattern: String) -> Bool {
        (try? PatternRegex(pattern))?.matches(s) ?? true
    }

    /// RFC 3339 `2006-01-02T15:04:05Z`, with optional fraction and a `Z` or `±hh:mm` offset.
    static func isDateTime(_ s: String) -> Bool {
        guard let t = s.firstIndex(where: { $0 == "T" || $0 == "t" || $0 == " " }) else { return false }
        guard isDate(s[..<t]) else { return false }
        return matches(
            String(s[s.index(after: t)...]),
            #"^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?([zZ]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"#)
    }

    static func isDate(_ s: Substring) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    static func isBase64(_ s: String) -> Bool {
        let stripped = s.filter { !$0.isWhitespace }
        guard stripped.count % 4 == 0 else { return false }
        return matches(stripped, #"^[A-Za-z0-9+/]*={0,2}$"#)
    }

    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && (Int(part).map { $0 <= 255 } ?? false)
                && !(part.count > 1 && part.hasPrefix("0"))
        }
    }
}
