public import ControllerRuntime
public import KubeModel
public import MigrationAPI
public import MigrationEngine

/// Writes the engine's events as Kubernetes Events through the manager's recorder (de-duplicated and
/// rate-limited like client-go's).
public struct EventRecorderSink: MigrationEventSink {
    private let recorder: EventRecorder

    /// A sink writing through `recorder`.
    public init(recorder: EventRecorder) { self.recorder = recorder }

    public func record(_ type: EventType, reason: String, note: String, about migration: StatefulMigration) {
        recorder.record(type, reason: reason, action: "Migrate", note: note, regarding: migration)
    }
}
