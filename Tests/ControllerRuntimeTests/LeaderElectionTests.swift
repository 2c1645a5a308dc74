@testable import ControllerRuntime
import KubeClient
import KubeModel
import KubeSim
import Testing

func election(
    _ identity: String, leaseDuration: Duration = .seconds(1), renewDeadline: Duration = .milliseconds(500),
    retryPeriod: Duration = .milliseconds(100), releaseOnCancel: Bool = true
) -> LeaderElectionConfiguration {
    LeaderElectionConfiguration(
        leaseName: "ms2m-leader", leaseNamespace: "default", identity: identity, leaseDuration: leaseDuration,
        renewDeadline: renewDeadline, retryPeriod: retryPeriod, releaseOnCancel: releaseOnCancel)
}

func leaseHolder(_ client: KubeClient) async throws -> String? {
    try await client.get(Lease.self, name: "ms2m-leader", namespace: "default").spec?.holderIdentity
}

@Suite("Leader election between two managers")
struct LeaderElectionTests {
    @Test("exactly one of two managers leads, and the lease names it")
    func exactlyOneLeads() async throws {
        try await withEmulator { server, client in
            let managers = ["a", "b"].map { makeManager(makeClient(server), leaderElection: election($0)) }
            let running = managers.map(RunningManager.init)
            #expect(await eventually { managers.contains(where: \.isLeading) })
            // Watch both for longer than a lease duration: never two leaders, always one.
            var samples = 0
            let until = ContinuousClock.now + .milliseconds(1500)
            while ContinuousClock.now < until {
                #expect(managers.filter(\.isLeading).count == 1)
                samples += 1
                try await Task.sleep(for: .milliseconds(20))
            }
            let leader = managers.first(where: \.isLeading)!
            #expect(try await leaseHolder(client) == leader.leaderElector?.configuration.identity)
            #expect(leader.metrics.exposition().contains(#"leader_election_master_status{name="ms2m-leader"} 1"#))
            for manager in running { await manager.shutDownGracefully() }
            _ = samples
        }
    }

    @Test("when the leader stops renewing without releasing, the other takes over within leaseDuration + retryPeriod")
    func takeoverAfterExpiry() async throws {
        try await withEmulator { server, client in
            let configurations = ["a", "b"].map { election($0, releaseOnCancel: false) }
            let managers = configurations.map { makeManager(makeClient(server), leaderElection: $0) }
            let running = managers.map(RunningManager.init)
            #expect(await eventually { managers.contains(where: \.isLeading) })
            let leaderIndex = managers.firstIndex(where: \.isLeading)!
            let follower = managers[1 - leaderIndex]
            // Let the follower observe a few renewals first.
            try await Task.sleep(for: .milliseconds(300))
            let stopped = ContinuousClock.now
            await running[leaderIndex].cancel()
            #expect(try await leaseHolder(client) == configurations[leaderIndex].identity, "the lease was not released")
            #expect(await eventually(timeout: .seconds(3)) { follower.isLeading })
            let takeover = ContinuousClock.now - stopped
            let bound = configurations[0].leaseDuration + configurations[0].retryPeriod
            #expect(takeover <= bound + .milliseconds(250), "took \(takeover), bound \(bound)")
            #expect(takeover >= configurations[0].leaseDuration - configurations[0].retryPeriod, "took over before the lease expired")
            #expect(try await leaseHolder(client) == configurations[1 - leaderIndex].identity)
            await running[1 - leaderIndex].shutDownGracefully()
        }
    }

    @Test("a leader that shuts down releases the lease so the other takes over at once")
    func releaseOnShutdown() async throws {
        try await withEmulator { server, client in
            // A long lease: only a release explains a fast takeover.
            let configurations = ["a", "b"].map {
                election($0, leaseDuration: .seconds(20), renewDeadline: .seconds(10), retryPeriod: .milliseconds(100))
            }
            let managers = configurations.map { makeManager(makeClient(server), leaderElection: $0) }
            let running = managers.map(RunningManager.init)
            #expect(await eventually { managers.contains(where: \.isLeading) })
            let leaderIndex = managers.firstIndex(where: \.isLeading)!
            let stopped = ContinuousClock.now
            let result = await running[leaderIndex].shutDownGracefully()
            #expect((try? result.get()) != nil, "graceful shutdown exits cleanly")
            #expect(await eventually(timeout: .seconds(2)) { managers[1 - leaderIndex].isLeading })
            #expect(ContinuousClock.now - stopped < .seconds(1))
            await running[1 - leaderIndex].shutDownGracefully()
            let holder = try await leaseHolder(client)
            #expect(holder == "", "the last leader released too")
        }
    }

