public import MigrationAPI

/// What the CRD schema cannot check about a spec, checked by the engine before it touches anything.
/// Each problem is a sentence naming the field.
public enum SpecValidation {
    /// The problems with `spec`; empty when it is usable.
    public static func problems(with spec: StatefulMigrationSpec) -> [String] {
        var problems: [String] = []
        if spec.sourcePod.isEmpty { problems.append("spec.sourcePod is required") }
        let repository = spec.checkpointImageRepository ?? ""
        if repository.isEmpty {
            problems.append("spec.checkpointImageRepository is required (registry/repository, or oci:<dir> in a simulation)")
        } else if !repository.hasPrefix("oci:") {
            if repository.contains("@") || lastComponentHasTag(repository) {
                problems.append("spec.checkpointImageRepository must be a repository without tag or digest (the engine tags each checkpoint): \(repository)")
            }
            if repository != repository.lowercased() {
                problems.append("spec.checkpointImageRepository must be lower case: \(repository)")
            }
        }
        if let strategy = spec.migrationStrategy, !strategy.isEmpty, MigrationStrategy(rawValue: strategy) == nil {
            problems.append("spec.migrationStrategy must be ShadowPod or Sequential, not \(strategy)")
        }
        if let mode = spec.transferMode, !mode.isEmpty, mode != "Registry" {
            problems.append("spec.transferMode \(mode) is not supported: ms2m transfers through a registry (Registry)")
        }
        if let mode = spec.replayMode, !mode.isEmpty, mode != "Cutoff", mode != "Drain" {
            problems.append("spec.replayMode must be Cutoff or Drain, not \(mode)")
        }
        if let cutoff = spec.replayCutoffSeconds, cutoff < 1 {
            problems.append("spec.replayCutoffSeconds must be at least 1, not \(cutoff)")
        }
        if let restore = spec.restore {
            if let attempts = restore.maxAttempts, attempts < 1 {
                problems.append("spec.restore.maxAttempts must be at least 1, not \(attempts)")
            }
            if let deadline = restore.deadlineSeconds, deadline < 1 {
                problems.append("spec.restore.deadlineSeconds must be at least 1, not \(deadline)")
            }
            if let action = restore.onFailure, !action.isEmpty, !RestoreFailureAction.all.contains(action) {
                problems.append("spec.restore.onFailure must be RetainState or StartFresh, not \(action)")
            }
        }
        let mq = spec.messageQueueConfig
        if (mq?.queueName ?? "").isEmpty { problems.append("spec.messageQueueConfig.queueName is required") }
        if (mq?.exchangeName ?? "").isEmpty {
            problems.append("spec.messageQueueConfig.exchangeName is required: the fan-out exchange copies messages into the replay queue")
        }
        let url = mq?.brokerUrl ?? ""
        if url.isEmpty {
            problems.append("spec.messageQueueConfig.brokerUrl is required")
        } else if !(url.hasPrefix("amqp://") || url.hasPrefix("amqps://")) {
            problems.append("spec.messageQueueConfig.brokerUrl must start with amqp:// or amqps://")
        }
        return problems
    }

    /// Whether `repository`'s last path component carries a `:tag` (a port is in the first component only).
    private static func lastComponentHasTag(_ repository: String) -> Bool {
        let components = repository.split(separator: "/")
        guard components.count > 1, let last = components.last else { return false }
        return last.contains(":")
    }
}
