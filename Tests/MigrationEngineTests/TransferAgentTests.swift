import Foundation
import KubeModel
import MigrationAPI
import OperatorCore
import Testing

@testable import MigrationEngine

/// The node agents as a test double: each transfer runs for `pollsUntilDone` looks, then ends as `ending`; a
/// refusing agent throws from `start`; `forget()` plays an agent restarted (it no longer knows its transfers).
final class FakeTransferAgents: TransferAgentCalling {
    enum Ending: Sendable { case succeed, fail(String) }
    struct Started: Sendable { var request: TransferAgentRequest; var agent: TransferAgentEndpoint }

    let started = Shared<[Started]>([])
    let refusing = Shared<Bool>(false)
    let ending = Shared<Ending>(.succeed)
    let pollsUntilDone = Shared<Int>(2)
    private let transfers = Shared<[String: (polls: Int, pushes: [TransferAgentPush])]>([:])

    func start(_ request: TransferAgentRequest, at agent: TransferAgentEndpoint) async throws -> TransferAgentOutcome {
        if refusing.current { throw KubeletError(code: 403) }
        started.withLock { $0.append(Started(request: request, agent: agent)) }
        transfers.withLock { $0[request.migrationUID] = (0, request.pushes) }
        return .running
    }

    func outcome(ofMigration uid: String, at agent: TransferAgentEndpoint) async throws -> TransferAgentOutcome? {
        let limit = pollsUntilDone.current
        let ending = self.ending.current
        return transfers.withLock { transfers -> TransferAgentOutcome? in
            guard var transfer = transfers[uid] else { return nil }
            transfer.polls += 1
            transfers[uid] = transfer
            guard transfer.polls > limit else { return .running }
            switch ending {
            case .succeed:
                return .succeeded(digests: Dictionary(uniqueKeysWithValues: transfer.pushes.map { ($0.container, EngineHarness.digest(of: "agent-" + $0.container)) }))
            case .fail(let message):
                return .failed(message)
            }
        }
    }

    /// The agent restarted: it knows no transfer.
    func forget() { transfers.withLock { $0 = [:] } }
}

extension EngineHarness {
    /// An agent pod of the `ms2m-system` DaemonSet on `node`, Running and Ready at `ip`.
    @discardableResult
    func addAgentPod(_ name: String, node: String, ip: String = "10.244.0.7") async throws -> Pod {
        if (try? await client.get(Namespace.self, name: "ms2m-system")) == nil {
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: "ms2m-system")))
        }
        var spec = PodSpec(containers: [Container(name: "agent", image: "ghcr.io/ms2m/checkpoint-transfer:latest")])
        spec.nodeName = node
        var pod = try await client.create(
            Pod(metadata: ObjectMeta(name: name, namespace: "ms2m-system", labels: ["app.kubernetes.io/name": "ms2m-agent"]), spec: spec),
            namespace: "ms2m-system", options: WriteOptions())
        var status = PodStatus(phase: .running)
        status.conditions = [PodCondition(type: .ready, status: .true)]
        status.podIP = ip
        pod.status = status
        return try await client.updateStatus(pod)
    }
}

/// Transfers by the source node's warm agent, and the hand-over to a Job when the agent cannot do it.
@Suite("engine: transfers by node agents", .serialized)
struct TransferAgentEngineTests {
    static let configuration = EngineConfiguration(
        replayPollInterval: .milliseconds(20),
        transferAgents: TransferAgentSettings(namespace: "ms2m-system", pollInterval: .milliseconds(10)))

    /// Pending and Checkpointing of the standard ShadowPod migration, with `agents` agent pods added first.
    func checkpointed(_ h: EngineHarness, agentOn node: String? = "node-a") async throws {
        try await h.standardNodes()
        if let node { try await h.addAgentPod("ms2m-agent-a1", node: node) }
        try await h.addAgentPod("ms2m-agent-b1", node: "node-b", ip: "10.244.1.9")
        try await h.addRunningPod("app-0", node: "node-a")
        try await h.setUpBroker()
        var spec = h.spec()
        spec.registry = RegistryOptions(insecure: true)
        try await h.createMigration(spec: spec)
    }

