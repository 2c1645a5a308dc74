public import MigrationAPI

/// What a phase handler decided in one reconcile.
public enum PhaseOutcome: Sendable, Equatable {
    /// The phase's effects are durable: move to the next phase.
    case advance(to: MigrationPhase)
    /// Not done yet; look again after `after`, or when a watched object changes (nil).
    case wait(after: Duration?)
    /// A failure retrying will not fix: move to Failed with this reason and message, then roll back.
    case fail(reason: String, message: String)
}

/// A permanent failure thrown from deep inside a handler; the reconciler turns it into ``PhaseOutcome/fail(reason:message:)``.
public struct MigrationFailure: Error, Sendable, CustomStringConvertible {
    /// A CamelCase reason, e.g. `CheckpointFailed`.
    public var reason: String
    /// What went wrong, for people.
    public var message: String

    /// Creates a failure.
    public init(_ reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason): \(message)" }
}
