public import Logging

/// Writes readable lines for terminals:
/// `2026-11-21T19:58:30.123Z INFO  ms2m.controller: Reconciled object controller=migration key=default/app-0`.
public struct TextLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let writer: LogLineWriter

    /// A handler for `label`.
    public init(
        label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        writer: LogLineWriter = .standardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.writer = writer
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level.rawValue.uppercased()
        var line = LogRendering.timestamp() + " " + level + String(repeating: " ", count: max(1, 9 - level.count))
        line += label + ": " + event.message.description
        let all = LogRendering.merged(metadata, metadataProvider, event.metadata)
        for key in all.keys.sorted() {
            let value = "\(all[key]!)"
            line += " " + key + "=" + (value.contains(" ") || value.isEmpty ? "\"\(value)\"" : value)
        }
        line += "\n"
        writer.write(line)
    }
}
