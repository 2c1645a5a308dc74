/// A value that is either an integer or a string, as Kubernetes `intstr.IntOrString` (ports such as `8080` or
/// `"http"`, budgets such as `1` or `"25%"`). Codable either way.
public enum IntOrString: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    /// An integer.
    case int(Int)
    /// A string (a port name, or a percentage like `25%`).
    case string(String)

    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    /// The integer, when this is one.
    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .string(let s): return s
        }
    }

    /// Resolves an integer or a percentage of `total` (`intstr.GetScaledValueFromIntOrPercent`): `.int(n)` is
    /// `n`; `"25%"` is 25% of `total`, rounded up or down. Nil for any other string.
    public func scaledValue(total: Int, roundUp: Bool) -> Int? {
        switch self {
        case .int(let i): return i
        case .string(let s):
            guard s.hasSuffix("%"), let percent = Int(s.dropLast()) else { return nil }
            let product = percent * total
            if roundUp {
                return product >= 0 ? (product + 99) / 100 : product / 100
            }
            return product >= 0 ? product / 100 : (product - 99) / 100
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }
}
