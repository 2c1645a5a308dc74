import Unstructured

/// An RFC 6901 JSON pointer: `""` is the whole document, `/a/0/b~1c` is a path of reference tokens
/// (`~1` decodes to `/`, `~0` to `~`).
struct JSONPointer: Equatable, Sendable, CustomStringConvertible {
    let tokens: [String]
    let text: String

    init(_ text: String) throws(PatchError) {
        self.text = text
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw PatchError("invalid JSON pointer \"\(text)\": must be empty or start with '/'")
        }
        var decoded: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            decoded.append(try Self.unescape(raw, pointer: text))
        }
        tokens = decoded
    }

    private static func unescape(_ raw: Substring, pointer: String) throws(PatchError) -> String {
        guard raw.contains("~") else { return String(raw) }
        var out = ""
        var iterator = raw.makeIterator()
        while let c = iterator.next() {
            guard c == "~" else {
                out.append(c)
                continue
            }
            switch iterator.next() {
            case "0": out.append("~")
            case "1": out.append("/")
            default: throw PatchError("invalid JSON pointer \"\(pointer)\": '~' must be followed by '0' or '1'")
            }
        }
        return out
    }

    var description: String { text }

    /// Whether `self` is a proper prefix of `other` (`/a` of `/a/b`).
    func isProperPrefix(of other: JSONPointer) -> Bool {
        tokens.count < other.tokens.count && Array(other.tokens.prefix(tokens.count)) == tokens
    }

    /// Parses an array index token: digits without a leading zero.
    static func index(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if token.count > 1 && token.hasPrefix("0") { return nil }
        return Int(token)
    }

    /// The value the pointer refers to, or nil when any step is missing.
    func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let i = Self.index(token), i < array.count else { return nil }
                current = array[i]
            default:
                return nil
            }
        }
        return current
    }
}
