public import KubeModel
public import MigrationAPI

/// A set of recurring windows (cron start plus duration), open when any window is; an empty set is always
/// open. Windows whose schedule cannot be parsed never open and are listed in ``invalidSchedules``.
public struct ScheduleWindows: Sendable {
    private let windows: [(schedule: CronSchedule, duration: Int64)]
    /// The expressions that could not be parsed.
    public let invalidSchedules: [String]
    /// Whether no window was configured at all (always open).
    public let isUnrestricted: Bool

    /// The windows of `windows` (nil or empty: unrestricted).
    public init(_ windows: [ScheduleWindow]?) {
        var parsed: [(CronSchedule, Int64)] = []
        var invalid: [String] = []
        for window in windows ?? [] {
            do {
                parsed.append((try CronSchedule(parsing: window.schedule), max(0, window.durationSeconds)))
            } catch {
                invalid.append(window.schedule)
            }
        }
        self.windows = parsed
        self.invalidSchedules = invalid
        self.isUnrestricted = (windows ?? []).isEmpty
    }

    /// Whether a window is open at `time`: some window started at most its duration before.
    public func isOpen(at time: Time) -> Bool {
        if isUnrestricted { return true }
        return windows.contains { window in
            guard window.duration > 0,
                let start = window.schedule.lastFiring(atOrBefore: time, horizonSeconds: window.duration)
            else { return false }
            return time.secondsSinceEpoch < start.secondsSinceEpoch + window.duration
        }
    }

    /// When the next window opens after `time` (within a year); nil when unrestricted or never.
    public func nextOpening(after time: Time) -> Time? {
        if isUnrestricted { return nil }
        return windows.compactMap { $0.duration > 0 ? $0.schedule.nextFiring(after: time) : nil }.min()
    }
}
