/// A recursive-descent parser for the CEL subset, following the CEL grammar's precedence:
/// `?:` < `||` < `&&` < relations (`== != < <= > >= in`) < `+ -` < `* / %` < unary (`! -`) < member access.
struct CELParser {
    private let tokens: [CELLexeme]
    private var position = 0
    private var depth = 0
    private static let maxDepth = 200

    /// Parses `source` and checks it: only known functions, macros and the given variables.
    static func parse(_ source: String, variables: Set<String>) throws(CELSyntaxError) -> CELExpr {
        var parser = CELParser(tokens: try CELLexer.tokenize(source))
        let expr = try parser.expression()
        guard parser.current.token == .end else {
            throw CELSyntaxError(
                message: "unexpected \(parser.describe(parser.current.token))", offset: parser.current.offset)
        }
        try CELChecker.check(expr, variables: variables)
        return expr
    }

    private init(tokens: [CELLexeme]) {
        self.tokens = tokens
    }

    private var current: CELLexeme { tokens[position] }

    private func describe(_ token: CELToken) -> String {
        switch token {
        case .identifier(let name): return "'\(name)'"
        case .int(let i): return "'\(i)'"
        case .double(let d): return "'\(d)'"
        case .string: return "string literal"
        case .punct(let p): return "'\(p)'"
        case .end: return "end of expression"
        }
    }

    private mutating func accept(_ punct: String) -> Bool {
        if current.token == .punct(punct) {
            position += 1
            return true
        }
        return false
    }

    private mutating func expect(_ punct: String) throws(CELSyntaxError) {
        guard accept(punct) else {
            throw CELSyntaxError(
                message: "expected '\(punct)' but found \(describe(current.token))", offset: current.offset)
        }
    }

    private mutating func expression() throws(CELSyntaxError) -> CELExpr {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth {
            throw CELSyntaxError(message: "expression nested too deeply", offset: current.offset)
        }
        let condition = try logicalOr()
        guard accept("?") else { return condition }
        let then = try logicalOr()
        try expect(":")
        let otherwise = try expression()
        return .conditional(condition, then, otherwise)
    }

    private mutating func logicalOr() throws(CELSyntaxError) -> CELExpr {
        var left = try logicalAnd()
        while accept("||") { left = .binary(.or, left, try logicalAnd()) }
        return left
    }

    private mutating func logicalAnd() throws(CELSyntaxError) -> CELExpr {
        var left = try relation()
        while accept("&&") { left = .binary(.and, left, try relation()) }
        return left
    }

    private mutating func relation() throws(CELSyntaxError) -> CELExpr {
        var left = try addition()
        while true {
            let op: CELBinaryOperator
            switch current.token {
            case .punct("=="): op = .equal
            case .punct("!="): op = .notEqual
            case .punct("<"): op = .less
            case .punct("<="): op = .lessOrEqual
            case .punct(">"): op = .greater
            case .punct(">="): op = .greaterOrEqual
            case .identifier("in"): op = .in
            default: return left
            }
            position += 1
            left = .binary(op, left, try addition())
        }
    }

    private mutating func addition() throws(CELSyntaxError) -> CELExpr {
        var left = try multiplication()
        while true {
            if accept("+") {
                left = .binary(.add, left, try multiplication())
            } else if accept("-") {
                left = .binary(.subtract, left, try multiplication())
            } else {
                return left
            }
        }
    }

    private mutating func multiplication() throws(CELSyntaxError) -> CELExpr {
        var left = try unary()
        while true {
            if accept("*") {
                left = .binary(.multiply, left, try unary())
            } else if accept("/") {
                left = .binary(.divide, left, try unary())
            } else if accept("%") {
                left = .binary(.remainder, left, try unary())
            } else {
                return left
            }
        }
    }

    private mutating func unary() throws(CELSyntaxError) -> CELExpr {
        if accept("!") { return .unary(.not, try unary()) }
        if accept("-") { return .unary(.negate, try unary()) }
        return try member()
    }

    private mutating func member() throws(CELSyntaxError) -> CELExpr {
        var expr = try primary()
        while true {
            if accept(".") {
                guard case .identifier(let name) = current.token else {
                    throw CELSyntaxError(message: "expected a field name after '.'", offset: current.offset)
                }
                position += 1
                if accept("(") {
                    let arguments = try argumentList(closing: ")")
                    expr = try memberCall(target: expr, name: name, arguments: arguments)
                } else {
                    expr = .select(expr, name)
                }
            } else if accept("[") {
                let index = try expression()
                try expect("]")
                expr = .index(expr, index)
            } else {
                return expr
            }
        }
    }

    private mutating func argumentList(closing: String) throws(CELSyntaxError) -> [CELExpr] {
        var arguments: [CELExpr] = []
        if accept(closing) { return arguments }
        repeat {
            if current.token == .punct(closing) { break }  // trailing comma
            arguments.append(try expression())
        } while accept(",")
        try expect(closing)
        return arguments
    }

    private func memberCall(
        target: CELExpr, name: String, arguments: [CELExpr]
    ) throws(CELSyntaxError) -> CELExpr {
        guard let macro = CELMacro(rawValue: name) else {
            return .call(function: name, target: target, arguments: arguments)
        }
        let expectedCount = macro == .map ? [2, 3] : [2]
        guard expectedCount.contains(arguments.count), case .identifier(let variable) = arguments[0] else {
            throw CELSyntaxError(
                message: "\(name)() takes a variable name and an expression, e.g. self.\(name)(x, x > 0)",
                offset: nil)
        }
        if arguments.count == 3 {
            return .comprehension(
                macro, range: target, variable: variable, body: arguments[2], filter: arguments[1])
        }
        return .comprehension(macro, range: target, variable: variable, body: arguments[1], filter: nil)
    }

    private mutating func primary() throws(CELSyntaxError) -> CELExpr {
        let lexeme = current
        position += 1
        switch lexeme.token {
        case .int(let i): return .literal(.int(i))
        case .double(let d): return .literal(.double(d))
        case .string(let s): return .literal(.string(s))
        case .identifier("true"): return .literal(.bool(true))
        case .identifier("false"): return .literal(.bool(false))
        case .identifier("null"): return .literal(.null)
        case .identifier(let name):
            guard accept("(") else { return .identifier(name) }
            let arguments = try argumentList(closing: ")")
            if name == "has" {
                guard arguments.count == 1, case .select(let operand, let field) = arguments[0] else {
                    throw CELSyntaxError(message: "invalid argument to has() macro: expected a field selection",
                        offset: lexeme.offset)
                }
                return .presence(operand, field)
            }
            return .call(function: name, target: nil, arguments: arguments)
        case .punct("("):
            let inner = try expression()
            try expect(")")
            return inner
        case .punct("["):
            return .list(try argumentList(closing: "]"))
        case .punct("{"):
            var entries: [CELMapEntry] = []
            if accept("}") { return .map(entries) }
            repeat {
                if current.token == .punct("}") { break }
                let key = try expression()
                try expect(":")
                entries.append(CELMapEntry(key: key, value: try expression()))
            } while accept(",")
            try expect("}")
            return .map(entries)
        default:
            throw CELSyntaxError(message: "unexpected \(describe(lexeme.token))", offset: lexeme.offset)
        }
    }
}
