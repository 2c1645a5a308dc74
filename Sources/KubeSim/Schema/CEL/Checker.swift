/// Static checks after parsing: every identifier is a declared variable (`self`, `oldSelf`) or a macro
/// variable, every function is one the evaluator implements with a matching argument count, and literal
/// regular expressions compile.
enum CELChecker {
    /// Global functions and their argument counts.
    static let globalFunctions: [String: Set<Int>] = [
        "size": [1], "int": [1], "double": [1], "string": [1], "bool": [1], "dyn": [1], "matches": [2],
    ]

    /// Receiver-style functions (`x.f(...)`) and their argument counts.
    static let memberFunctions: [String: Set<Int>] = [
        "size": [0], "startsWith": [1], "endsWith": [1], "contains": [1], "matches": [1],
        "lowerAscii": [0], "upperAscii": [0], "trim": [0], "join": [0, 1], "split": [1],
        "indexOf": [1], "lastIndexOf": [1], "isSorted": [0], "sum": [0], "min": [0], "max": [0],
    ]

    static func check(_ expr: CELExpr, variables: Set<String>) throws(CELSyntaxError) {
        switch expr {
        case .literal: return
        case .identifier(let name):
            guard variables.contains(name) else {
                throw CELSyntaxError(message: "undeclared reference to '\(name)'", offset: nil)
            }
        case .select(let e, _), .presence(let e, _), .unary(_, let e):
            try check(e, variables: variables)
        case .index(let a, let b), .binary(_, let a, let b):
            try check(a, variables: variables)
            try check(b, variables: variables)
        case .conditional(let a, let b, let c):
            try check(a, variables: variables)
            try check(b, variables: variables)
            try check(c, variables: variables)
        case .list(let items):
            for item in items { try check(item, variables: variables) }
        case .map(let entries):
            for entry in entries {
                try check(entry.key, variables: variables)
                try check(entry.value, variables: variables)
            }
        case .comprehension(_, let range, let variable, let body, let filter):
            try check(range, variables: variables)
            let inner = variables.union([variable])
            try check(body, variables: inner)
            if let filter { try check(filter, variables: inner) }
        case .call(let function, let target, let arguments):
            if let target { try check(target, variables: variables) }
            for argument in arguments { try check(argument, variables: variables) }
            let table = target == nil ? globalFunctions : memberFunctions
            guard let counts = table[function] else {
                let form = target == nil ? "\(function)()" : ".\(function)()"
                throw CELSyntaxError(message: "function \(form) is not supported by KubeSim's CEL subset", offset: nil)
            }
            guard counts.contains(arguments.count) else {
                throw CELSyntaxError(
                    message: "found no matching overload for '\(function)' with \(arguments.count) argument(s)",
                    offset: nil)
            }
            if function == "matches", case .literal(.string(let pattern))? = arguments.last {
                do {
                    _ = try PatternRegex(pattern)
                } catch {
                    throw CELSyntaxError(message: "invalid regular expression '\(pattern)'", offset: nil)
                }
            }
        }
    }
}
