import Foundation
import Logging

/// Where log lines go: standard error by default, or any sink (tests capture lines in memory).
public struct LogLineWriter: Sendable {
    /// Writes one complete line (with its newline).
    public let write: @Sendable (String) -> Void

    /// A writer calling `write` for each line.
    public init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }

    /// Standard error; each line is one `write(2)`, so lines from different threads never interleave.
    public static let standardError = LogLineWriter { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Whether standard error is a terminal (selects the text format in `LogFormat.automatic`).
    public static var standardErrorIsTerminal: Bool { isatty(FileHandle.standardError.fileDescriptor) != 0 }
}

/// Renders log metadata values the same way in both formats.
enum LogRendering {
    /// Merges handler metadata, provider metadata and the call's metadata (later wins).
    static func merged(
        _ handler: Logger.Metadata, _ provider: Logger.MetadataProvider?, _ call: Logger.Metadata?
    ) -> Logger.Metadata {
        var all = handler
        if let provided = provider?.get(), !provided.isEmpty { all.merge(provided) { _, new in new } }
        if let call, !call.isEmpty { all.merge(call) { _, new in new } }
        return all
    }

    static func timestamp() -> String {
        let now = Date().timeIntervalSince1970
        let seconds = Int64(now.rounded(.down))
        let millis = Int((now - Double(seconds)) * 1000)
        var days = seconds / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Civil date from days since the epoch (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(Int64(secondOfDay / 3600), 2)):"
            + "\(pad(Int64(secondOfDay / 60 % 60), 2)):\(pad(Int64(secondOfDay % 60), 2)).\(pad(Int64(millis), 3))Z"
    }
}