    @Test("a leader whose renewals fail past the renew deadline stops its controllers and exits with an error")
    func losesLeadership() async throws {
        try await withEmulator { server, client in
            let log = ReconcileLog()
            let manager = makeManager(client, leaderElection: election("a"))
            manager.add(ControllerBuilder(named: "lossy", for: ConfigMap.self)
                .build(reconciler: ReconcilerFunction { request in
                    _ = log.record(request)
                    return .done
                }))
            let running = RunningManager(manager)
            #expect(await eventually { manager.isLeading })
            server.faults.inject(status: 500, method: .put, pathPrefix: "/apis/coordination.k8s.io", times: nil)
            let failed = ContinuousClock.now
            let result = await running.task.value
            let elapsed = ContinuousClock.now - failed
            server.faults.clear()
            #expect(throws: LeaderElectionError.self) { try result.get() }
            #expect(elapsed < .seconds(2))
            #expect(!manager.isLeading)
            // Stopped controllers no longer reconcile.
            let before = log.calls.current.count
            _ = try await client.create(configMap("after-loss"))
            try await Task.sleep(for: .milliseconds(200))
            #expect(log.calls.current.count == before)
        }
    }

    @Test("lease decisions follow client-go: create, hold off until local expiry, take over, keep acquire time on renew")
    func leaseDecisions() {
        let start = ContinuousClock.now
        let wall = MicroTime(epochSeconds: 1_000)
        var state = LeaseElectionState(identity: "me", leaseDuration: .seconds(15))
        guard case .create(let created) = state.decide(current: nil, exists: false, now: start, wallClock: wall) else {
            Issue.record("expected create")
            return
        }
        #expect(created.holderIdentity == "me" && created.leaseDurationSeconds == 15 && created.leaseTransitions == 0)

        // Someone else holds it with a renew time far in the past by *their* clock: still not expired for us,
        // because we only just observed the record.
        let other = LeaseSpec(
            holderIdentity: "other", leaseDurationSeconds: 15, acquireTime: MicroTime(epochSeconds: 1),
            renewTime: MicroTime(epochSeconds: 1), leaseTransitions: 3)
        #expect(state.decide(current: other, exists: true, now: start, wallClock: wall) == .heldByOther(holder: "other", expiresAt: start + .seconds(15)))
        // Unchanged for 15 s of local time: expired, take over with one more transition.
        guard case .update(let taken) = state.decide(current: other, exists: true, now: start + .seconds(15), wallClock: wall) else {
            Issue.record("expected takeover")
            return
        }
        #expect(taken.holderIdentity == "me" && taken.leaseTransitions == 4 && taken.acquireTime == wall)
        state.wrote(taken, at: start + .seconds(15))
        // Renewing keeps acquire time and transitions.
        let later = MicroTime(epochSeconds: 1_010)
        guard case .update(let renewed) = state.decide(current: taken, exists: true, now: start + .seconds(17), wallClock: later) else {
            Issue.record("expected renew")
            return
        }
        #expect(renewed.acquireTime == wall && renewed.renewTime == later && renewed.leaseTransitions == 4)
        // A released lease (empty holder) is taken at once.
        let released = LeaseSpec(holderIdentity: "", leaseDurationSeconds: 1, leaseTransitions: 5)
        var fresh = LeaseElectionState(identity: "b", leaseDuration: .seconds(15))
        guard case .update(let acquired) = fresh.decide(current: released, exists: true, now: start, wallClock: wall) else {
            Issue.record("expected acquire of a released lease")
            return
        }
        #expect(acquired.holderIdentity == "b" && acquired.leaseTransitions == 6)
        #expect(fresh.releaseRecord(from: acquired, wallClock: wall)?.holderIdentity == "")
        #expect(fresh.releaseRecord(from: other, wallClock: wall) == nil, "only the holder releases")
    }
}
