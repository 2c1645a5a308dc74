import Unstructured

/// A parsed label selector (k8s.io/apimachinery/pkg/labels syntax): `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
/// `a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`; a comma means AND.
struct LabelSelector: Sendable, Equatable {
    enum Op: Sendable, Equatable {
        case equals, notEquals, exists, doesNotExist, `in`, notIn, greaterThan, lessThan
    }
    struct Requirement: Sendable, Equatable {
        var key: String
        var op: Op
        var values: [String]
    }
    var requirements: [Requirement]

    var isEmpty: Bool { requirements.isEmpty }

    func matches(_ labels: [String: String]) -> Bool {
        for r in requirements {
            let v = labels[r.key]
            switch r.op {
            case .equals: if v != r.values[0] { return false }
            case .notEquals: if let v, v == r.values[0] { return false }
            case .exists: if v == nil { return false }
            case .doesNotExist: if v != nil { return false }
            case .in: guard let v, r.values.contains(v) else { return false }
            case .notIn: if let v, r.values.contains(v) { return false }
            case .greaterThan, .lessThan:
                guard let v, let have = Int64(v), let want = Int64(r.values[0]) else { return false }
                if r.op == .greaterThan ? !(have > want) : !(have < want) { return false }
            }
        }
        return true
    }

    private enum Token: Equatable {
        case ident(String)
        case not, eq, doubleEq, notEq, open, close, comma, gt, lt, end
    }

