/// A string-valued enumeration that keeps values it does not know (Kubernetes adds new phases, reasons and
/// condition types over time; a decoder must not fail on them).
///
/// Conforming types are structs with a `rawValue` and static constants for the known values; they encode as
/// the bare JSON string and can be written as string literals.
public protocol OpenEnum: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible where RawValue == String
{
    /// Wraps any string, known or not.
    init(rawValue: String)
}

extension OpenEnum {
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public var description: String { rawValue }
}

/// The status of a condition: `True`, `False` or `Unknown`.
public struct ConditionStatus: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The condition holds.
    public static let `true`: ConditionStatus = "True"
    /// The condition does not hold.
    public static let `false`: ConditionStatus = "False"
    /// It cannot be told whether the condition holds.
    public static let unknown: ConditionStatus = "Unknown"
}
