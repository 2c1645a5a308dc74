/// A token of the CEL subset.
enum CELToken: Equatable, Sendable {
    case identifier(String)
    case int(Int64)
    case double(Double)
    case string(String)
    case punct(String)
    case end
}

/// A positioned token.
struct CELLexeme: Sendable {
    var token: CELToken
    var offset: Int
}

/// Why a CEL expression could not be compiled, with the character offset.
struct CELSyntaxError: Error, Sendable, CustomStringConvertible {
    var message: String
    var offset: Int?

    var description: String {
        offset.map { "\(message) (at character \($0))" } ?? message
    }
}

/// Splits a CEL expression into tokens.
struct CELLexer {
    private let chars: [Character]
    private var index = 0

    init(_ source: String) {
        chars = Array(source)
    }

    static func tokenize(_ source: String) throws(CELSyntaxError) -> [CELLexeme] {
        var lexer = CELLexer(source)
        var out: [CELLexeme] = []
        while true {
            let lexeme = try lexer.next()
            out.append(lexeme)
            if lexeme.token == .end { return out }
        }
    }

    private static let twoCharOperators: Set<String> = ["==", "!=", "<=", ">=", "&&", "||"]
    private static let oneCharOperators: Set<Character> = [
        "+", "-", "*", "/", "%", "<", ">", "!", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}",
    ]

    private func peek(_ ahead: Int = 0) -> Character? {
        index + ahead < chars.count ? chars[index + ahead] : nil
    }

    mutating func next() throws(CELSyntaxError) -> CELLexeme {
        skipTrivia()
        let start = index
        guard let c = peek() else { return CELLexeme(token: .end, offset: start) }
        if c == "\"" || c == "'" {
            return CELLexeme(token: .string(try string(raw: false)), offset: start)
        }
        if (c == "r" || c == "R"), let q = peek(1), q == "\"" || q == "'" {
            index += 1
            return CELLexeme(token: .string(try string(raw: true)), offset: start)
        }
        if (c == "b" || c == "B"), let q = peek(1), q == "\"" || q == "'" {
            throw CELSyntaxError(message: "bytes literals are not supported", offset: start)
        }
        if c.isLetter || c == "_" {
            var name = ""
            while let d = peek(), d.isLetter || d.isNumber || d == "_" {
                name.append(d)
                index += 1
            }
            return CELLexeme(token: .identifier(name), offset: start)
        }
        if c.isASCII && c.isNumber || c == "." && (peek(1)?.isASCII ?? false) && (peek(1)?.isNumber ?? false) {
            return CELLexeme(token: try number(), offset: start)
        }
        if let d = peek(1), Self.twoCharOperators.contains(String([c, d])) {
            index += 2
            return CELLexeme(token: .punct(String([c, d])), offset: start)
        }
        if Self.oneCharOperators.contains(c) {
            index += 1
            return CELLexeme(token: .punct(String(c)), offset: start)
        }
        throw CELSyntaxError(message: "unexpected character '\(c)'", offset: start)
    }

    private mutating func skipTrivia() {
        while let c = peek() {
            if c.isWhitespace {
                index += 1
            } else if c == "/" && peek(1) == "/" {
                while let d = peek(), d != "\n" { index += 1 }
            } else {
                return
            }
        }
    }

    private mutating func number() throws(CELSyntaxError) -> CELToken {
        let start = index
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            index += 2
            var digits = ""
            while let d = peek(), d.isHexDigit {
                digits.append(d)
                index += 1
            }
            if peek() == "u" || peek() == "U" {
                throw CELSyntaxError(message: "unsigned integer literals are not supported", offset: start)
            }
            guard let value = Int64(digits, radix: 16) else {
                throw CELSyntaxError(message: "invalid hex literal", offset: start)
            }
            return .int(value)
        }
        var text = ""
        var isDouble = false
        while let d = peek(), d.isASCII && d.isNumber {
            text.append(d)
            index += 1
        }
        if peek() == ".", let d = peek(1), d.isASCII && d.isNumber {
            isDouble = true
            text.append(".")
            index += 1
            while let d = peek(), d.isASCII && d.isNumber {
                text.append(d)
                index += 1
            }
        }
        if peek() == "e" || peek() == "E" {
            var ahead = 1
            if peek(1) == "+" || peek(1) == "-" { ahead = 2 }
            if let d = peek(ahead), d.isASCII && d.isNumber {
                isDouble = true
                for _ in 0..<ahead {
                    text.append(peek()!)
                    index += 1
                }
                while let d = peek(), d.isASCII && d.isNumber {
                    text.append(d)
                    index += 1
                }
            }
        }
        if peek() == "u" || peek() == "U" {
            throw CELSyntaxError(message: "unsigned integer literals are not supported", offset: start)
        }
        if isDouble {
            guard let value = Double(text.hasPrefix(".") ? "0" + text : text) else {
                throw CELSyntaxError(message: "invalid number '\(text)'", offset: start)
            }
            return .double(value)
        }
        guard let value = Int64(text) else {
            throw CELSyntaxError(message: "integer literal '\(text)' out of range", offset: start)
        }
        return .int(value)
    }

    private mutating func string(raw: Bool) throws(CELSyntaxError) -> String {
        let start = index
        let quote = chars[index]
        let triple = peek(1) == quote && peek(2) == quote
        index += triple ? 3 : 1
        var out = ""
        while true {
            guard let c = peek() else { throw CELSyntaxError(message: "unterminated string", offset: start) }
            if c == quote {
                if !triple {
                    index += 1
                    return out
                }
                if peek(1) == quote && peek(2) == quote {
                    index += 3
                    return out
                }
            }
            if !triple && (c == "\n" || c == "\r") {
                throw CELSyntaxError(message: "newline in a string literal", offset: index)
            }
            if c == "\\" && !raw {
                index += 1
                guard let e = peek() else { throw CELSyntaxError(message: "unterminated escape", offset: index) }
                index += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "\\", "'", "\"", "`", "?": out.append(e)
                case "u", "U", "x":
                    let count = e == "u" ? 4 : e == "U" ? 8 : 2
                    var hex = ""
                    for _ in 0..<count {
                        guard let h = peek(), h.isHexDigit else {
                            throw CELSyntaxError(message: "invalid \\\(e) escape", offset: index)
                        }
                        hex.append(h)
                        index += 1
                    }
                    guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                        throw CELSyntaxError(message: "invalid code point \\\(e)\(hex)", offset: index)
                    }
                    out.unicodeScalars.append(scalar)
                default:
                    throw CELSyntaxError(message: "invalid escape '\\\(e)'", offset: index - 1)
                }
                continue
            }
            out.append(c)
            index += 1
        }
    }
}
