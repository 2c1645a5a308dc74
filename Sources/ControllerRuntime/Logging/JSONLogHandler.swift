public import Logging

/// Writes one JSON object per line, for containers and log collectors:
/// `{"ts":"…","level":"info","logger":"ms2m.controller","msg":"Reconciled object","controller":"…",…}`.
/// Metadata values become strings, arrays or objects.
public struct JSONLogHandler: LogHandler {
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
        var line = "{\"ts\":\"\(LogRendering.timestamp())\",\"level\":\"\(event.level.rawValue)\",\"logger\":"
        Self.appendString(label, to: &line)
        line += ",\"msg\":"
        Self.appendString(event.message.description, to: &line)
        let all = LogRendering.merged(metadata, metadataProvider, event.metadata)
        for key in all.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
            line += ","
            Self.appendString(key, to: &line)
            line += ":"
            Self.append(all[key]!, to: &line)
        }
        line += "}\n"
        writer.write(line)
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text): appendString(text, to: &line)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                append(element, to: &line)
            }
            line += "]"
        case .dictionary(let values):
            line += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                append(values[key]!, to: &line)
            }
            line += "}"
        }
    }

    /// Appends `text` as a JSON string literal.
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
