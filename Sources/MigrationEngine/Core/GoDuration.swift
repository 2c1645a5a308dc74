/// Formats durations as Go's `time.Duration.String()` does (`"250ms"`, `"1.5s"`, `"2m3.25s"`), the form the
/// reference controller writes into `status.phaseTimings`. Millisecond precision.
public enum GoDuration {
    /// `duration` as a Go duration string.
    public static func string(_ duration: Duration) -> String {
        let totalMillis = Int64((Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15).rounded())
        if totalMillis == 0 { return "0s" }
        let negative = totalMillis < 0
        var millis = abs(totalMillis)
        var out = ""
        if millis < 1000 {
            out = "\(millis)ms"
        } else {
            let hours = millis / 3_600_000
            millis %= 3_600_000
            let minutes = millis / 60_000
            millis %= 60_000
            if hours > 0 { out += "\(hours)h" }
            if hours > 0 || minutes > 0 { out += "\(minutes)m" }
            let seconds = millis / 1000
            let fraction = millis % 1000
            if fraction == 0 {
                out += "\(seconds)s"
            } else {
                var f = String(fraction)
                f = String(repeating: "0", count: 3 - f.count) + f
                while f.hasSuffix("0") { f.removeLast() }
                out += "\(seconds).\(f)s"
            }
        }
        return negative ? "-" + out : out
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
