/// A parsed CEL expression of the supported subset.
indirect enum CELExpr: Sendable {
    case literal(CELValue)
    case identifier(String)
    /// `operand.field`
    case select(CELExpr, String)
    /// `has(operand.field)`
    case presence(CELExpr, String)
    /// `operand[index]`
    case index(CELExpr, CELExpr)
    /// `function(args)` or `target.function(args)`
    case call(function: String, target: CELExpr?, arguments: [CELExpr])
    case unary(CELUnaryOperator, CELExpr)
    case binary(CELBinaryOperator, CELExpr, CELExpr)
    /// `condition ? then : else`
    case conditional(CELExpr, CELExpr, CELExpr)
    case list([CELExpr])
    case map([CELMapEntry])
    /// `range.all(x, predicate)` and the other comprehension macros.
    case comprehension(CELMacro, range: CELExpr, variable: String, body: CELExpr, filter: CELExpr?)
}

/// One `key: value` of a map literal.
struct CELMapEntry: Sendable {
    var key: CELExpr
    var value: CELExpr
}

enum CELUnaryOperator: String, Sendable {
    case not = "!"
    case negate = "-"
}

enum CELBinaryOperator: String, Sendable {
    case or = "||"
    case and = "&&"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case `in` = "in"
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
}

/// The comprehension macros: `all`, `exists`, `exists_one`, `map` (optionally with a filter) and `filter`.
enum CELMacro: String, Sendable {
    case all
    case exists
    case existsOne = "exists_one"
    case map
    case filter
}

extension CELExpr {
    /// Every identifier the expression reads that is not bound by a macro.
    func freeIdentifiers(bound: Set<String> = []) -> Set<String> {
        switch self {
        case .literal: return []
        case .identifier(let name): return bound.contains(name) ? [] : [name]
        case .select(let e, _), .presence(let e, _), .unary(_, let e): return e.freeIdentifiers(bound: bound)
        case .index(let a, let b), .binary(_, let a, let b):
            return a.freeIdentifiers(bound: bound).union(b.freeIdentifiers(bound: bound))
        case .call(_, let target, let arguments):
            var names = target?.freeIdentifiers(bound: bound) ?? []
            for argument in arguments { names.formUnion(argument.freeIdentifiers(bound: bound)) }
            return names
        case .conditional(let a, let b, let c):
            return a.freeIdentifiers(bound: bound).union(b.freeIdentifiers(bound: bound))
                .union(c.freeIdentifiers(bound: bound))
        case .list(let items):
            return items.reduce(into: []) { $0.formUnion($1.freeIdentifiers(bound: bound)) }
        case .map(let entries):
            return entries.reduce(into: []) {
                $0.formUnion($1.key.freeIdentifiers(bound: bound))
                $0.formUnion($1.value.freeIdentifiers(bound: bound))
            }
        case .comprehension(_, let range, let variable, let body, let filter):
            let inner = bound.union([variable])
            var names = range.freeIdentifiers(bound: bound).union(body.freeIdentifiers(bound: inner))
            if let filter { names.formUnion(filter.freeIdentifiers(bound: inner)) }
            return names
        }
    }
}
