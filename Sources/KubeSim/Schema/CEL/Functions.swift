/// The CEL functions KubeSim implements: the standard `size`, conversions, string tests and regex
/// matching, plus a few of the Kubernetes string and list library functions.
enum CELFunctions {
    typealias Failure = CELEvaluationError

    private static func noOverload(_ name: String, _ values: [CELValue]) -> Failure {
        CELEvaluationError(
            message: "no such overload: \(name)(\(values.map(\.typeName).joined(separator: ", ")))")
    }

    static func global(_ name: String, _ args: [CELValue]) throws(Failure) -> CELValue {
        switch (name, args.count) {
        case ("size", 1): return try member("size", args[0], [])
        case ("matches", 2): return try member("matches", args[0], [args[1]])
        case ("dyn", 1): return args[0]
        case ("int", 1):
            switch args[0] {
            case .int: return args[0]
            case .double(let d):
                guard d.isFinite, d > -9.3e18, d < 9.3e18 else {
                    throw CELEvaluationError(message: "double is out of range of int")
                }
                return .int(Int64(d))
            case .string(let s):
                guard let i = Int64(s) else { throw CELEvaluationError(message: "cannot convert \"\(s)\" to int") }
                return .int(i)
            default: throw noOverload(name, args)
            }
        case ("double", 1):
            switch args[0] {
            case .double: return args[0]
            case .int(let i): return .double(Double(i))
            case .string(let s):
                guard let d = Double(s) else { throw CELEvaluationError(message: "cannot convert \"\(s)\" to double") }
                return .double(d)
            default: throw noOverload(name, args)
            }
        case ("string", 1):
            switch args[0] {
            case .string: return args[0]
            case .int(let i): return .string(String(i))
            case .double(let d): return .string(String(d))
            case .bool(let b): return .string(b ? "true" : "false")
            default: throw noOverload(name, args)
            }
        case ("bool", 1):
            switch args[0] {
            case .bool: return args[0]
            case .string("true"): return .bool(true)
            case .string("false"): return .bool(false)
            default: throw noOverload(name, args)
            }
        default:
            throw noOverload(name, args)
        }
    }

    static func member(_ name: String, _ target: CELValue, _ args: [CELValue]) throws(Failure) -> CELValue {
        switch (name, target, args.first) {
        case ("size", .string(let s), nil): return .int(Int64(s.unicodeScalars.count))
        case ("size", .list(let l), nil): return .int(Int64(l.count))
        case ("size", .map(let m), nil): return .int(Int64(m.count))
        case ("startsWith", .string(let s), .string(let p)?):
            return .bool(s.unicodeScalars.starts(with: p.unicodeScalars))
        case ("endsWith", .string(let s), .string(let p)?):
            return .bool(s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed()))
        case ("contains", .string(let s), .string(let p)?):
            return .bool(scalarOffset(of: p, in: s, last: false) >= 0)
        case ("matches", .string(let s), .string(let p)?):
            do {
                return .bool(try PatternRegex(p).matches(s))
            } catch {
                throw CELEvaluationError(message: "invalid regular expression '\(p)'")
            }
        case ("lowerAscii", .string(let s), nil): return .string(mapASCII(s, lower: true))
        case ("upperAscii", .string(let s), nil): return .string(mapASCII(s, lower: false))
        case ("trim", .string(let s), nil): return .string(trimWhitespace(s))
        case ("split", .string(let s), .string(let separator)?):
            if separator.isEmpty { return .list(s.unicodeScalars.map { .string(String($0)) }) }
            return .list(split(s, on: separator).map { .string($0) })
        case ("join", .list(let l), _):
            var parts: [String] = []
            for item in l {
                guard case .string(let s) = item else { throw noOverload(name, [target] + args) }
                parts.append(s)
            }
            if let separator = args.first {
                guard case .string(let sep) = separator else { throw noOverload(name, [target] + args) }
                return .string(parts.joined(separator: sep))
            }
            return .string(parts.joined())
        case ("indexOf", .string(let s), .string(let p)?): return .int(scalarOffset(of: p, in: s, last: false))
        case ("lastIndexOf", .string(let s), .string(let p)?): return .int(scalarOffset(of: p, in: s, last: true))
        case ("indexOf", .list(let l), let v?): return .int(Int64(l.firstIndex(of: v) ?? -1))
        case ("lastIndexOf", .list(let l), let v?): return .int(Int64(l.lastIndex(of: v) ?? -1))
        case ("isSorted", .list(let l), nil):
            let evaluator = CELEvaluator(bindings: [:])
            for i in l.indices.dropFirst() {
                if try evaluator.compare(l[i - 1], l[i], "<=") > 0 { return .bool(false) }
            }
            return .bool(true)
        case ("sum", .list(let l), nil):
            if l.allSatisfy({ if case .int = $0 { true } else { false } }) {
                var total: Int64 = 0
                for case .int(let i) in l {
                    let (sum, overflow) = total.addingReportingOverflow(i)
                    if overflow { throw CELEvaluationError(message: "integer overflow") }
                    total = sum
                }
                return .int(total)
            }
            guard l.allSatisfy({ $0.number != nil }) else { throw noOverload(name, [target]) }
            return .double(l.reduce(0) { $0 + ($1.number ?? 0) })
        case ("min", .list(let l), nil), ("max", .list(let l), nil):
            guard var best = l.first else {
                throw CELEvaluationError(message: "\(name)(list) called on an empty list")
            }
            let evaluator = CELEvaluator(bindings: [:])
            for item in l.dropFirst() {
                let order = try evaluator.compare(item, best, name)
                if name == "min" ? order < 0 : order > 0 { best = item }
            }
            return best
        default:
            throw noOverload(name, [target] + args)
        }
    }

    private static func mapASCII(_ s: String, lower: Bool) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if lower, (65...90).contains(v), let mapped = Unicode.Scalar(v + 32) {
                scalars.append(mapped)
            } else if !lower, (97...122).contains(v), let mapped = Unicode.Scalar(v - 32) {
                scalars.append(mapped)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The code-point offset of `needle` in `haystack`, or -1.
    private static func scalarOffset(of needle: String, in haystack: String, last: Bool) -> Int64 {
        let h = Array(haystack.unicodeScalars)
        let n = Array(needle.unicodeScalars)
        guard n.count <= h.count else { return -1 }
        let starts = Array(0...(h.count - n.count))
        for start in last ? starts.reversed() : starts where Array(h[start..<(start + n.count)]) == n {
            return Int64(start)
        }
        return -1
    }
}

/// Leading and trailing whitespace removed (Unicode White_Space).
private func trimWhitespace(_ s: String) -> String {
    let scalars = s.unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
    else { return "" }
    return String(scalars[first...last])
}

/// Splits `s` on every occurrence of `separator` (empty parts kept).
private func split(_ s: String, on separator: String) -> [String] {
    s.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
}
