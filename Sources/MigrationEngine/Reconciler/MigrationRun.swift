import Foundation
import KubeModel
import Logging
import MigrationAPI
import OperatorCore
import Unstructured

/// One reconcile of one migration: the object as read, the status being built, and the ports. Phase
/// handlers are extensions of this type; they change ``status`` and call ``persist()`` before any effect a
/// restart must not repeat.
final class MigrationRun {
    let ports: MigrationEnginePorts
    let configuration: EngineConfiguration
    let logger: Logger
    /// When the target was last checked while replaying (shared by the reconciles of one engine).
    let targetChecks: TargetCheckSchedule
    private(set) var migration: StatefulMigration
    var status: StatefulMigrationStatus

    init(
        migration: StatefulMigration, ports: MigrationEnginePorts, configuration: EngineConfiguration, logger: Logger,
        targetChecks: TargetCheckSchedule = TargetCheckSchedule()
    ) {
        self.migration = migration
        self.status = migration.status ?? StatefulMigrationStatus()
        self.ports = ports
        self.configuration = configuration
        self.logger = logger
        self.targetChecks = targetChecks
    }

    var api: any KubernetesAPI { ports.api }
    var name: String { migration.metadata.name ?? "" }
    var namespace: String { migration.metadata.namespace ?? "default" }
    var spec: StatefulMigrationSpec { migration.spec }
    var phase: MigrationPhase { status.phase ?? .pending }

    // MARK: Status

    /// Writes ``status`` (a merge patch of the status subresource) if it changed since the last write. The
    /// patch nulls every field the engine cleared (a resumed migration's failure, a finished attempt's
    /// backoff), which a merge patch would otherwise leave as it was.
    func persist() async throws {
        guard status != migration.status else { return }
        let encoded = try JSONValueEncoder().encode(status)
        let previous = try migration.status.map { try JSONValueEncoder().encode($0) }
        let patch = Patch.merge(.object(["status": JSONMergePatch.diff(from: previous, to: encoded)]))
        let updated = try await api.patchStatus(
            StatefulMigration.self, name: name, namespace: namespace, patch: patch,
            options: WriteOptions(fieldManager: MigrationNames.fieldManager))
        migration = updated
        status = updated.status ?? status
    }

    /// Moves to `next`: records the time spent in the current phase, stamps the new phase's start, and
    /// sets the conditions.
    func enter(_ next: MigrationPhase, now: Date = Date()) {
        let current = phase
        let stamp = Time(now)
        if let started = status.phaseStartTime?.date, current != next, !current.isFinal {
            var timings = status.phaseTimings ?? [:]
            timings[current.rawValue] = GoDuration.string(.milliseconds(Int64(now.timeIntervalSince(started) * 1000)))
            status.phaseTimings = timings
        }
        status.phase = next
        status.phaseStartTime = MicroTime(now)
        status.observedGeneration = migration.metadata.generation
        var conditions = status.conditions ?? []
        let generation = migration.metadata.generation
        switch next {
        case .completed:
            status.completionTime = stamp
            conditions.setCondition(Condition(type: "Progressing", status: .false, observedGeneration: generation, reason: "Completed", message: "the migration completed"), now: stamp)
            conditions.setCondition(Condition(type: "Ready", status: .true, observedGeneration: generation, reason: "Completed", message: "the workload runs on \(status.targetNode ?? "the target node")"), now: stamp)
        case .failed:
            status.completionTime = stamp
            conditions.setCondition(Condition(type: "Progressing", status: .false, observedGeneration: generation, reason: status.failureReason ?? "Failed", message: status.failureMessage ?? ""), now: stamp)
            conditions.setCondition(Condition(type: "Ready", status: .false, observedGeneration: generation, reason: status.failureReason ?? "Failed", message: status.failureMessage ?? ""), now: stamp)
            conditions.setCondition(Condition(type: "Failed", status: .true, observedGeneration: generation, reason: status.failureReason ?? "Failed", message: status.failureMessage ?? ""), now: stamp)
        default:
            conditions.setCondition(Condition(type: "Progressing", status: .true, observedGeneration: generation, reason: next.rawValue, message: "phase \(next.rawValue)"), now: stamp)
            conditions.setCondition(Condition(type: "Ready", status: .false, observedGeneration: generation, reason: "InProgress", message: "the migration is in progress"), now: stamp)
        }
        status.conditions = conditions
    }

    /// Records the failure and moves to Failed (rollback runs in the following reconciles).
    func fail(reason: String, message: String) {
        status.failureReason = reason
        status.failureMessage = message
        status.failedPhase = phase
        enter(.failed)
        ports.events.record(.warning, reason: reason, note: message, about: migration)
    }

    // MARK: Metadata

    /// Adds the cleanup finalizer (optimistically locked on the resourceVersion read).
    func addFinalizer() async throws {
        var finalizers = migration.metadata.finalizers ?? []
        guard !finalizers.contains(MigrationNames.finalizer) else { return }
        finalizers.append(MigrationNames.finalizer)
        try await patchFinalizers(finalizers)
    }

    /// Removes the cleanup finalizer.
    func removeFinalizer() async throws {
        let finalizers = migration.metadata.finalizers ?? []
        guard finalizers.contains(MigrationNames.finalizer) else { return }
        try await patchFinalizers(finalizers.filter { $0 != MigrationNames.finalizer })
    }

