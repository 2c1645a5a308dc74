import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Unstructured

extension MigrationRun {
    /// Transferring: a Job on the source node pushes the archive as an OCI image; its pod's termination
    /// message carries the manifest digest. The Job has a deterministic name and is owned by the migration,
    /// so a restart finds it instead of starting a second push.
    func runTransferring() async throws -> PhaseOutcome {
        let jobName = MigrationNames.transferJob(for: migration)
        let job: Job
        if let existing = try await find(Job.self, jobName) {
            guard existing.metadata.labels?[MigrationNames.migrationUIDLabel] == migration.metadata.uid else {
                return .fail(reason: "TransferJobConflict", message: "Job \(namespace)/\(jobName) exists and belongs to something else")
            }
            job = existing
        } else {
            let timeout = configuration.timeout(of: .transferring, for: migration) ?? .seconds(600)
            let built = TransferJobBuilder.build(
                migration: migration, settings: configuration.transfer, sourceNode: status.sourceNode ?? "",
                archive: status.checkpointID ?? "", container: status.containerName ?? "",
                destination: imageDestination(), timeoutSeconds: max(30, timeout.components.seconds),
                staleArchives: archiveScope)
            do {
                _ = try await api.create(built, namespace: namespace, options: WriteOptions(fieldManager: MigrationNames.fieldManager))
            } catch where KubernetesErrors.isAlreadyExists(error) {}
            return .wait(after: nil)
        }
        if job.isComplete {
            guard let result = try await transferResult(jobName: jobName), let digest = result["digest"]?.stringValue else {
                return .fail(reason: "TransferResultMissing", message: "Job \(jobName) completed without reporting the image digest in its termination message")
            }
            status.checkpointImageDigest = digest
            status.checkpointImage = imageReference(digest: digest)
            ports.events.record(.normal, reason: "Transferred", note: "pushed the checkpoint as \(status.checkpointImage ?? digest)", about: migration)
            return .advance(to: .restoring)
        }
        if job.isFailed {
            let condition = job.status?.conditions?.first { $0.type == .failed }
            let reported = try await transferResult(jobName: jobName)?["error"]?.stringValue
            return .fail(reason: "TransferFailed", message: "Job \(jobName) failed (\(condition?.reason ?? "Failed")): \(reported ?? condition?.message ?? "no message")")
        }
        return .wait(after: nil)
    }

    /// The archives of the checkpointed container that are this migration's: written since its first
    /// checkpoint request (less a minute: the node's clock and the operator's may disagree); nil before it.
    var archiveScope: TransferJobBuilder.ArchiveScope? {
        guard let requested = status.checkpointRequestTime else { return nil }
        let since = Time(epochSeconds: requested.epochSeconds - 60)
        return TransferJobBuilder.ArchiveScope(pod: sourcePodName, namespace: namespace, since: since.rfc3339String)
    }

    /// Where the Job pushes: `<repository>:<tag>`, or `oci:<dir>:<tag>`.
    func imageDestination() -> String {
        "\(spec.checkpointImageRepository ?? ""):\(MigrationNames.imageTag(for: migration))"
    }

    /// The image the target pod runs: `<repository>@<digest>` (pinned), or the tag for an OCI layout.
    func imageReference(digest: String) -> String {
        let repository = spec.checkpointImageRepository ?? ""
        if repository.hasPrefix("oci:") { return imageDestination() }
        return "\(repository)@\(digest)"
    }

    /// The JSON the transfer pod wrote to its termination message, from the most recent terminated pod.
    private func transferResult(jobName: String) async throws -> JSONValue? {
        let pods = try await api.list(Pod.self, namespace: namespace, options: ListOptions(labelSelector: "job-name=\(jobName)")).items
        let messages = pods.sorted { ($0.metadata.creationTimestamp?.date ?? .distantPast) > ($1.metadata.creationTimestamp?.date ?? .distantPast) }
            .compactMap { pod in pod.status?.containerStatuses?.first?.state?.terminated?.message }
        for message in messages {
            if let value = try? JSONValue.parse(Array(message.utf8)), value.objectValue != nil { return value }
        }
        return nil
    }
}
