public import KubeModel

/// Why a cron expression could not be parsed.
public struct CronParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The expression.
    public var expression: String
    /// What is wrong with it.
    public var problem: String

    public var description: String { "invalid cron schedule \"\(expression)\": \(problem)" }
}

/// A five-field cron expression in UTC (`minute hour day-of-month month day-of-week`), as Kubernetes
/// CronJobs and Karpenter budgets write it: `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists,
/// month and weekday names, weekday 7 as Sunday, and the macros `@yearly`, `@annually`, `@monthly`,
/// `@weekly`, `@daily`, `@midnight` and `@hourly`. When both day fields are restricted, a day matches
/// either (Vixie cron).
public struct CronSchedule: Sendable, Hashable {
    /// The expression as written.
    public let expression: String
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    let daysOfWeek: UInt64
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    private static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses `expression`.
    public init(parsing expression: String) throws(CronParseError) {
        self.expression = expression
        let trimmed = expression.trimmingSpaces.lowercased()
        let expanded = Self.macros[trimmed] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronParseError(expression: expression, problem: "expected 5 fields, found \(fields.count)")
        }
        func field(_ index: Int, _ range: ClosedRange<Int>, names: [String] = [], nameBase: Int = 0) throws(CronParseError) -> UInt64 {
            do {
                return try Self.parseField(fields[index], range: range, names: names, nameBase: nameBase)
            } catch {
                throw CronParseError(expression: expression, problem: "field \(index + 1) \"\(fields[index])\": \(error.problem)")
            }
        }
        minutes = try field(0, 0...59)
        hours = try field(1, 0...23)
        daysOfMonth = try field(2, 1...31)
        months = try field(3, 1...12, names: Self.monthNames, nameBase: 1)
        var weekdays = try field(4, 0...7, names: Self.dayNames)
        if weekdays & (1 << 7) != 0 { weekdays |= 1 }  // 7 is Sunday too
        daysOfWeek = weekdays & 0x7f
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    /// Whether the schedule fires in the minute that contains `time`.
    public func matches(_ time: Time) -> Bool {
        let civil = CivilTime(time)
        return matchesDay(civil) && hours & (1 << civil.hour) != 0 && minutes & (1 << civil.minute) != 0
    }

    /// The first firing strictly after `time`, looking at most `horizonSeconds` ahead.
    public func nextFiring(after time: Time, horizonSeconds: Int64 = 366 * 86_400) -> Time? {
        var t = (time.secondsSinceEpoch / 60 + 1) * 60
        let limit = time.secondsSinceEpoch + horizonSeconds
        while t <= limit {
            let civil = CivilTime(Time(secondsSinceEpoch: t))
            if !matchesDay(civil) {
                t = (t / 86_400 + 1) * 86_400
            } else if hours & (1 << civil.hour) == 0 {
                t = (t / 3_600 + 1) * 3_600
            } else if minutes & (1 << civil.minute) == 0 {
                t += 60
            } else {
                return Time(secondsSinceEpoch: t)
            }
        }
        return nil
    }

    /// The last firing at or before `time`, looking at most `horizonSeconds` back.
    public func lastFiring(atOrBefore time: Time, horizonSeconds: Int64) -> Time? {
        var t = Self.floor(time.secondsSinceEpoch, 60)
        let limit = time.secondsSinceEpoch - horizonSeconds
        while t >= limit {
            let civil = CivilTime(Time(secondsSinceEpoch: t))
            if !matchesDay(civil) {
                t = Self.floor(t, 86_400) - 60
            } else if hours & (1 << civil.hour) == 0 {
                t = Self.floor(t, 3_600) - 60
            } else if minutes & (1 << civil.minute) == 0 {
                t -= 60
            } else {
                return Time(secondsSinceEpoch: t)
            }
        }
        return nil
    }

    private func matchesDay(_ civil: CivilTime) -> Bool {
        guard months & (1 << civil.month) != 0 else { return false }
        let dom = daysOfMonth & (1 << civil.day) != 0
        let dow = daysOfWeek & (1 << civil.weekday) != 0
        if dayOfMonthRestricted && dayOfWeekRestricted { return dom || dow }
        return dom && dow
    }

    private static func floor(_ value: Int64, _ unit: Int64) -> Int64 {
        let quotient = value / unit
        return (value % unit < 0 ? quotient - 1 : quotient) * unit
    }

    private struct FieldError: Error { var problem: String }

    private static func parseField(_ text: String, range: ClosedRange<Int>, names: [String], nameBase: Int) throws(FieldError) -> UInt64 {
        var bits: UInt64 = 0
        func value(_ token: Substring) throws(FieldError) -> Int {
            if let number = Int(token) {
                guard range.contains(number) else { throw FieldError(problem: "\(number) is outside \(range)") }
                return number
            }
            if let index = names.firstIndex(of: String(token)) { return index + nameBase }
            throw FieldError(problem: "\"\(token)\" is not a number")
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let rangeText = pieces.first, !rangeText.isEmpty else {
                throw FieldError(problem: "malformed \"\(part)\"")
            }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw FieldError(problem: "bad step in \"\(part)\"") }
                step = parsed
            }
            var low: Int
            var high: Int
            if rangeText == "*" || rangeText == "?" {
                low = range.lowerBound
                high = range.upperBound
            } else if let dash = rangeText.firstIndex(of: "-") {
                low = try value(rangeText[..<dash])
                high = try value(rangeText[rangeText.index(after: dash)...])
                guard low <= high else { throw FieldError(problem: "empty range \"\(rangeText)\"") }
            } else {
                low = try value(rangeText)
                high = pieces.count == 2 ? range.upperBound : low
            }
            for number in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(number) }
        }
        return bits
    }
}

/// A UTC calendar breakdown of a `Time`, without Foundation (days-from-civil, Howard Hinnant's algorithm).
struct CivilTime: Hashable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    /// 0 is Sunday.
    var weekday: Int

    init(_ time: Time) {
        let seconds = time.secondsSinceEpoch
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        hour = Int(rest / 3_600)
        minute = Int(rest % 3_600 / 60)
        weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
