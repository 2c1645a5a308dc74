import Foundation
import KubeModel
import MigrationAPI
@testable import MigrationEngine
import OperatorCore
import Placement
import Testing
import Unstructured

@Suite("RestoreRecovery: what to do about a target that does not serve once the source is gone")
struct RestoreRecoveryRuleTests {
    static let rule = RestoreRecovery(maxAttempts: 3, deadlineSeconds: 600, patienceSeconds: 90, backoffSeconds: 2)

    static func pod(waiting reason: String? = nil, restarts: Int = 0, terminated: Int? = nil, phase: PodPhase = .pending) -> Pod {
        var pod = Pod(metadata: ObjectMeta(name: "web-1", namespace: "default"), spec: PodSpec(containers: [Container(name: "app")]))
        pod.spec?.nodeName = "node-b"
        var status = PodStatus()
        status.phase = phase
        var container = ContainerStatus(name: "app", ready: false, restartCount: restarts)
        var state = ContainerState()
        if let reason { state.waiting = ContainerStateWaiting(reason: reason, message: "injected") }
        if let terminated { state.terminated = ContainerStateTerminated(exitCode: terminated) }
        container.state = state
        status.containerStatuses = [container]
        pod.status = status
        return pod
    }

    /// A target pinned to node-b that the scheduler has not bound: refused with `refusal`, or not looked at yet.
    static func unbound(refusal: String?) -> Pod {
        var pod = Pod(metadata: ObjectMeta(name: "web-1", namespace: "default"), spec: PodSpec(containers: [Container(name: "app")]))
        NodePin.pin(&pod, to: "node-b")
        var status = PodStatus()
        status.phase = .pending
        if let refusal {
            status.conditions = [PodCondition(type: .podScheduled, status: .false, reason: "Unschedulable", message: refusal)]
        }
        pod.status = status
        return pod
    }

