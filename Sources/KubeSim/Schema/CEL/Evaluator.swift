/// A CEL runtime error, worded as cel-go words it (`no such key: x`, `index out of bounds: 3`).
struct CELEvaluationError: Error, Sendable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Evaluates a checked `CELExpr` against variable bindings.
struct CELEvaluator {
    var bindings: [String: CELValue]

    typealias Failure = CELEvaluationError

    private func fail(_ message: String) -> Failure {
        CELEvaluationError(message: message)
    }

    private func noOverload(_ name: String, _ values: CELValue...) -> Failure {
        fail("no such overload: \(name)(\(values.map(\.typeName).joined(separator: ", ")))")
    }

    func evaluate(_ expr: CELExpr) throws(Failure) -> CELValue {
        switch expr {
        case .literal(let value):
            return value
        case .identifier(let name):
            guard let value = bindings[name] else { throw fail("undeclared reference to '\(name)'") }
            return value
        case .select(let operand, let field):
            let value = try evaluate(operand)
            guard case .map(let map) = value else { throw noOverload("select '\(field)'", value) }
            guard let member = map[field] else { throw fail("no such key: \(field)") }
            return member
        case .presence(let operand, let field):
            let value = try evaluate(operand)
            guard case .map(let map) = value else { throw noOverload("has", value) }
            return .bool(map[field] != nil)
        case .index(let operand, let indexExpr):
            return try index(try evaluate(operand), try evaluate(indexExpr))
        case .unary(.not, let operand):
            let value = try evaluate(operand)
            guard case .bool(let b) = value else { throw noOverload("!_", value) }
            return .bool(!b)
        case .unary(.negate, let operand):
            switch try evaluate(operand) {
            case .int(let i):
                guard i != .min else { throw fail("integer overflow") }
                return .int(-i)
            case .double(let d): return .double(-d)
            case let other: throw noOverload("-_", other)
            }
        case .binary(.and, let lhs, let rhs):
            return try logical(lhs, rhs, decisive: false)
        case .binary(.or, let lhs, let rhs):
            return try logical(lhs, rhs, decisive: true)
        case .binary(let op, let lhs, let rhs):
            return try binary(op, try evaluate(lhs), try evaluate(rhs))
        case .conditional(let condition, let then, let otherwise):
            let value = try evaluate(condition)
            guard case .bool(let b) = value else { throw noOverload("_?_:_", value) }
            return try evaluate(b ? then : otherwise)
        case .list(let items):
            var values: [CELValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case .map(let entries):
            var map: [String: CELValue] = [:]
            for entry in entries {
                let key = try evaluate(entry.key)
                guard case .string(let k) = key else { throw fail("unsupported map key type: \(key.typeName)") }
                map[k] = try evaluate(entry.value)
            }
            return .map(map)
        case .comprehension(let macro, let range, let variable, let body, let filter):
            return try comprehension(macro, try evaluate(range), variable, body, filter)
        case .call(let function, let target, let arguments):
            var values: [CELValue] = []
            for argument in arguments { values.append(try evaluate(argument)) }
            if let target {
                return try CELFunctions.member(function, try evaluate(target), values)
            }
            return try CELFunctions.global(function, values)
        }
    }

    /// `&&` (decisive false) and `||` (decisive true), commutative over errors as in CEL:
    /// `error && false` is false, `error || true` is true.
    private func logical(_ lhs: CELExpr, _ rhs: CELExpr, decisive: Bool) throws(Failure) -> CELValue {
        let name = decisive ? "_||_" : "_&&_"
        var leftError: Failure?
        do throws(Failure) {
            let left = try evaluate(lhs)
            guard case .bool(let l) = left else { throw noOverload(name, left) }
            if l == decisive { return .bool(decisive) }
        } catch {
            leftError = error
        }
        let right = try evaluate(rhs)
        guard case .bool(let r) = right else { throw noOverload(name, right) }
        if r == decisive { return .bool(decisive) }
        if let leftError { throw leftError }
        return .bool(!decisive)
    }

    private func index(_ container: CELValue, _ key: CELValue) throws(Failure) -> CELValue {
        switch (container, key) {
        case (.list(let items), .int(let i)):
            guard i >= 0 && i < items.count else { throw fail("index out of bounds: \(i)") }
            return items[Int(i)]
        case (.list(let items), .double(let d)) where d.rounded() == d:
            guard d >= 0 && d < Double(items.count) else { throw fail("index out of bounds: \(d)") }
            return items[Int(d)]
        case (.map(let map), .string(let k)):
            guard let value = map[k] else { throw fail("no such key: \(k)") }
            return value
        default:
            throw noOverload("_[_]", container, key)
        }
    }

    private func binary(_ op: CELBinaryOperator, _ l: CELValue, _ r: CELValue) throws(Failure) -> CELValue {
        switch op {
        case .equal: return .bool(l == r)
        case .notEqual: return .bool(l != r)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let order = try compare(l, r, op.rawValue)
            switch op {
            case .less: return .bool(order < 0)
            case .lessOrEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .in:
            switch r {
            case .list(let items): return .bool(items.contains(l))
            case .map(let map):
                guard case .string(let k) = l else { return .bool(false) }
                return .bool(map[k] != nil)
            default: throw noOverload("@in", l, r)
            }
        case .add, .subtract, .multiply, .divide, .remainder:
            return try arithmetic(op, l, r)
        case .and, .or:
            throw fail("internal: logical operator evaluated eagerly")
        }
    }

    /// -1, 0 or 1; numbers compare across int and double, strings by code point, booleans false < true.
    func compare(_ l: CELValue, _ r: CELValue, _ name: String) throws(Failure) -> Int {
        switch (l, r) {
        case (.int(let a), .int(let b)): return a < b ? -1 : a == b ? 0 : 1
        case (.string(let a), .string(let b)): return a < b ? -1 : a == b ? 0 : 1
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
        default:
            guard let a = l.number, let b = r.number else { throw noOverload("_\(name)_", l, r) }
            return a < b ? -1 : a == b ? 0 : 1
        }
    }

    private func arithmetic(_ op: CELBinaryOperator, _ l: CELValue, _ r: CELValue) throws(Failure) -> CELValue {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            let result: (Int64, Bool)
            switch op {
            case .add: result = a.addingReportingOverflow(b)
            case .subtract: result = a.subtractingReportingOverflow(b)
            case .multiply: result = a.multipliedReportingOverflow(by: b)
            case .divide:
                guard b != 0 else { throw fail("division by zero") }
                result = a.dividedReportingOverflow(by: b)
            default:
                guard b != 0 else { throw fail("modulus by zero") }
                result = a.remainderReportingOverflow(dividingBy: b)
            }
            guard !result.1 else { throw fail("integer overflow") }
            return .int(result.0)
        case (.double(let a), .double(let b)):
            switch op {
            case .add: return .double(a + b)
            case .subtract: return .double(a - b)
            case .multiply: return .double(a * b)
            case .divide: return .double(a / b)
            default: throw noOverload("_%_", l, r)
            }
        case (.string(let a), .string(let b)) where op == .add:
            return .string(a + b)
        case (.list(let a), .list(let b)) where op == .add:
            return .list(a + b)
        default:
            throw noOverload("_\(op.rawValue)_", l, r)
        }
    }

    private func comprehension(
        _ macro: CELMacro, _ range: CELValue, _ variable: String, _ body: CELExpr, _ filter: CELExpr?
    ) throws(Failure) -> CELValue {
        let elements: [CELValue]
        switch range {
        case .list(let items): elements = items
        case .map(let map): elements = map.keys.sorted().map { .string($0) }
        default: throw noOverload(macro.rawValue, range)
        }
        var scope = self
        func run(_ expr: CELExpr, _ element: CELValue) throws(Failure) -> CELValue {
            scope.bindings[variable] = element
            return try scope.evaluate(expr)
        }
        func predicate(_ element: CELValue) throws(Failure) -> Bool {
            let value = try run(body, element)
            guard case .bool(let b) = value else { throw noOverload(macro.rawValue, value) }
            return b
        }
        switch macro {
        case .all, .exists:
            let decisive = macro == .exists
            var firstError: Failure?
            for element in elements {
                do throws(Failure) {
                    if try predicate(element) == decisive { return .bool(decisive) }
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            if let firstError { throw firstError }
            return .bool(!decisive)
        case .existsOne:
            var count = 0
            for element in elements {
                if try predicate(element) { count += 1 }
            }
            return .bool(count == 1)
        case .filter:
            var kept: [CELValue] = []
            for element in elements {
                if try predicate(element) { kept.append(element) }
            }
            return .list(kept)
        case .map:
            var mapped: [CELValue] = []
            for element in elements {
                if let filter {
                    let keep = try run(filter, element)
                    guard case .bool(let k) = keep else { throw noOverload("map", keep) }
                    if !k { continue }
                }
                mapped.append(try run(body, element))
            }
            return .list(mapped)
        }
    }
}

extension CELValue {
    /// The value as a Double, for int and double.
    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}
