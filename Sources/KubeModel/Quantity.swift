/// A fixed-point amount of a resource, as Kubernetes `resource.Quantity`: `100m`, `1.5Gi`, `2e3`, `64Mi`.
///
/// The amount is kept exactly as a count of nano-units (10⁻⁹) in an `Int128`, so comparisons and sums are
/// exact; finer input fractions are rounded up to the next nano-unit, as Kubernetes does. Equality compares
/// amounts only (`1Gi == 1024Mi`, `0.5 == 500m`); the format (binary, decimal or exponent), taken from the
/// parsed suffix, only decides how the amount is printed. Printing is canonical, as the API server returns
/// it: `1.5Gi` prints as `1536Mi`, `0.5` as `500m`, `2000` as `2k`.
///
/// Beware: as for any `ExpressibleByStringLiteral` type, `Quantity("1Gi")` written with a *literal* is literal
/// coercion (non-optional, trapping on a bad literal); with a `String` variable it is the failable parser.
public struct Quantity: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByIntegerLiteral
{
    /// How a quantity is printed.
    public enum Format: String, Hashable, Sendable {
        /// Powers of 1024: `Ki`, `Mi`, `Gi`, …
        case binarySI = "BinarySI"
        /// Powers of 1000: `m`, `k`, `M`, `G`, …
        case decimalSI = "DecimalSI"
        /// Decimal exponents: `1e3`, `5e-3`.
        case decimalExponent = "DecimalExponent"
    }

    /// The amount in nano-units (10⁻⁹ of the unit).
    public private(set) var nanos: Int128
    /// How the amount is printed.
    public var format: Format

    static let nanosPerUnit: Int128 = 1_000_000_000

    /// A quantity of `nanos` nano-units.
    public init(nanos: Int128, format: Format = .decimalSI) {
        self.nanos = nanos
        self.format = format
    }