    @Test("a target the scheduler refused reports the scheduler's message and the node it was pinned to")
    func unschedulableMessage() {
        let refused = RestoreRecovery.problem(
            of: Self.unbound(refusal: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."),
            node: Self.node(ready: true))
        #expect(refused?.message == "pod web-1 on node node-b: scheduler default-scheduler did not bind it (Unschedulable): 0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.")
        var custom = Self.unbound(refusal: nil)
        custom.spec?.schedulerName = "volcano"
        #expect(RestoreRecovery.podProblem(custom) == .unschedulable("scheduler volcano has not bound it yet"))
    }

    static func node(ready: Bool) -> Node {
        var node = Node(metadata: ObjectMeta(name: "node-b"))
        var status = NodeStatus()
        status.conditions = [NodeCondition(type: .ready, status: ready ? .true : .false)]
        node.status = status
        return node
    }

    @Test("failures are sorted by what can be done about them")
    func classification() {
        let ready = Self.node(ready: true)
        let cases: [(Pod, Node?, String)] = [
            (Self.pod(), ready, "none"),
            (Self.pod(waiting: "ContainerCreating"), ready, "none"),
            (Self.pod(waiting: "ErrImagePull"), ready, "transient"),
            (Self.pod(waiting: "ImagePullBackOff"), ready, "transient"),
            (Self.pod(waiting: "CreateContainerError"), ready, "transient"),
            (Self.pod(waiting: "CrashLoopBackOff", restarts: 3, phase: .running), ready, "crashed"),
            (Self.pod(restarts: 1, phase: .running), ready, "crashed"),
            (Self.pod(terminated: 137, phase: .running), ready, "crashed"),
            (Self.pod(phase: .failed), ready, "crashed"),
            (Self.pod(waiting: "InvalidImageName"), ready, "unrecoverable"),
            (Self.pod(waiting: "ErrImageNeverPull"), ready, "unrecoverable"),
            (Self.pod(), Self.node(ready: false), "nodeLost"),
            (Self.pod(waiting: "ErrImagePull"), nil, "nodeLost"),
            (Self.unbound(refusal: nil), ready, "unschedulable"),
            (Self.unbound(refusal: "0/3 nodes are available: 1 Insufficient cpu."), ready, "unschedulable"),
            (Self.unbound(refusal: nil), nil, "nodeLost"),
        ]
        for (pod, node, expected) in cases {
            let kind: String =
                switch RestoreRecovery.problem(of: pod, node: node) {
                case nil: "none"
                case .transient?: "transient"
                case .crashed?: "crashed"
                case .nodeLost?: "nodeLost"
                case .unrecoverable?: "unrecoverable"
                case .unschedulable?: "unschedulable"
                }
            #expect(kind == expected, "\(pod.status?.containerStatuses?.first?.state as Any) on a node ready: \(node?.isReady as Any)")
        }
    }

    @Test("transient failures are waited out for the patience, then retried elsewhere; crashes at once; all within the budget")
    func decisions() {
        let rule = Self.rule
        let transient = RestoreProblem.transient("pull")
        let crashed = RestoreProblem.crashed("crash")
        #expect(rule.next(problem: transient, attempts: 1, sinceFirst: 10, sinceAttempt: 10) == .wait(.seconds(5)))
        #expect(rule.next(problem: transient, attempts: 1, sinceFirst: 100, sinceAttempt: 100) == .retry(failure: "pull"))
        #expect(rule.next(problem: crashed, attempts: 1, sinceFirst: 1, sinceAttempt: 1) == .retry(failure: "crash"))
        #expect(rule.next(problem: .unschedulable("refused"), attempts: 1, sinceFirst: 10, sinceAttempt: 10) == .wait(.seconds(5)))
        #expect(rule.next(problem: .unschedulable("refused"), attempts: 1, sinceFirst: 100, sinceAttempt: 100) == .retry(failure: "refused"))
        #expect(rule.next(problem: .nodeLost("gone"), attempts: 2, sinceFirst: 1, sinceAttempt: 1) == .retry(failure: "gone"))
        guard case .giveUp(let exhausted) = rule.next(problem: crashed, attempts: 3, sinceFirst: 1, sinceAttempt: 1) else {
            Issue.record("the third failed attempt of three gives up")
            return
        }
        #expect(exhausted.contains("spec.restore.maxAttempts is 3"))
        guard case .giveUp(let late) = rule.next(problem: transient, attempts: 1, sinceFirst: 601, sinceAttempt: 1) else {
            Issue.record("past the deadline, even a transient failure gives up")
            return
        }
        #expect(late.contains("deadline"))
        guard case .giveUp = rule.next(problem: .unrecoverable("bad name"), attempts: 1, sinceFirst: 1, sinceAttempt: 1) else {
            Issue.record("an unrecoverable failure gives up at once")
            return
        }
        #expect(rule.next(problem: nil, attempts: 1, sinceFirst: 590, sinceAttempt: 590) == .wait(.seconds(10)))
        guard case .giveUp = rule.next(problem: nil, attempts: 1, sinceFirst: 600, sinceAttempt: 600) else {
            Issue.record("a target that never becomes ready gives up at the deadline")
            return
        }
        #expect(rule.backoff(beforeAttempt: 2) == .seconds(2))
        #expect(rule.backoff(beforeAttempt: 4) == .seconds(8))
        #expect(rule.backoff(beforeAttempt: 20) == .seconds(30))
    }

    @Test("while the source runs: a transient failure is waited out for the patience, then given up; anything else at once")
    func decisionsWhileSourceRuns() {
        let rule = Self.rule
        #expect(rule.nextWhileSourceRuns(problem: .transient("pull"), sinceCreated: 1) == .wait(.seconds(5)))
        #expect(rule.nextWhileSourceRuns(problem: .transient("pull"), sinceCreated: 88) == .wait(.seconds(2)))
        #expect(rule.nextWhileSourceRuns(problem: .transient("pull"), sinceCreated: 90) == .giveUp(failure: "pull (still failing after 90 s)"))
        #expect(rule.nextWhileSourceRuns(problem: .unschedulable("refused"), sinceCreated: 1) == .wait(.seconds(5)))
        #expect(rule.nextWhileSourceRuns(problem: .unschedulable("refused"), sinceCreated: 95) == .giveUp(failure: "refused (still failing after 90 s)"))
        for problem in [RestoreProblem.crashed("crash"), .nodeLost("gone"), .unrecoverable("bad name")] {
            #expect(rule.nextWhileSourceRuns(problem: problem, sinceCreated: 1) == .giveUp(failure: problem.message))
        }
    }
}

extension EngineHarness {
    /// A StatefulSet `web` of three pods on node-a and a Sequential migration of web-1 to node-c, carried to
    /// Restoring with its first target created.
    func sequentialToRestoring(restore: RestorePolicy? = nil) async throws -> (set: StatefulSet, source: Pod) {
        try await standardNodes()
        let set = try await statefulSet("web", replicas: 3)
        let owner = OwnerReference(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: set.metadata.uid!, controller: true, blockOwnerDeletion: true)
        var source: Pod?
        for i in 0..<3 {
            let pod = try await addRunningPod("web-\(i)", node: "node-a", labels: ["app": "web", "controller-revision-hash": "web-1"], owner: owner, cpu: "100m")
            if i == 1 { source = pod }
        }
        try await setUpBroker()
        var spec = spec(source: "web-1", target: "node-c")
        spec.restore = restore
        try await createMigration(spec: spec)
        try await reconcile()
        try await completeTransferJob(for: try await migration())
        try await reconcile(while: .transferring)
        try await reconcile(while: .restoring, attempts: 40)
        return (set, source!)
    }