    private static func lex(_ s: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(s)
        var i = 0
        func isSpecial(_ c: Character) -> Bool { "!=,()<> \t\n".contains(c) }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "\t", "\n": i += 1
            case "!":
                if i + 1 < chars.count && chars[i + 1] == "=" {
                    tokens.append(.notEq)
                    i += 2
                } else {
                    tokens.append(.not)
                    i += 1
                }
            case "=":
                if i + 1 < chars.count && chars[i + 1] == "=" {
                    tokens.append(.doubleEq)
                    i += 2
                } else {
                    tokens.append(.eq)
                    i += 1
                }
            case "(":
                tokens.append(.open)
                i += 1
            case ")":
                tokens.append(.close)
                i += 1
            case ",":
                tokens.append(.comma)
                i += 1
            case ">":
                tokens.append(.gt)
                i += 1
            case "<":
                tokens.append(.lt)
                i += 1
            default:
                var j = i
                while j < chars.count && !isSpecial(chars[j]) { j += 1 }
                tokens.append(.ident(String(chars[i..<j])))
                i = j
            }
        }
        tokens.append(.end)
        return tokens
    }

    /// Parses a selector; errors are 400 BadRequest with the apimachinery wording.
    static func parse(_ s: String) throws -> LabelSelector {
        let tokens = try lex(s)
        var i = 0
        var reqs: [Requirement] = []
        func fail(_ detail: String) -> APIError {
            APIError.badRequest("unable to parse requirement: \(detail)")
        }
        if tokens == [.end] { return LabelSelector(requirements: []) }
        while true {
            var negate = false
            if tokens[i] == .not {
                negate = true
                i += 1
            }
            guard case .ident(let key) = tokens[i] else {
                throw fail("found '\(describe(tokens[i]))', expected: identifier")
            }
            try validateKey(key)
            i += 1
            if negate {
                reqs.append(Requirement(key: key, op: .doesNotExist, values: []))
            } else {
                switch tokens[i] {
                case .comma, .end:
                    reqs.append(Requirement(key: key, op: .exists, values: []))
                case .eq, .doubleEq, .notEq, .gt, .lt:
                    let opToken = tokens[i]
                    i += 1
                    var value = ""
                    if case .ident(let v) = tokens[i] {
                        value = v
                        i += 1
                    } else if tokens[i] != .comma && tokens[i] != .end {
                        throw fail("found '\(describe(tokens[i]))', expected: identifier")
                    }
                    let op: Op
                    switch opToken {
                    case .notEq: op = .notEquals
                    case .gt: op = .greaterThan
                    case .lt: op = .lessThan
                    default: op = .equals
                    }
                    if op == .greaterThan || op == .lessThan {
                        guard Int64(value) != nil else {
                            throw fail("for 'Gt', 'Lt' operators, the value must be an integer")
                        }
                    } else {
                        try validateValue(value, key: key)
                    }
                    reqs.append(Requirement(key: key, op: op, values: [value]))
                case .ident(let word) where word == "in" || word == "notin":
                    i += 1
                    guard tokens[i] == .open else {
                        throw fail("found '\(describe(tokens[i]))', expected: '('")
                    }
                    i += 1
                    var values: [String] = []
                    while true {
                        if case .ident(let v) = tokens[i] {
                            try validateValue(v, key: key)
                            values.append(v)
                            i += 1
                        } else if tokens[i] == .comma || tokens[i] == .close {
                            values.append("")
                        } else {
                            throw fail("found '\(describe(tokens[i]))', expected: ',', ')' or identifier")
                        }
                        if tokens[i] == .comma {
                            i += 1
                            continue
                        }
                        if tokens[i] == .close {
                            i += 1
                            break
                        }
                        throw fail("found '\(describe(tokens[i]))', expected: ',' or ')'")
                    }
                    reqs.append(Requirement(key: key, op: word == "in" ? .in : .notIn, values: values))
                default:
                    throw fail("found '\(describe(tokens[i]))', expected: in, notin, =, ==, !=, gt, lt")
                }
            }
            if tokens[i] == .end { break }
            guard tokens[i] == .comma else {
                throw fail("found '\(describe(tokens[i]))', expected: ','")
            }
            i += 1
        }
        return LabelSelector(requirements: reqs)
    }

    private static func describe(_ t: Token) -> String {
        switch t {
        case .ident(let s): return s
        case .not: return "!"
        case .eq: return "="
        case .doubleEq: return "=="
        case .notEq: return "!="
        case .open: return "("
        case .close: return ")"
        case .comma: return ","
        case .gt: return ">"
        case .lt: return "<"
        case .end: return ""
        }
    }

    /// Label keys are qualified names: optional DNS-subdomain prefix and '/', then a name of ≤63 characters.
    static func validateKey(_ key: String) throws {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let name = parts.last.map(String.init) ?? ""
        var ok = parts.count <= 2 && isQualifiedNamePart(name)
        if parts.count == 2 {
            ok =
                ok && !parts[0].isEmpty && parts[0].count <= 253
                && parts[0].allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }
        }
        if !ok {
            throw APIError.badRequest(
                "unable to parse requirement: key: Invalid value: \"\(key)\": \(NameValidation.qualifiedNamePartMessage)")
        }
    }

    static func validateValue(_ value: String, key: String) throws {
        if value.isEmpty { return }
        if !isQualifiedNamePart(value) {
            throw APIError.badRequest(
                "unable to parse requirement: values[0][\(key)]: Invalid value: \"\(value)\": a valid label must "
                    + "be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
                    + "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
                    + "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
        }
    }

    private static func isQualifiedNamePart(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63, let f = s.first, let l = s.last else { return false }
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        return alnum(f) && alnum(l) && s.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    /// Renders a metav1.LabelSelector object as selector text (metav1.FormatLabelSelector), nil if invalid.
    static func format(_ selector: JSONValue?) -> String? {
        guard let selector, let o = selector.objectValue else { return nil }
        var parts: [String] = []
        if let ml = o["matchLabels"]?.objectValue {
            for (k, v) in ml.sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(v.stringValue ?? "")") }
        }
        for expr in o["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expr["key"]?.stringValue, let op = expr["operator"]?.stringValue else { return nil }
            let values = (expr["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
            switch op {
            case "In": parts.append("\(key) in (\(values.joined(separator: ",")))")
            case "NotIn": parts.append("\(key) notin (\(values.joined(separator: ",")))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: return nil
            }
        }
        return parts.joined(separator: ",")
    }

    /// Converts a metav1.LabelSelector object; an empty selector matches everything, nil selector matches nothing.
    static func fromObject(_ selector: JSONValue?) -> LabelSelector? {
        guard let text = format(selector) else { return nil }
        return try? parse(text)
    }
}

/// A parsed field selector: `field=value`, `field==value`, `field!=value`, comma = AND.
struct FieldSelector: Sendable {
    struct Term: Sendable {
        var field: String
        var path: [String]
        var negate: Bool
        var value: String
    }
    var terms: [Term]

    static let booleanFields: Set<String> = ["spec.unschedulable", "spec.hostNetwork"]

    /// Parses against the fields `info` supports; unknown fields are 400 `field label not supported: X`.
    static func parse(_ s: String, info: ResourceInfo) throws -> FieldSelector {
        var terms: [Term] = []
        for raw in splitTerms(s) {
            let part = raw.trimmingSpaces()
            if part.isEmpty { continue }
            var field: String
            var value: String
            var negate = false
            if let r = part.firstRange(of: "!=") {
                field = String(part[..<r.lowerBound])
                value = String(part[r.upperBound...])
                negate = true
            } else if let r = part.firstRange(of: "==") {
                field = String(part[..<r.lowerBound])
                value = String(part[r.upperBound...])
            } else if let r = part.firstRange(of: "=") {
                field = String(part[..<r.lowerBound])
                value = String(part[r.upperBound...])
            } else {
                throw APIError.badRequest("invalid selector: '\(s)'; can't understand '\(part)'")
            }
            field = field.trimmingSpaces()
            value = value.trimmingSpaces().replacing("\\,", with: ",").replacing("\\=", with: "=")
                .replacing("\\\\", with: "\\")
            guard let path = fieldPath(field, info: info) else {
                throw APIError.badRequest("field label not supported: \(field)")
            }
            terms.append(Term(field: field, path: path, negate: negate, value: value))
        }
        return FieldSelector(terms: terms)
    }

    private static func splitTerms(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var escaped = false
        for c in s {
            if escaped {
                current.append("\\")
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out
    }

    static func fieldPath(_ field: String, info: ResourceInfo) -> [String]? {
        switch field {
        case "metadata.name": return ["metadata", "name"]
        case "metadata.namespace": return ["metadata", "namespace"]
        default:
            if let p = info.fieldLabels[field] { return p }
            if let custom = info.custom, custom.selectableFields.contains(field) {
                return field.split(separator: ".").map(String.init)
            }
            return nil
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        for t in terms {
            let have = Self.fieldValue(object, path: t.path, field: t.field)
            if (have == t.value) == t.negate { return false }
        }
        return true
    }

    static func fieldValue(_ object: JSONValue, path: [String], field: String) -> String {
        switch object[path: path] {
        case .string(let s): return s
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        default: return booleanFields.contains(field) ? "false" : ""
        }
    }

    var isEmpty: Bool { terms.isEmpty }
}

/// Which objects a list or watch wants: a namespace, a label selector and a field selector.
struct ObjectFilter: Sendable {
    var namespace: String?
    var labels: LabelSelector?
    var fields: FieldSelector?

    var hasSelectors: Bool { !(labels?.isEmpty ?? true) || !(fields?.isEmpty ?? true) }

    func matches(_ object: StoredObject) -> Bool {
        if let namespace, !namespace.isEmpty, object.namespace != namespace { return false }
        return matchesSelectors(object.value)
    }

    func matchesSelectors(_ value: JSONValue) -> Bool {
        if let labels, !labels.isEmpty, !labels.matches(value.metaLabels) { return false }
        if let fields, !fields.isEmpty, !fields.matches(value) { return false }
        return true
    }

    /// Reads `labelSelector` and `fieldSelector` from a query.
    static func from(_ query: QueryParameters, info: ResourceInfo, namespace: String?) throws -> ObjectFilter {
        var f = ObjectFilter(namespace: namespace)
        if let s = query["labelSelector"], !s.isEmpty { f.labels = try LabelSelector.parse(s) }
        if let s = query["fieldSelector"], !s.isEmpty { f.fields = try FieldSelector.parse(s, info: info) }
        return f
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
