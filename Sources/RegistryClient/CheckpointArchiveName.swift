import Foundation

/// The name the kubelet gives a checkpoint archive: `checkpoint-<pod>_<namespace>-<container>-<time>.tar`, the
/// time in RFC 3339 (kubelet's `time.Now().Format(time.RFC3339)`, whole seconds). Parsed so that archives of one
/// container written since some time can be found again (a crash between the checkpoint call and recording its
/// path leaves one nobody knows by name).
public struct CheckpointArchiveName: Sendable, Hashable {
    /// `checkpoint-<pod>_<namespace>-<container>-`.
    public var prefix: String
    /// When the kubelet wrote it.
    public var time: Date

    /// The prefix of the archives of `container` in `pod` of `namespace`.
    public static func prefix(pod: String, namespace: String, container: String) -> String {
        "checkpoint-\(pod)_\(namespace)-\(container)-"
    }

    /// Parses a file name (no directory); nil when it is not a checkpoint archive's.
    public init?(_ fileName: String) {
        guard fileName.hasPrefix("checkpoint-"), fileName.hasSuffix(".tar") else { return nil }
        let stem = fileName.dropLast(".tar".count)
        // The time contains dashes itself: try each dash from the right until the rest parses as a time.
        var index = stem.endIndex
        while let dash = stem[..<index].lastIndex(of: "-") {
            if let time = Self.parseTime(String(stem[stem.index(after: dash)...])) {
                prefix = String(stem[...dash])
                self.time = time
                return
            }
            index = dash
        }
        return nil
    }

    /// The archives in `directory` of `container` in `pod` of `namespace` written at or after `since` (by the
    /// time in their names, compared at whole seconds), as full paths sorted by name; `except` is left out.
    public static func archives(
        in directory: String, pod: String, namespace: String, container: String, since: Date, except: String? = nil
    ) -> [String] {
        let wanted = prefix(pod: pod, namespace: namespace, container: container)
        let floor = since.timeIntervalSince1970.rounded(.down)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name -> String? in
            guard let parsed = CheckpointArchiveName(name), parsed.prefix == wanted,
                parsed.time.timeIntervalSince1970 >= floor
            else { return nil }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            return path == except ? nil : path
        }
    }

    /// RFC 3339 with or without fractional seconds, `Z` or an offset.
    public static func parseTime(_ text: String) -> Date? {
        guard text.count >= 20, text.first?.isNumber == true else { return nil }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