    /// Removes the recovery annotations (``RecoveryAnnotation``): the user's decision was carried out.
    func clearRecoveryAnnotations() async throws {
        let annotations = migration.metadata.annotations ?? [:]
        guard annotations[RecoveryAnnotation.action] != nil || annotations[RecoveryAnnotation.targetNode] != nil else { return }
        let patch: JSONValue = [
            "metadata": ["annotations": [RecoveryAnnotation.action: .null, RecoveryAnnotation.targetNode: .null]]
        ]
        migration = try await api.patch(
            StatefulMigration.self, name: name, namespace: namespace, patch: .merge(patch), subresource: nil,
            options: WriteOptions(fieldManager: MigrationNames.fieldManager))
        status = migration.status ?? status
    }

    private func patchFinalizers(_ finalizers: [String]) async throws {
        var metadata: JSONObject = ["finalizers": .array(finalizers.map { .string($0) })]
        if let rv = migration.metadata.resourceVersion { metadata["resourceVersion"] = .string(rv) }
        migration = try await api.patch(
            StatefulMigration.self, name: name, namespace: namespace,
            patch: .merge(.object(["metadata": .object(metadata)])), subresource: nil,
            options: WriteOptions(fieldManager: MigrationNames.fieldManager))
        status = migration.status ?? status
    }

    // MARK: Steps

    /// Whether a named step of `list` is done.
    func done(_ step: String, in list: KeyPath<StatefulMigrationStatus, [String]?>) -> Bool {
        status[keyPath: list]?.contains(step) ?? false
    }

    /// Marks a step done and persists it.
    func markDone(_ step: String, in list: WritableKeyPath<StatefulMigrationStatus, [String]?>) async throws {
        var steps = status[keyPath: list] ?? []
        if !steps.contains(step) { steps.append(step) }
        status[keyPath: list] = steps
        try await persist()
    }

    // MARK: Kubernetes helpers

    /// Reads an object, nil when it does not exist.
    func find<T: KubernetesObject>(_ type: T.Type, _ name: String) async throws -> T? {
        do {
            return try await api.get(T.self, name: name, namespace: T.isNamespaced ? namespace : nil)
        } catch where KubernetesErrors.isNotFound(error) {
            return nil
        }
    }

    /// Deletes an object; a missing one is fine.
    func remove<T: KubernetesObject>(_ type: T.Type, _ name: String, options: DeleteOptions = DeleteOptions()) async throws {
        do {
            _ = try await api.delete(T.self, name: name, namespace: T.isNamespaced ? namespace : nil, options: options)
        } catch where KubernetesErrors.isNotFound(error) {
            return
        } catch where KubernetesErrors.isConflict(error) {
            return  // a UID precondition failed: the object we meant is already gone
        }
    }

    // MARK: Broker helpers

    /// The workload's broker, with credentials from the spec's Secret when it names one.
    func broker() async throws -> any MessageBroker & MessageConsuming {
        guard let url = spec.messageQueueConfig?.brokerUrl, !url.isEmpty else {
            throw MigrationFailure("InvalidSpec", "spec.messageQueueConfig.brokerUrl is required")
        }
        var credentials: BrokerCredentials?
        if let ref = spec.brokerCredentialsSecretRef {
            guard let secret = try await find(Secret.self, ref.name) else {
                throw MigrationFailure("BrokerCredentialsNotFound", "Secret \(namespace)/\(ref.name) does not exist")
            }
            let user = secretValue(secret, key: ref.usernameKey ?? "username")
            let password = secretValue(secret, key: ref.passwordKey ?? "password")
            guard let user, let password else {
                throw MigrationFailure("BrokerCredentialsInvalid", "Secret \(namespace)/\(ref.name) lacks \(ref.usernameKey ?? "username") or \(ref.passwordKey ?? "password")")
            }
            credentials = BrokerCredentials(username: user, password: password)
        }
        return try await ports.brokers.broker(url: url, credentials: credentials)
    }

    /// A Secret value (`data` base64-decoded, or `stringData`).
    func secretValue(_ secret: Secret, key: String) -> String? {
        if let encoded = secret.data?[key], let data = Data(base64Encoded: encoded) { return String(decoding: data, as: UTF8.self) }
        return secret.stringData?[key]
    }

    var primaryQueue: String { spec.messageQueueConfig?.queueName ?? "" }
    var exchange: String { spec.messageQueueConfig?.exchangeName ?? "" }
    var routingKey: String { spec.messageQueueConfig?.routingKey ?? "" }
    var replayQueue: String { MigrationControlMessage.replayQueue(forPrimaryQueue: primaryQueue) }
    var journalQueue: String { MigrationControlMessage.journalQueue(forPrimaryQueue: primaryQueue) }
    var strategy: MigrationStrategy { status.strategy ?? .shadowPod }
    var sourcePodName: String { spec.sourcePod }
    var targetPodName: String { status.targetPod ?? MigrationNames.targetPod(source: spec.sourcePod, strategy: strategy) }

    /// Seconds from `time` to now.
    func seconds(since time: MicroTime?) -> Double {
        guard let date = time?.date else { return 0 }
        return Date().timeIntervalSince(date)
    }
}
