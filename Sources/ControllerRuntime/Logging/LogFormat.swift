public import Logging

/// The log line format of the process.
public enum LogFormat: String, Sendable, CaseIterable {
    /// JSON lines (containers).
    case json
    /// Readable text (terminals).
    case text
    /// Text when standard error is a terminal, JSON otherwise.
    case automatic = "auto"

    /// The concrete format, resolving `automatic` by `isatty`.
    public var resolved: LogFormat {
        guard self == .automatic else { return self }
        return LogLineWriter.standardErrorIsTerminal ? .text : .json
    }

    /// A log handler factory for this format whose lines carry the current reconcile's metadata
    /// (`controller`, `key`, `reconcileID`, …; see `ReconcileScope`).
    public func handlerFactory(
        level: Logger.Level = .info, writer: LogLineWriter = .standardError
    ) -> @Sendable (String) -> any LogHandler {
        let format = resolved
        return { label in
            switch format {
            case .json, .automatic:
                JSONLogHandler(label: label, level: level, metadataProvider: ReconcileScope.metadataProvider, writer: writer)
            case .text:
                TextLogHandler(label: label, level: level, metadataProvider: ReconcileScope.metadataProvider, writer: writer)
            }
        }
    }

    /// Bootstraps swift-log with this format (once per process).
    public func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap(handlerFactory(level: level))
    }
}
