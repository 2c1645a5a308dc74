/// The deterministic name of a policy's child: `<policy>-<pod>-<hash>`, where the hash is of the source
/// pod's UID, at most 63 characters. Re-planning the same pod gives the same name, so a stale cache can
/// never create a second child; a re-created pod of the same name gets a new one.
///
/// A retry after a failed attempt gets the attempt number as a further suffix (`…-<hash>-2`, `…-<hash>-3`),
/// so every attempt is as deterministic as the first and the failed children stay as a record.
public enum ChildMigrationName {
    /// The longest name produced.
    public static let maxLength = 63
    /// Hex digits of the hash suffix.
    static let hashLength = 10

    /// The child name for attempt `attempt` (1 for the first) of moving the pod `pod` (UID `sourceUID`)
    /// under `policy`.
    public static func make(policy: String, pod: String, sourceUID: String, attempt: Int = 1) -> String {
        var suffix = hash(sourceUID)
        if attempt > 1 { suffix += "-\(attempt)" }
        var prefix = Substring("\(policy)-\(pod)".lowercased())
        let room = maxLength - suffix.count - 1
        if prefix.count > room { prefix = prefix.prefix(max(0, room)) }
        while let last = prefix.last, last == "-" || last == "." { prefix = prefix.dropLast() }
        return prefix.isEmpty ? suffix : "\(prefix)-\(suffix)"
    }

    /// FNV-1a (64 bit) of `text`, as `hashLength` lowercase hex digits.
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        let hex = String(value, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        return String(padded.prefix(hashLength))
    }
}
