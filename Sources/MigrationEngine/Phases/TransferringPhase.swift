import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Unstructured

extension MigrationRun {
    /// Transferring: each checkpointed container's archive is pushed as an OCI image from the source node — by
    /// the node's warm agent (`ms2m-agent`) when one is Running and Ready there, else by a Job. The method is
    /// recorded in `status.transfer` before anything starts, so a restart goes on with the same one; an agent
    /// that is gone, refuses the request or fails hands over to a Job (`fallbackReason`). Both report the
    /// manifest digests, recorded per container.
    func runTransferring() async throws -> PhaseOutcome {
        var found: TransferAgentEndpoint?
        if status.transfer == nil {
            found = try await readyAgent()
            if let found {
                status.transfer = TransferMethodStatus(method: TransferMethodStatus.agent, agentPod: found.pod)
            } else {
                status.transfer = TransferMethodStatus(method: TransferMethodStatus.job)
            }
            try await persist()
        }
        if status.transfer?.method == TransferMethodStatus.agent, let outcome = try await transferByAgent(found: found) {
            return outcome
        }
        return try await transferByJob()
    }

    /// The Job path: a Job on the source node runs `checkpoint-transfer`; its pod's termination message carries
    /// the digests. The Job has a deterministic name and is owned by the migration, so a restart finds it
    /// instead of starting a second push.
    private func transferByJob() async throws -> PhaseOutcome {
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
            return recordPushed(by: "Job \(jobName)") { name, first in Self.pushedDigest(of: name, first: first, in: result) }
        }
        if job.isFailed {
            let condition = job.status?.conditions?.first { $0.type == .failed }
            let reported = try await transferResult(jobName: jobName)?["error"]?.stringValue
            return .fail(reason: "TransferFailed", message: "Job \(jobName) failed (\(condition?.reason ?? "Failed")): \(reported ?? condition?.message ?? "no message")")
        }
        return .wait(after: nil)
    }

    /// Records every container's image from the digests `by` reported (`digest(container, isFirst)`), and
    /// advances to Restoring; fails when a container's digest is missing.
    private func recordPushed(by pusher: String, digest: (String, Bool) -> String?) -> PhaseOutcome {
        var checkpoints = self.checkpoints
        for index in checkpoints.indices {
            guard let pushed = digest(checkpoints[index].name, index == 0) else {
                return .fail(reason: "TransferResultMissing", message: "\(pusher) finished without reporting the image digest of container \(checkpoints[index].name)")
            }
            checkpoints[index].imageDigest = pushed
            checkpoints[index].image = imageReference(container: checkpoints[index].name, digest: pushed)
        }
        record(checkpoints)
        let images = checkpoints.compactMap(\.image).joined(separator: ", ")
        ports.events.record(.normal, reason: "Transferred", note: "\(pusher) pushed the checkpoint as \(images)", about: migration)
        return .advance(to: .restoring)
    }

    // MARK: Node agent

    /// The agent pod Running and Ready on the source node, when agents are configured.
    private func readyAgent() async throws -> TransferAgentEndpoint? {
        guard let settings = configuration.transferAgents, ports.agents != nil, let node = status.sourceNode else { return nil }
        let pods = try await api.list(
            Pod.self, namespace: settings.namespace,
            options: ListOptions(labelSelector: settings.labelSelector, fieldSelector: "spec.nodeName=\(node)")).items
        let ready = pods.filter {
            $0.spec?.nodeName == node && $0.metadata.deletionTimestamp == nil && $0.status?.phase == .running && $0.isReady
                && !($0.status?.podIP ?? "").isEmpty
        }.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        guard let pod = ready.first(where: { $0.metadata.name == status.transfer?.agentPod }) ?? ready.first else { return nil }
        return TransferAgentEndpoint(
            namespace: settings.namespace, pod: pod.metadata.name ?? "", node: node, podIP: pod.status?.podIP ?? "",
            port: settings.port)
    }

    /// The agent path: asks the source node's agent for the migration's transfer (starting it when the agent
    /// does not know it — a new agent pod after the DaemonSet replaced one starts it again; the archives stay
    /// until every push is confirmed) and waits for it. Returns nil after handing over to a Job: when no agent
    /// is ready on the node any more, the agent refuses the request, or the transfer failed there. A poll that
    /// fails while the agent is still Ready is retried (the phase timeout bounds it), so a Job never pushes
    /// beside a running agent. `found`: the agent this pass already looked up, if any.
    private func transferByAgent(found: TransferAgentEndpoint?) async throws -> PhaseOutcome? {
        guard let agents = ports.agents, let settings = configuration.transferAgents else {
            try await fallBackToJob("this operator has no agent client configured")
            return nil
        }
        var agent = found
        if agent == nil { agent = try await readyAgent() }
        guard let agent else {
            try await fallBackToJob("no agent is Running and Ready on node \(status.sourceNode ?? "") (agent pod \(status.transfer?.agentPod ?? "?") is gone or not ready)")
            return nil
        }
        if agent.pod != status.transfer?.agentPod {
            status.transfer?.agentPod = agent.pod
            try await persist()
        }
        let uid = migration.metadata.uid ?? ""
        var outcome: TransferAgentOutcome?
        do {
            outcome = try await agents.outcome(ofMigration: uid, at: agent)
        } catch {
            logger.debug("agent \(agent.pod) did not answer for the transfer: \(error)")
            return .wait(after: settings.pollInterval * 4)
        }
        if outcome == nil {
            do {
                outcome = try await agents.start(try await agentRequest(), at: agent)
                ports.events.record(.normal, reason: "TransferStarted", note: "agent \(agent.pod) on node \(agent.node) pushes the checkpoint", about: migration)
            } catch {
                try await fallBackToJob("agent \(agent.pod) refused the transfer: \(error)")
                return nil
            }
        }
        switch outcome {
        case .succeeded(let digests)?:
            return recordPushed(by: "agent \(agent.pod)") { name, _ in digests[name] }
        case .failed(let message)?:
            try await fallBackToJob("the transfer failed in agent \(agent.pod): \(message)")
            return nil
        case .running?, nil:
            return .wait(after: settings.pollInterval)
        }
    }

    /// What the agent is asked: every checkpointed container's archive (its file name in the node's checkpoint
    /// directory) to its destination, with the spec's registry options and credentials.
    private func agentRequest() async throws -> TransferAgentRequest {
        let pushes = checkpoints.map { checkpoint in
            TransferAgentPush(
                container: checkpoint.name, archive: Self.fileName(of: checkpoint.archive ?? ""),
                destination: imageDestination(container: checkpoint.name))
        }
        return TransferAgentRequest(
            migrationNamespace: namespace, migrationName: name, migrationUID: migration.metadata.uid ?? "", pod: sourcePodName,
            pushes: pushes, insecure: spec.registry?.insecure == true, compress: spec.registry?.compress == true,
            dockerConfigJSON: try await registryConfig())
    }

    /// Hands the transfer to a Job, recording why (before the Job exists).
    private func fallBackToJob(_ reason: String) async throws {
        status.transfer = TransferMethodStatus(method: TransferMethodStatus.job, agentPod: status.transfer?.agentPod, fallbackReason: reason)
        try await persist()
        ports.events.record(.warning, reason: "TransferAgentFallback", note: "transferring with a Job: \(reason)", about: migration)
    }

    /// `/var/lib/kubelet/checkpoints/x.tar` → `x.tar`.
    static func fileName(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The archives of the checkpointed containers that are this migration's: written since its first
    /// checkpoint request (less a minute: the node's clock and the operator's may disagree); nil before it.
    var archiveScope: TransferJobBuilder.ArchiveScope? {
        guard let requested = status.checkpointRequestTime else { return nil }
        let since = Time(epochSeconds: requested.epochSeconds - 60)
        return TransferJobBuilder.ArchiveScope(pod: sourcePodName, namespace: namespace, since: since.rfc3339String)
    }

    /// Where `container`'s checkpoint is pushed: `<repository>:<tag>`, or `oci:<dir>:<tag>`, with the
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