    @Test("an agent Ready on the source node pushes every archive; no Job; the digests it reports are the images")
    func agentTransfers() async throws {
        try await EngineHarness.run(configuration: Self.configuration) { h in
            try await checkpointed(h)
            for _ in 0..<10 where try await h.phase() != .restoring { try await h.reconcile() }
            let m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.transfer == TransferMethodStatus(method: "Agent", agentPod: "ms2m-agent-a1"))
            let started = try #require(h.agents.started.current.first)
            #expect(h.agents.started.current.count == 1)
            #expect(started.agent == TransferAgentEndpoint(namespace: "ms2m-system", pod: "ms2m-agent-a1", node: "node-a", podIP: "10.244.0.7", port: 10260))
            #expect(started.request.migrationUID == m.metadata.uid && started.request.pod == "app-0" && started.request.insecure)
            let archive = try #require(m.status?.checkpointID)
            #expect(started.request.pushes == [TransferAgentPush(
                container: "app", archive: String(archive.split(separator: "/").last!),
                destination: "registry.example.com/checkpoints:\(MigrationNames.imageTag(for: m))")])
            #expect(m.status?.checkpointImage == "registry.example.com/checkpoints@\(EngineHarness.digest(of: "agent-app"))")
            #expect((try? await h.client.get(Job.self, name: "move-transfer", namespace: "default")) == nil, "no Job")
        }
    }

    @Test("no agent on the source node: a Job transfers, without a fallback reason")
    func noAgent() async throws {
        try await EngineHarness.run(configuration: Self.configuration) { h in
            try await checkpointed(h, agentOn: nil)
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.transfer == TransferMethodStatus(method: "Job"))
            #expect(try await h.client.get(Job.self, name: "move-transfer", namespace: "default").spec?.template.spec?.nodeName == "node-a")
            #expect(h.agents.started.current.isEmpty, "the agent on another node is not asked")
        }
    }

    @Test("an agent that refuses the request (401/403) hands over to a Job, which completes the transfer")
    func refusedFallsBack() async throws {
        try await EngineHarness.run(configuration: Self.configuration) { h in
            h.agents.refusing.withLock { $0 = true }
            try await checkpointed(h)
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.transfer?.method == "Job")
            #expect(m.status?.transfer?.fallbackReason?.contains("agent ms2m-agent-a1 refused the transfer") == true)
            #expect(h.events.reasons.current.contains("TransferAgentFallback"))
            try await h.completeTransferJob(for: m)
            try await h.reconcile()
            m = try await h.migration()
            #expect(m.status?.phase == .restoring)
        }
    }

    @Test("a transfer that fails in the agent hands over to a Job")
    func failedFallsBack() async throws {
        try await EngineHarness.run(configuration: Self.configuration) { h in
            h.agents.ending.withLock { $0 = .fail("pushing the checkpoint of container app: registry unreachable") }
            try await checkpointed(h)
            for _ in 0..<10 where try await h.migration().status?.transfer?.method != "Job" { try await h.reconcile() }
            let m = try await h.migration()
            #expect(m.status?.transfer?.fallbackReason?.contains("registry unreachable") == true)
            try await h.reconcile()
            #expect((try? await h.client.get(Job.self, name: "move-transfer", namespace: "default")) != nil)
        }
    }

    @Test("the agent pod gone mid-transfer: a Job takes over; replaced by a new agent that forgot it: started again there")
    func agentLost() async throws {
        try await EngineHarness.run(configuration: Self.configuration) { h in
            h.agents.pollsUntilDone.withLock { $0 = 1000 }
            try await checkpointed(h)
            try await h.reconcile()
            #expect(h.agents.started.current.count == 1)

            // The DaemonSet replaced the agent: a new pod that knows nothing of the transfer starts it again.
            try await h.client.delete(Pod.self, name: "ms2m-agent-a1", namespace: "ms2m-system")
            try await h.addAgentPod("ms2m-agent-a2", node: "node-a", ip: "10.244.0.8")
            h.agents.forget()
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.transfer == TransferMethodStatus(method: "Agent", agentPod: "ms2m-agent-a2"))
            #expect(h.agents.started.current.map(\.agent.pod) == ["ms2m-agent-a1", "ms2m-agent-a2"])

            // Then no agent at all: a Job.
            try await h.client.delete(Pod.self, name: "ms2m-agent-a2", namespace: "ms2m-system")
            try await h.reconcile()
            m = try await h.migration()
            #expect(m.status?.transfer?.method == "Job")
            #expect(m.status?.transfer?.fallbackReason?.contains("no agent is Running and Ready on node node-a") == true)
            try await h.reconcile()
            #expect((try? await h.client.get(Job.self, name: "move-transfer", namespace: "default")) != nil)
        }
    }
}