    /// A whole number of units.
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(value) * Self.nanosPerUnit, format: format)
    }

    /// A number of milli-units (`Quantity(milli: 250)` is `250m`).
    public init(milli: Int64) {
        self.init(nanos: Int128(milli) * 1_000_000, format: .decimalSI)
    }

    /// Parses a quantity string; nil when it is not one (empty, bad suffix, no digits, out of range).
    public init?(_ string: String) {
        guard let parsed = QuantityParser.parse(string) else { return nil }
        self.init(nanos: parsed.nanos, format: parsed.format)
    }

    /// Parses a quantity string, throwing `QuantityError` when it is not one.
    public init(parsing string: String) throws(QuantityError) {
        guard let parsed = Quantity(string) else { throw QuantityError.invalid(string) }
        self = parsed
    }

    /// A literal quantity; traps when the literal is not a valid quantity.
    public init(stringLiteral value: String) {
        guard let parsed = Quantity(value) else { preconditionFailure("invalid quantity literal \"\(value)\"") }
        self = parsed
    }

    /// A literal whole number of units.
    public init(integerLiteral value: Int64) { self.init(value) }

    /// Zero.
    public static let zero = Quantity(nanos: 0)

    /// Whether the amount is zero.
    public var isZero: Bool { nanos == 0 }

    /// The amount in whole units, rounded up (away from zero), clamped to `Int64`; as Go's `Value()`.
    public var value: Int64 { Self.scaled(nanos, by: Self.nanosPerUnit) }

    /// The amount in milli-units, rounded up (away from zero), clamped to `Int64`; as Go's `MilliValue()`.
    public var milliValue: Int64 { Self.scaled(nanos, by: 1_000_000) }

    /// The amount as a floating-point number of units (approximate).
    ///
    /// Converted from the two 64-bit halves: the generic `Double(Int128)` conversion is far slower, and
    /// placement scores convert thousands of quantities per candidate.
    public var doubleValue: Double {
        if let small = Int64(exactly: nanos) { return Double(small) / 1e9 }
        let high = Int64(truncatingIfNeeded: nanos >> 64)
        let low = UInt64(truncatingIfNeeded: nanos)
        return (Double(high) * 18_446_744_073_709_551_616.0 + Double(low)) / 1e9
    }

    private static func scaled(_ nanos: Int128, by divisor: Int128) -> Int64 {
        var (q, r) = nanos.quotientAndRemainder(dividingBy: divisor)
        if r > 0 { q += 1 } else if r < 0 { q -= 1 }
        if q > Int128(Int64.max) { return .max }
        if q < Int128(Int64.min) { return .min }
        return Int64(q)
    }

    // MARK: Arithmetic

    /// The sum, or nil on overflow. The result prints in `self`'s format (`other`'s when `self` is zero).
    public func adding(_ other: Quantity) -> Quantity? {
        let (sum, overflow) = nanos.addingReportingOverflow(other.nanos)
        if overflow { return nil }
        return Quantity(nanos: sum, format: nanos == 0 ? other.format : format)
    }

    /// The difference, or nil on overflow.
    public func subtracting(_ other: Quantity) -> Quantity? {
        let (difference, overflow) = nanos.subtractingReportingOverflow(other.nanos)
        if overflow { return nil }
        return Quantity(nanos: difference, format: nanos == 0 ? other.format : format)
    }

    /// The amount times a whole number, or nil on overflow.
    public func multiplied(by factor: Int) -> Quantity? {
        let (product, overflow) = nanos.multipliedReportingOverflow(by: Int128(factor))
        if overflow { return nil }
        return Quantity(nanos: product, format: format)
    }

    /// The sum; traps on overflow (beyond ±1.7e29 units).
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        guard let sum = lhs.adding(rhs) else { preconditionFailure("Quantity overflow: \(lhs) + \(rhs)") }
        return sum
    }

    /// The difference; traps on overflow.
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        guard let difference = lhs.subtracting(rhs) else { preconditionFailure("Quantity overflow: \(lhs) - \(rhs)") }
        return difference
    }

    /// Adds in place; traps on overflow.
    public static func += (lhs: inout Quantity, rhs: Quantity) { lhs = lhs + rhs }

    /// Subtracts in place; traps on overflow.
    public static func -= (lhs: inout Quantity, rhs: Quantity) { lhs = lhs - rhs }

    /// The negated amount.
    public static prefix func - (operand: Quantity) -> Quantity {
        Quantity(nanos: -operand.nanos, format: operand.format)
    }

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanos == rhs.nanos }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanos < rhs.nanos }

    public func hash(into hasher: inout Hasher) { hasher.combine(nanos) }

    // MARK: Formatting

    /// The canonical string, as the API server prints it.
    public var description: String {
        if nanos == 0 { return "0" }
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        let perUnit = UInt128(Self.nanosPerUnit)
        var format = self.format
        if format == .binarySI && (magnitude < 1024 * perUnit || magnitude % perUnit != 0) {
            // Small or fractional amounts print in decimal, so nothing is rounded.
            format = .decimalSI
        }
        if format == .binarySI {
            var units = magnitude / perUnit
            var exponent = 0
            while exponent < 6 && units % 1024 == 0 {
                units /= 1024
                exponent += 1
            }
            return sign + String(units) + ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][exponent]
        }
        var mantissa = magnitude
        var exponent = -9
        while mantissa % 1000 == 0 {
            mantissa /= 1000
            exponent += 3
        }
        if format == .decimalSI, let suffix = QuantityParser.decimalSuffix(exponent: exponent) {
            return sign + String(mantissa) + suffix
        }
        return sign + String(mantissa) + (exponent == 0 ? "" : "e\(exponent)")
    }

    // MARK: Codable

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text: String
        if let string = try? c.decode(String.self) {
            text = string.trimmingASCIIWhitespace()
        } else if let integer = try? c.decode(Int64.self) {
            self.init(integer)
            return
        } else {
            text = String(try c.decode(Double.self))
        }
        guard let parsed = Quantity(text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid quantity \"\(text)\"")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A quantity string that could not be parsed.
public enum QuantityError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The string is not a valid quantity.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let s): return "invalid quantity \"\(s)\""
        }
    }
}

/// Parsing of `<sign>?<digits>(.<digits>)?<suffix>` quantity strings.
enum QuantityParser {
    static func decimalSuffix(exponent: Int) -> String? {
        switch exponent {
        case -9: return "n"
        case -6: return "u"
        case -3: return "m"
        case 0: return ""
        case 3: return "k"
        case 6: return "M"
        case 9: return "G"
        case 12: return "T"
        case 15: return "P"
        case 18: return "E"
        default: return nil
        }
    }

