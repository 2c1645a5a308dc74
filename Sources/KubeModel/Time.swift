#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A point in time with seconds precision, as Kubernetes `metav1.Time` (JSON: `"2006-01-02T15:04:05Z"`).
///
/// Stored as whole seconds since the Unix epoch (fractions are dropped, as they are on the wire), so a value
/// survives encoding unchanged. Parsing accepts any RFC 3339 form: fractional seconds and `±hh:mm` offsets.
public struct Time: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64

    /// A time from whole seconds since the epoch.
    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    /// A time from (possibly fractional) seconds since the epoch; the fraction is dropped (rounded down).
    public init(epochSeconds: Double) { self.secondsSinceEpoch = Int64(epochSeconds.rounded(.down)) }

    /// A time from a Foundation `Date`, truncated to the second.
    public init(_ date: Date) { self.init(epochSeconds: date.timeIntervalSince1970) }

    /// Parses an RFC 3339 timestamp; nil when it is not one.
    public init?(rfc3339 string: String) {
        guard let parsed = RFC3339.parse(string) else { return nil }
        self.secondsSinceEpoch = parsed.seconds
    }

    /// The current time, truncated to the second.
    public static func now() -> Time { Time(Date()) }

    /// The time as seconds since the epoch.
    public var epochSeconds: Double { Double(secondsSinceEpoch) }

    /// The time as a Foundation `Date`.
    public var date: Date { Date(timeIntervalSince1970: epochSeconds) }

    /// The wire form, `2006-01-02T15:04:05Z`.
    public var rfc3339String: String { RFC3339.format(seconds: secondsSinceEpoch, micros: nil) }

    public var description: String { rfc3339String }

    /// This time moved by a number of seconds.
    public func adding(seconds: Int64) -> Time { Time(secondsSinceEpoch: secondsSinceEpoch + seconds) }

    public static func < (lhs: Time, rhs: Time) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let string = try c.decode(String.self)
        guard let time = Time(rfc3339: string) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an RFC 3339 time: \(string)")
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339String)
    }
}

/// A point in time with microsecond precision, as Kubernetes `metav1.MicroTime`
/// (JSON: `"2006-01-02T15:04:05.000000Z"`), used by leases and events.
///
/// Stored as whole microseconds since the Unix epoch; finer input digits are dropped.
public struct MicroTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microsecondsSinceEpoch: Int64

    /// A time from whole microseconds since the epoch.
    public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }

    /// A time from (possibly fractional) seconds since the epoch, rounded to the nearest microsecond.
    public init(epochSeconds: Double) {
        self.microsecondsSinceEpoch = Int64((epochSeconds * 1_000_000).rounded())
    }

    /// A time from a Foundation `Date`.
    public init(_ date: Date) { self.init(epochSeconds: date.timeIntervalSince1970) }

    /// A `Time` widened to microsecond precision.
    public init(_ time: Time) { self.microsecondsSinceEpoch = time.secondsSinceEpoch * 1_000_000 }

    /// Parses an RFC 3339 timestamp; nil when it is not one.
    public init?(rfc3339 string: String) {
        guard let parsed = RFC3339.parse(string) else { return nil }
        self.microsecondsSinceEpoch = parsed.seconds * 1_000_000 + Int64(parsed.nanos / 1000)
    }

    /// The current time, to the microsecond.
    public static func now() -> MicroTime { MicroTime(Date()) }

    /// The time as seconds since the epoch.
    public var epochSeconds: Double { Double(microsecondsSinceEpoch) / 1_000_000 }

    /// The time as a Foundation `Date`.
    public var date: Date { Date(timeIntervalSince1970: epochSeconds) }

    /// The time truncated to the second.
    public var time: Time {
        let (q, r) = microsecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000)
        return Time(secondsSinceEpoch: r < 0 ? q - 1 : q)
    }

    /// The wire form, `2006-01-02T15:04:05.000000Z`.
    public var rfc3339String: String {
        var (q, r) = microsecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000)
        if r < 0 {
            q -= 1
            r += 1_000_000
        }
        return RFC3339.format(seconds: q, micros: Int(r))
    }

    public var description: String { rfc3339String }

    /// This time moved by a (possibly fractional) number of seconds.
    public func adding(seconds: Double) -> MicroTime {
        MicroTime(microsecondsSinceEpoch: microsecondsSinceEpoch + Int64((seconds * 1_000_000).rounded()))
    }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let string = try c.decode(String.self)
        guard let time = MicroTime(rfc3339: string) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an RFC 3339 time: \(string)")
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339String)
    }
}

/// Hand-written RFC 3339 parsing and formatting in UTC (no DateFormatter, no locale).
enum RFC3339 {
    /// Parses `YYYY-MM-DD(T|t| )hh:mm:ss(.fraction)?(Z|z|±hh:mm)`; returns UTC epoch seconds and nanoseconds.
    static func parse(_ string: String) -> (seconds: Int64, nanos: Int)? {
        var copy = string
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable { parse(bytes: $0) } ?? nil
    }

    private static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, nanos: Int)? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for _ in 0..<count {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
                i += 1
            }
            return value
        }
        func expect(_ chars: UInt8...) -> Bool {
            guard i < b.count, chars.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
            expect(0x54, 0x74, 0x20),  // T t space
            let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A), let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var nanos = 0
        if i < b.count, b[i] == 0x2E {  // .
            i += 1
            var count = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if count < 9 { nanos = nanos * 10 + Int(b[i] - 48) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanos *= 10 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        switch b[i] {
        case 0x5A, 0x7A:  // Z z
            i += 1
        case 0x2B, 0x2D:  // + -
            let sign = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(0x3A), let om = digits(2), oh <= 23, om <= 59 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return (seconds, nanos)
    }

    /// Formats UTC seconds (and optionally six fractional digits) as `YYYY-MM-DDThh:mm:ss[.ffffff]Z`.
    static func format(seconds: Int64, micros: Int?) -> String {
        var (days, secs) = seconds.quotientAndRemainder(dividingBy: 86400)
        if secs < 0 {
            days -= 1
            secs += 86400
        }
        let (y, m, d) = civilFromDays(days)
        var out: [UInt8] = []
        out.reserveCapacity(27)
        func put(_ value: Int, _ width: Int) {
            var v = value
            var tmp = [UInt8](repeating: 48, count: width)
            var k = width - 1
            while k >= 0 {
                tmp[k] = UInt8(48 + v % 10)
                v /= 10
                k -= 1
            }
            out.append(contentsOf: tmp)
        }
        if y < 0 {
            out.append(0x2D)
            put(Int(-y), 4)
        } else {
            put(Int(y), 4)
        }
        out.append(0x2D)
        put(m, 2)
        out.append(0x2D)
        put(d, 2)
        out.append(0x54)
        put(Int(secs / 3600), 2)
        out.append(0x3A)
        put(Int(secs / 60 % 60), 2)
        out.append(0x3A)
        put(Int(secs % 60), 2)
        if let micros {
            out.append(0x2E)
            put(micros, 6)
        }
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
