import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Unstructured

extension MigrationRun {
    /// Transferring: a Job on the source node pushes each checkpointed container's archive as an OCI image;
    /// its pod's termination message carries the manifest digests. The Job has a deterministic name and is owned by the migration,
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
            let pushes = checkpoints.map { checkpoint in
                TransferJobBuilder.Push(
                    container: checkpoint.name, archive: checkpoint.archive ?? "",
                    destination: imageDestination(container: checkpoint.name))
            }
            let built = TransferJobBuilder.build(
                migration: migration, settings: configuration.transfer, sourceNode: status.sourceNode ?? "",
                pushes: pushes, timeoutSeconds: max(30, timeout.components.seconds), staleArchives: archiveScope)
            do {
                _ = try await api.create(built, namespace: namespace, options: WriteOptions(fieldManager: MigrationNames.fieldManager))
            } catch where KubernetesErrors.isAlreadyExists(error) {}
            return .wait(after: nil)
        }
        if job.isComplete {
            let result = try await transferResult(jobName: jobName)
            var checkpoints = self.checkpoints
            for index in checkpoints.indices {
                guard let digest = Self.pushedDigest(of: checkpoints[index].name, first: index == 0, in: result) else {
                    return .fail(reason: "TransferResultMissing", message: "Job \(jobName) completed without reporting the image digest of container \(checkpoints[index].name) in its termination message")
                }
                checkpoints[index].imageDigest = digest
                checkpoints[index].image = imageReference(container: checkpoints[index].name, digest: digest)
            }
            record(checkpoints)
            let images = checkpoints.compactMap(\.image).joined(separator: ", ")
            ports.events.record(.normal, reason: "Transferred", note: "pushed the checkpoint as \(images)", about: migration)
            return .advance(to: .restoring)
        }
        if job.isFailed {
            let condition = job.status?.conditions?.first { $0.type == .failed }
            let reported = try await transferResult(jobName: jobName)?["error"]?.stringValue
            return .fail(reason: "TransferFailed", message: "Job \(jobName) failed (\(condition?.reason ?? "Failed")): \(reported ?? condition?.message ?? "no message")")
        }
        return .wait(after: nil)
    }

    /// The archives of the checkpointed containers that are this migration's: written since its first
    /// checkpoint request (less a minute: the node's clock and the operator's may disagree); nil before it.
    var archiveScope: TransferJobBuilder.ArchiveScope? {
        guard let requested = status.checkpointRequestTime else { return nil }
        let since = Time(epochSeconds: requested.epochSeconds - 60)
        return TransferJobBuilder.ArchiveScope(pod: sourcePodName, namespace: namespace, since: since.rfc3339String)
    }

    /// Where the Job pushes `container`'s checkpoint: `<repository>:<tag>`, or `oci:<dir>:<tag>`, with the
    /// tag of ``CheckpointedContainers/imageTag(_:container:primary:)``.
    func imageDestination(container: String) -> String {
        let tag = CheckpointedContainers.imageTag(
            MigrationNames.imageTag(for: migration), container: container, primary: container == checkpoints.first?.name)
        return "\(spec.checkpointImageRepository ?? ""):\(tag)"
    }

    /// The image the target pod runs for `container`: `<repository>@<digest>` (pinned), or the tag for an
    /// OCI layout.
    func imageReference(container: String, digest: String) -> String {
        let repository = spec.checkpointImageRepository ?? ""
        if repository.hasPrefix("oci:") { return imageDestination(container: container) }
        return "\(repository)@\(digest)"
    }

    /// The digest the transfer reported for `container`: its entry in `images`, or — from a Job of an
    /// operator before multi-container support — the top-level `digest` for the first container.
    static func pushedDigest(of container: String, first: Bool, in result: JSONValue?) -> String? {
        let entry = result?["images"]?.arrayValue?.first { $0["container"]?.stringValue == container }
        if let digest = entry?["digest"]?.stringValue { return digest }
        return first && result?["images"] == nil ? result?["digest"]?.stringValue : nil
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