    /// (base, exponent, format) of a suffix.
    static func interpret(suffix: Substring) -> (base: Int, exponent: Int, format: Quantity.Format)? {
        switch suffix {
        case "": return (10, 0, .decimalSI)
        case "n": return (10, -9, .decimalSI)
        case "u": return (10, -6, .decimalSI)
        case "m": return (10, -3, .decimalSI)
        case "k": return (10, 3, .decimalSI)
        case "M": return (10, 6, .decimalSI)
        case "G": return (10, 9, .decimalSI)
        case "T": return (10, 12, .decimalSI)
        case "P": return (10, 15, .decimalSI)
        case "E": return (10, 18, .decimalSI)
        case "Ki": return (2, 10, .binarySI)
        case "Mi": return (2, 20, .binarySI)
        case "Gi": return (2, 30, .binarySI)
        case "Ti": return (2, 40, .binarySI)
        case "Pi": return (2, 50, .binarySI)
        case "Ei": return (2, 60, .binarySI)
        default:
            guard suffix.count > 1, suffix.first == "e" || suffix.first == "E" else { return nil }
            var digits = suffix.dropFirst()
            var negative = false
            if digits.first == "+" || digits.first == "-" {
                negative = digits.first == "-"
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let magnitude = Int(digits)
            else { return nil }
            return (10, negative ? -magnitude : magnitude, .decimalExponent)
        }
    }

    static func parse(_ string: String) -> (nanos: Int128, format: Quantity.Format)? {
        let s = Substring(string)
        var index = s.startIndex
        var negative = false
        if index < s.endIndex, s[index] == "+" || s[index] == "-" {
            negative = s[index] == "-"
            index = s.index(after: index)
        }
        var mantissa: Int128 = 0
        var digitCount = 0
        var fractionDigits: [Int128] = []
        var overflow = false
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        while index < s.endIndex, isDigit(s[index]) {
            let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(Int128(s[index].asciiValue! - 48))
            mantissa = m2
            overflow = overflow || o1 || o2
            digitCount += 1
            index = s.index(after: index)
        }
        if index < s.endIndex, s[index] == "." {
            index = s.index(after: index)
            while index < s.endIndex, isDigit(s[index]) {
                fractionDigits.append(Int128(s[index].asciiValue! - 48))
                digitCount += 1
                index = s.index(after: index)
            }
        }
        guard digitCount > 0, !overflow, let unit = interpret(suffix: s[index...]) else { return nil }
        // Drop trailing zeros of the fraction; fold the rest into the mantissa.
        while fractionDigits.last == 0 { fractionDigits.removeLast() }
        for digit in fractionDigits {
            let (m1, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            mantissa = m2
        }
        // amount = mantissa × 10^-fraction × base^exponent; nanos = amount × 10^9, rounded up.
        var numerator = mantissa
        var decimalExponent = 9 - fractionDigits.count
        if unit.base == 2 {
            let (shifted, o) = numerator.multipliedReportingOverflow(by: Int128(1) << unit.exponent)
            guard !o else { return nil }
            numerator = shifted
        } else {
            decimalExponent += unit.exponent
        }
        var nanos: Int128
        if decimalExponent >= 0 {
            guard let factor = pow10(decimalExponent) else { return numerator == 0 ? (0, unit.format) : nil }
            let (product, o) = numerator.multipliedReportingOverflow(by: factor)
            guard !o else { return nil }
            nanos = product
        } else if let divisor = pow10(-decimalExponent) {
            let (q, r) = numerator.quotientAndRemainder(dividingBy: divisor)
            nanos = r == 0 ? q : q + 1
        } else {
            nanos = numerator == 0 ? 0 : 1
        }
        return (negative ? -nanos : nanos, unit.format)
    }

    /// 10^n when it fits in an Int128.
    static func pow10(_ n: Int) -> Int128? {
        guard n <= 38 else { return nil }
        var result: Int128 = 1
        for _ in 0..<n { result *= 10 }
        return result
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
