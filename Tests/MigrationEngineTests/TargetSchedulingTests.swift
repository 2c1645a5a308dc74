import KubeModel
import KubeSim
import MigrationAPI
@testable import MigrationEngine
import OperatorCore
import Placement
import TestSupport
import Testing

extension EngineHarness {
    /// Reconciles until the engine has given `previous` up and created `name` again (a new UID), and returns it.
    func recreatedTarget(_ name: String, replacing previous: Pod) async throws -> Pod {
        for _ in 0..<50 {
            try await reconcile()
            if let pod = try? await client.get(Pod.self, name: name, namespace: "default"), pod.metadata.uid != previous.metadata.uid {
                return pod
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("pod \(name) was not created again")
    }

    /// Plays a scheduler that refuses `pod`: `PodScheduled=False`, reason `Unschedulable`, with `message`.
    func refuseScheduling(_ name: String, message: String) async throws {
        var pod = try await client.get(Pod.self, name: name, namespace: "default")
        #expect(pod.spec?.nodeName == nil, "only an unbound pod can be refused")
        var status = pod.status ?? PodStatus()
        status.phase = .pending
        status.conditions = [PodCondition(type: .podScheduled, status: .false, reason: "Unschedulable", message: message)]
        pod.status = status
        _ = try await client.updateStatus(pod)
    }
}

/// Targets are bound by the cluster's scheduler (pinned by node affinity, not `nodeName`), so what it refuses
/// — and what admission refuses — must end well: another node once the source is gone, else a failed
/// migration with the source serving.
@Suite("engine: the scheduler binds targets", .serialized)
struct TargetSchedulingTests {
    static let refusal = "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 node(s) didn't match Pod's node affinity/selector."

    @Test("ShadowPod: a target the scheduler refuses is waited for during the restore patience, then created again on another node, where it is bound")
    func refusedWhileSourceRunsMovesOn() async throws {
        let configuration = EngineConfiguration(
            replayPollInterval: .milliseconds(20), restorePatience: .seconds(2), restoreBackoff: .milliseconds(20))
        try await EngineHarness.run(configuration: configuration) { h in
            h.schedulerRuns.withLock { $0 = false }
            try await h.shadowPodToRestoring()
            let first = try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")
            #expect(first.spec?.nodeName == nil)
            #expect(first.metadata.annotations?[NodePin.annotation] == "node-b")
            try await h.refuseScheduling("app-0-shadow", message: Self.refusal)
            try await h.reconcile()
            #expect(try await h.phase() == .restoring, "the scheduler tries again when the cluster changes: waited for")
            try await Task.sleep(for: .milliseconds(2100))
            let second = try await h.recreatedTarget("app-0-shadow", replacing: first)
            #expect(second.metadata.annotations?[NodePin.annotation] == "node-c", "another node that fits")
            #expect(try await h.migration().status?.restore?.failedNodes == ["node-b"])
            h.schedulerRuns.withLock { $0 = true }
            try await h.reconcile()
            try await h.markRunning(try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default"))
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .replaying)
            #expect(m.status?.targetNode == "node-c")
            #expect(try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default").spec?.nodeName == "node-c")
        }
    }

    @Test("ShadowPod: with every other node refused too, the migration fails with the scheduler's message; the source serves")
    func refusedEverywhereWhileSourceRuns() async throws {
        let configuration = EngineConfiguration(
            replayPollInterval: .milliseconds(20), restorePatience: .seconds(2), restoreBackoff: .milliseconds(20))
        try await EngineHarness.run(configuration: configuration) { h in
            h.schedulerRuns.withLock { $0 = false }
            try await h.shadowPodToRestoring()
            let first = try await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")
            try await h.refuseScheduling("app-0-shadow", message: Self.refusal)
            try await Task.sleep(for: .milliseconds(2100))
            _ = try await h.recreatedTarget("app-0-shadow", replacing: first)
            try await h.refuseScheduling("app-0-shadow", message: Self.refusal)
            try await Task.sleep(for: .milliseconds(2100))
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(m.status?.failureReason == "TargetUnschedulable")
            #expect(m.status?.failureMessage?.contains(Self.refusal) == true, "\(m.status?.failureMessage ?? "")")
            #expect(m.status?.failureMessage?.contains("on node node-c") == true)
            #expect(m.status?.failureMessage?.contains("tried node-b, node-c") == true, "\(m.status?.failureMessage ?? "")")
            #expect((try? await h.client.get(Pod.self, name: "app-0-shadow", namespace: "default")) == nil)
            #expect(try await h.client.get(Pod.self, name: "app-0", namespace: "default").status?.phase == .running)
        }
    }

    @Test("Sequential: once the source is gone, a refused target is given up after the patience and restored again on another node")
    func refusedAfterSourceGone() async throws {
        let configuration = EngineConfiguration(
            replayPollInterval: .milliseconds(20), restorePatience: .seconds(2), restoreBackoff: .milliseconds(20))
        try await EngineHarness.run(configuration: configuration) { h in
            h.schedulerRuns.withLock { $0 = false }
            _ = try await h.sequentialToRestoring()
            let first = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
            #expect(first.metadata.annotations?[NodePin.annotation] == "node-c")
            try await h.refuseScheduling("web-1", message: Self.refusal)
            try await h.reconcile()
            #expect(try await h.migration().status?.restore?.failedNodes == nil, "within the patience")
            try await Task.sleep(for: .milliseconds(2100))
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.restore?.failedNodes == ["node-c"])
            #expect(m.status?.restore?.lastFailure?.contains(Self.refusal) == true, "\(m.status?.restore?.lastFailure ?? "")")
            #expect(m.status?.targetNode == "node-b")
            h.schedulerRuns.withLock { $0 = true }
            let second = try await h.reconcileUntilReplaced(first)
            #expect(second.metadata.annotations?[NodePin.annotation] == "node-b")
            #expect(second.spec?.nodeName == "node-b", "bound by the scheduler")
            let consumer = try await h.serve(second)
            consumer.stop()
            #expect(try await h.phase() == .completed)
        }
    }

    @Test("a target pod admission refuses (403: quota, PodSecurity) fails the migration at once with the server's message")
    func rejectedByAdmission() async throws {
        try await EngineHarness.run { h in
            try await h.shadowPodTransferred()
            h.server.faults.inject(status: 403, method: .post, pathPrefix: "/api/v1/namespaces/default/pods", times: 1)
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(m.status?.failureReason == "TargetRejected")
            #expect(m.status?.failureMessage?.contains("refused target pod app-0-shadow") == true, "\(m.status?.failureMessage ?? "")")
            #expect(try await h.client.get(Pod.self, name: "app-0", namespace: "default").status?.phase == .running)
        }
    }
}
