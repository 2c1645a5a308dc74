import KubeModel
@testable import PolicyEngine
import MigrationAPI
import Testing

@Suite("CronSchedule and ScheduleWindows")
struct CronScheduleTests {
    static func t(_ text: String) -> Time { Time(rfc3339: text)! }

    struct MatchCase: Sendable, CustomTestStringConvertible {
        var expression: String
        var time: String
        var matches: Bool
        var testDescription: String { "\(expression) at \(time) → \(matches)" }
    }

    // 2026-11-20 is a Friday.
    static let matchCases: [MatchCase] = [
        MatchCase(expression: "* * * * *", time: "2026-11-20T12:34:56Z", matches: true),
        MatchCase(expression: "30 2 * * *", time: "2026-11-20T02:30:00Z", matches: true),
        MatchCase(expression: "30 2 * * *", time: "2026-11-20T02:31:00Z", matches: false),
        MatchCase(expression: "*/15 * * * *", time: "2026-11-20T10:45:00Z", matches: true),
        MatchCase(expression: "*/15 * * * *", time: "2026-11-20T10:50:00Z", matches: false),
        MatchCase(expression: "0 22-23 * * *", time: "2026-11-20T23:00:00Z", matches: true),
        MatchCase(expression: "0 9 * * mon-fri", time: "2026-11-20T09:00:00Z", matches: true),
        MatchCase(expression: "0 9 * * MON-THU", time: "2026-11-20T09:00:00Z", matches: false),
        MatchCase(expression: "0 0 * * 0", time: "2026-11-22T00:00:00Z", matches: true),
        MatchCase(expression: "0 0 * * 7", time: "2026-11-22T00:00:00Z", matches: true),
        MatchCase(expression: "0 0 1 * *", time: "2026-12-01T00:00:00Z", matches: true),
        MatchCase(expression: "0 0 1 jan *", time: "2026-12-01T00:00:00Z", matches: false),
        MatchCase(expression: "0 0 29 2 *", time: "2028-02-29T00:00:00Z", matches: true),
        MatchCase(expression: "0 0 13 * 5", time: "2026-11-20T00:00:00Z", matches: true),  // Friday, either day field
        MatchCase(expression: "0 0 13 * 5", time: "2026-11-13T00:00:00Z", matches: true),
        MatchCase(expression: "0 0 13 * 5", time: "2026-11-19T00:00:00Z", matches: false),
        MatchCase(expression: "@daily", time: "2026-11-20T00:00:00Z", matches: true),
        MatchCase(expression: "@hourly", time: "2026-11-20T07:00:00Z", matches: true),
        MatchCase(expression: "@weekly", time: "2026-11-20T00:00:00Z", matches: false),
        MatchCase(expression: "5,10,20-22 * * * *", time: "2026-11-20T07:21:00Z", matches: true),
        MatchCase(expression: "0 1 * * *", time: "1969-12-31T01:00:00Z", matches: true),
    ]

    @Test("fields, ranges, steps, names and macros match as cron does", arguments: matchCases)
    func matching(_ c: MatchCase) throws {
        #expect(try CronSchedule(parsing: c.expression).matches(Self.t(c.time)) == c.matches)
    }

    @Test("malformed expressions are rejected", arguments: ["", "* * * *", "60 * * * *", "* 24 * * *", "a * * * *", "*/0 * * * *", "5-1 * * * *", "* * 0 * *"])
    func rejects(_ expression: String) {
        #expect(throws: CronParseError.self) { try CronSchedule(parsing: expression) }
    }

    @Test("next and last firings skip whole days and hours")
    func firings() throws {
        let nightly = try CronSchedule(parsing: "0 2 * * *")
        #expect(nightly.nextFiring(after: Self.t("2026-11-20T12:00:00Z")) == Self.t("2026-11-21T02:00:00Z"))
        #expect(nightly.nextFiring(after: Self.t("2026-11-21T02:00:00Z")) == Self.t("2026-11-22T02:00:00Z"))
        #expect(nightly.lastFiring(atOrBefore: Self.t("2026-11-20T12:00:00Z"), horizonSeconds: 86_400) == Self.t("2026-11-20T02:00:00Z"))
        #expect(nightly.lastFiring(atOrBefore: Self.t("2026-11-20T12:00:00Z"), horizonSeconds: 3_600) == nil)
        let sundays = try CronSchedule(parsing: "30 3 * * sun")
        #expect(sundays.nextFiring(after: Self.t("2026-11-20T12:00:00Z")) == Self.t("2026-11-22T03:30:00Z"))
    }

    struct WindowCase: Sendable, CustomTestStringConvertible {
        var name: String
        var windows: [ScheduleWindow]?
        var time: String
        var open: Bool
        var testDescription: String { name }
    }

    static let windowCases: [WindowCase] = [
        WindowCase(name: "no windows: always open", windows: nil, time: "2026-11-20T12:00:00Z", open: true),
        WindowCase(name: "inside a 2 h nightly window", windows: [ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 7200)],
                   time: "2026-11-20T03:59:59Z", open: true),
        WindowCase(name: "just after it closes", windows: [ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 7200)],
                   time: "2026-11-20T04:00:00Z", open: false),
        WindowCase(name: "window spanning midnight", windows: [ScheduleWindow(schedule: "0 23 * * *", durationSeconds: 10800)],
                   time: "2026-11-21T01:30:00Z", open: true),
        WindowCase(name: "second of two windows", windows: [
            ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 3600), ScheduleWindow(schedule: "0 12 * * *", durationSeconds: 600),
        ], time: "2026-11-20T12:05:00Z", open: true),
        WindowCase(name: "invalid schedule never opens", windows: [ScheduleWindow(schedule: "bogus", durationSeconds: 3600)],
                   time: "2026-11-20T12:00:00Z", open: false),
    ]

    @Test("a window is open from each firing for its duration", arguments: windowCases)
    func windows(_ c: WindowCase) {
        #expect(ScheduleWindows(c.windows).isOpen(at: Self.t(c.time)) == c.open)
    }

    @Test("the next opening is the earliest firing of any window")
    func nextOpening() {
        let windows = ScheduleWindows([
            ScheduleWindow(schedule: "0 2 * * *", durationSeconds: 3600), ScheduleWindow(schedule: "0 20 * * *", durationSeconds: 60),
        ])
        #expect(windows.nextOpening(after: Self.t("2026-11-20T12:00:00Z")) == Self.t("2026-11-20T20:00:00Z"))
        #expect(ScheduleWindows(nil).nextOpening(after: Self.t("2026-11-20T12:00:00Z")) == nil)
        #expect(ScheduleWindows([ScheduleWindow(schedule: "nope", durationSeconds: 1)]).invalidSchedules == ["nope"])
    }
}