    /// Makes the current target `web-1` look crashed (its restored process exited and was restarted).
    func crashTarget(_ name: String = "web-1") async throws {
        var target = try await client.get(Pod.self, name: name, namespace: "default")
        var status = PodStatus()
        status.phase = .running
        var container = ContainerStatus(name: "app", ready: false, restartCount: 2)
        var state = ContainerState()
        state.waiting = ContainerStateWaiting(reason: "CrashLoopBackOff", message: "back-off restarting failed container")
        container.state = state
        status.containerStatuses = [container]
        target.status = status
        _ = try await client.updateStatus(target)
    }

    /// Annotates the migration as `kubectl annotate` does (a merge patch).
    func annotate(_ annotations: [String: String]) async throws {
        var values: JSONObject = [:]
        for (key, value) in annotations { values[key] = .string(value) }
        let patch: JSONValue = ["metadata": ["annotations": .object(values)]]
        _ = try await client.patch(
            StatefulMigration.self, name: "move", namespace: "default", patch: .merge(patch), subresource: nil,
            options: WriteOptions())
    }
}

@Suite("engine: restore after the source is gone — retried, or the state retained", .serialized)
struct RestoreRetryFlowTests {
    static let fast = EngineConfiguration(
        replayPollInterval: .milliseconds(20), restorePatience: .milliseconds(300), restoreBackoff: .milliseconds(20))

    @Test("a crashed target is given up and the pod restored again from the same image on another node; the StatefulSet waits")
    func retriedOnAnotherNode() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            let (set, _) = try await h.sequentialToRestoring()
            let first = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
            #expect(first.spec?.nodeName == "node-c")
            try await h.crashTarget()
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.restore?.failedNodes == ["node-c"])
            #expect(m.status?.restore?.lastFailure?.contains("the restored process crashed") == true)
            #expect(m.status?.targetNode == "node-b", "the other node that fits (node-a is the source)")
            #expect(h.events.reasons.current.contains("RestoreRetry"))
            // The next attempt, after the backoff, on node-b from the same image; the StatefulSet is still away.
            let second = try await h.reconcileUntilReplaced(first)
            #expect(second.metadata.uid != first.metadata.uid)
            #expect(second.spec?.nodeName == "node-b")
            #expect(second.spec?.containers.first?.image == first.spec?.containers.first?.image)
            m = try await h.migration()
            #expect(m.status?.restore?.attempts == 2)
            #expect((try? await h.client.get(StatefulSet.self, name: "web", namespace: "default")) == nil)
            #expect(h.images.deleted.current.isEmpty)
            let consumer = try await h.serve(second)
            consumer.stop()
            #expect(try await h.phase() == .completed)
            let recreated = try await h.client.get(StatefulSet.self, name: "web", namespace: "default")
            #expect(recreated.metadata.uid != set.metadata.uid)
            #expect(h.images.deleted.current.count == 1, "the image goes only once a pod restored from it serves")
        }
    }

    @Test("the target's node going NotReady during Restoring: restored again at once on a node that is Ready")
    func targetNodeNotReady() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            _ = try await h.sequentialToRestoring()
            let first = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
            #expect(first.spec?.nodeName == "node-c")
            var node = try await h.client.get(Node.self, name: "node-c", namespace: nil)
            node.status?.conditions = [NodeCondition(type: .ready, status: .unknown)]
            _ = try await h.client.updateStatus(node)
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.restore?.failedNodes == ["node-c"])
            #expect(m.status?.restore?.lastFailure?.contains("not Ready") == true)
            #expect(m.status?.targetNode == "node-b")
            let second = try await h.reconcileUntilReplaced(first)
            #expect(second.spec?.nodeName == "node-b")
            let consumer = try await h.serve(second)
            consumer.stop()
            #expect(try await h.phase() == .completed)
        }
    }

    @Test("a target lost while replaying: restored again, the replay queue rebuilt from the journal — nothing the lost target consumed is missing")
    func lostWhileReplaying() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            _ = try await h.sequentialToRestoring()
            try await h.publish(1...10)
            // The source applied these from the primary queue before it was deleted: their only copies are in
            // the replay queue and the journal.
            var taken = 0
            for try await delivery in h.broker.consume(queue: "orders", prefetch: 10) {
                try await h.broker.ack(delivery)
                taken += 1
                if taken == 10 { break }
            }
            #expect(try await h.broker.queueStatus("orders.ms2m-journal")?.messageCount == 10)
            let first = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
            let lost = ReplayConsumer()
            lost.start(broker: h.broker, pod: "web-1", primary: "orders")
            try await h.markRunning(first)
            try await h.reconcile()
            #expect(try await h.phase() == .replaying)
            for _ in 0..<200 where lost.applied.current.count < 10 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(lost.applied.current.count == 10, "the first target replayed everything, then it is lost")
            lost.stop()
            try await h.crashTarget()
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.replay?.rebuildNeeded == true)
            #expect(m.status?.restore?.lastFailure?.hasPrefix("while replaying") == true)
            try await h.publish(11...15)  // while the pod is restored again
            let second = try await h.reconcileUntilReplaced(first)
            #expect(second.metadata.uid != first.metadata.uid)
            let consumer = try await h.serve(second)
            #expect(try await h.phase() == .completed)
            for _ in 0..<200 where consumer.applied.current.count < 15 { try await Task.sleep(for: .milliseconds(10)) }
            consumer.stop()
            #expect(Set(consumer.applied.current) == Set((1...15).map { "m-\($0)" }))
            m = try await h.migration()
            #expect(m.status?.replay?.rebuilds == 1)
            #expect(m.status?.restore?.attempts == 2)
            #expect(h.events.reasons.current.contains("ReplayQueueRebuilt"))
            #expect(try await h.broker.queueStatus("orders.ms2m-journal") == nil)
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
            #expect((try? await h.client.get(StatefulSet.self, name: "web", namespace: "default")) != nil)
        }
    }

    @Test("a target lost in Finalizing, before the journal goes: restored again, nothing it had applied is missing")
    func lostWhileFinalizing() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            _ = try await h.sequentialToRestoring()
            try await h.publish(1...5)
            var taken = 0
            for try await delivery in h.broker.consume(queue: "orders", prefetch: 5) {  // the source applied them
                try await h.broker.ack(delivery)
                taken += 1
                if taken == 5 { break }
            }
            let first = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
            try await h.markRunning(first)
            try await h.reconcile()
            #expect(try await h.phase() == .replaying)
            // The first target replays everything and then hangs on to the replay queue (it never obeys END_REPLAY).
            let hung = Task {
                for try await delivery in h.broker.consume(queue: "orders.ms2m-replay", prefetch: 10) { try await h.broker.ack(delivery) }
            }
            defer { hung.cancel() }
            try await h.reconcile(while: .replaying)
            #expect(try await h.phase() == .finalizing)
            try await h.crashTarget()
            try await Task.sleep(for: .milliseconds(1100))  // the next check of the target is due
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.finalizingSteps == nil)
            #expect(m.status?.replay?.rebuildNeeded == true)
            #expect(m.status?.restore?.lastFailure?.hasPrefix("while finalizing") == true)
            hung.cancel()
            let second = try await h.reconcileUntilReplaced(first)
            let consumer = try await h.serve(second)
            #expect(try await h.phase() == .completed)
            for _ in 0..<200 where consumer.applied.current.count < 5 { try await Task.sleep(for: .milliseconds(10)) }
            consumer.stop()
            #expect(Set(consumer.applied.current) == Set((1...5).map { "m-\($0)" }))
            #expect(try await h.broker.queueStatus("orders.ms2m-journal") == nil)
        }
    }

    @Test("attempts exhausted: Failed with the state retained and reported; Resume onto a named node completes it")
    func retainedThenResumed() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            _ = try await h.sequentialToRestoring(restore: RestorePolicy(maxAttempts: 1))
            try await h.publish(1...4)  // after the capture: in the replay queue (and the primary queue)
            try await h.crashTarget()
            try await h.reconcile()
            var m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(m.status?.failureReason == "RestoreFailed")
            let retained = try #require(m.status?.retainedState)
            #expect(retained.image == m.status?.checkpointImage)
            #expect(retained.replayQueue == "orders.ms2m-replay")
            #expect(retained.replayQueueDepth == 4)
            #expect(retained.statefulSet == "web")
            let condition = try #require(m.status?.conditions?.first { $0.type == "StateRetained" })
            #expect(condition.status == .true)
            #expect(condition.message?.contains("migration.ms2m.io/recover=Resume") == true)
            #expect(m.metadata.finalizers == [MigrationNames.finalizer], "deleting it must go through the rollback")
            #expect(h.events.reasons.current.contains("StateRetained"))
            // Nothing is thrown away and nothing starts fresh.
            #expect(h.images.deleted.current.isEmpty)
            #expect(try await h.broker.queueStatus("orders.ms2m-replay")?.messageCount == 4)
            #expect((try? await h.client.get(StatefulSet.self, name: "web", namespace: "default")) == nil)
            #expect((try? await h.client.get(Pod.self, name: "web-1", namespace: "default")) == nil)
            // Reconciling again changes nothing; a misspelt decision is reported, not guessed at.
            try await h.reconcile()
            #expect(try await h.migration().status?.phase == .failed)
            try await h.annotate([RecoveryAnnotation.action: "resume"])
            try await h.reconcile()
            #expect(try await h.migration().status?.phase == .failed)
            #expect(h.events.reasons.current.contains("RecoveryAnnotationInvalid"))

            try await h.annotate([RecoveryAnnotation.action: RecoveryAnnotation.resume, RecoveryAnnotation.targetNode: "node-b"])
            try await h.reconcile()
            m = try await h.migration()
            #expect(m.status?.phase == .restoring)
            #expect(m.status?.targetNode == "node-b")
            #expect(m.status?.failureReason == nil)
            #expect(m.status?.retainedState == nil)
            #expect(m.status?.restore?.attempts == 1)
            #expect(m.metadata.annotations?[RecoveryAnnotation.action] == nil)
            #expect(m.status?.conditions?.first { $0.type == "Failed" }?.status == .false)
            let target = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
            #expect(target.spec?.nodeName == "node-b")
            let consumer = try await h.serve(target)
            consumer.stop()
            #expect(try await h.phase() == .completed)
            #expect((try? await h.client.get(StatefulSet.self, name: "web", namespace: "default")) != nil)
        }
    }

    @Test("a sibling's migration waits while another holds the StatefulSet, and fails while one retains its state")
    func siblingsWait() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            _ = try await h.sequentialToRestoring(restore: RestorePolicy(maxAttempts: 1))
            // web-0 lost its owner with the orphan-delete; it must not be taken for a bare pod.
            try await h.createMigration("second", spec: h.spec(source: "web-0", target: "node-b"))
            try await h.reconcile("second")
            #expect(try await h.phase("second") == .pending)
            #expect(h.kubelet.calls.current.count == 1, "only the first migration checkpointed")
            try await h.crashTarget()
            try await h.reconcile()
            #expect(try await h.migration().status?.retainedState != nil)
            try await h.reconcile("second")
            let second = try await h.migration("second")
            #expect(second.status?.phase == .failed)
            #expect(second.status?.failureReason == "StatefulSetHeld")
            #expect(second.status?.failureMessage?.contains("StatefulMigration default/move") == true)
            #expect(try await h.client.get(Pod.self, name: "web-0", namespace: "default").spec?.nodeName == "node-a")
        }
    }

    @Test("DiscardState (or deleting the migration) gives the state up: the StatefulSet is back, image and replay queue gone")
    func discarded() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            _ = try await h.sequentialToRestoring(restore: RestorePolicy(maxAttempts: 1))
            try await h.crashTarget()
            try await h.reconcile()
            #expect(try await h.migration().status?.retainedState != nil)
            try await h.annotate([RecoveryAnnotation.action: RecoveryAnnotation.discardState])
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(m.status?.rollbackSteps?.contains("RolledBack") == true)
            #expect(m.status?.conditions?.first { $0.type == "StateRetained" }?.status == .false)
            #expect(m.metadata.finalizers ?? [] == [])
            #expect(m.metadata.annotations?[RecoveryAnnotation.action] == nil)
            #expect((try? await h.client.get(StatefulSet.self, name: "web", namespace: "default")) != nil)
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
            #expect(h.images.deleted.current.count == 1)
        }
    }

    @Test("restore.onFailure: StartFresh restarts the ordinal without its state, as asked")
    func startFresh() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            _ = try await h.sequentialToRestoring(restore: RestorePolicy(maxAttempts: 1, onFailure: RestoreFailureAction.startFresh))
            try await h.crashTarget()
            try await h.reconcile()
            let m = try await h.migration()
            #expect(m.status?.phase == .failed)
            #expect(m.status?.retainedState == nil)
            #expect(m.metadata.finalizers ?? [] == [])
            #expect((try? await h.client.get(StatefulSet.self, name: "web", namespace: "default")) != nil)
            #expect(h.images.deleted.current.count == 1)
        }
    }

    @Test("a healthy target kept by a rollback before START_REPLAY gets every replay-queue message back through the primary queue")
    func keptTargetGetsTheReplayQueue() async throws {
        try await EngineHarness.run(configuration: Self.fast) { h in
            _ = try await h.sequentialToRestoring()
            try await h.publish(1...5)
            let primaryBefore = try await h.broker.queueStatus("orders")?.messageCount ?? 0
            let target = try await h.client.get(Pod.self, name: "web-1", namespace: "default")
            _ = try await h.markRunning(target)
            _ = try await h.client.delete(StatefulMigration.self, name: "move", namespace: "default", options: DeleteOptions())
            for _ in 0..<50 {
                if (try? await h.migration()) == nil { break }
                try? await h.reconcile()
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect((try? await h.migration()) == nil)
            #expect(try await h.client.get(Pod.self, name: "web-1", namespace: "default").metadata.uid == target.metadata.uid)
            #expect(try await h.broker.queueStatus("orders.ms2m-replay") == nil)
            #expect(try await h.broker.queueStatus("orders")?.messageCount == primaryBefore + 5, "the 5 replay copies went back to the primary queue")
            #expect((try? await h.client.get(StatefulSet.self, name: "web", namespace: "default")) != nil)
        }
    }
}
