@testable import ControllerRuntime
import KubeClient
import KubeModel
import KubeSim
import Logging
import Testing

@Suite("ControllerManager")
struct ManagerTests {
    @Test("graceful shutdown finishes the reconcile in flight, takes no new work, releases the lease and exits cleanly")
    func gracefulShutdown() async throws {
        try await withEmulator { _, client in
            let started = Shared<[String]>([])
            let finished = Shared<[String]>([])
            let cancelled = Shared(0)
            let manager = makeManager(client, leaderElection: election("solo"))
            manager.add(ControllerBuilder(named: "slow", for: ConfigMap.self)
                .build(reconciler: ReconcilerFunction { request in
                    started.withLock { $0.append(request.name) }
                    do {
                        try await Task.sleep(for: .milliseconds(400))
                    } catch {
                        cancelled.withLock { $0 += 1 }
                        throw error
                    }
                    finished.withLock { $0.append(request.name) }
                    return .done
                }))
            let running = RunningManager(manager)
            #expect(await eventually { manager.isLeading })
            _ = try await client.create(configMap("first"))
            #expect(await eventually { started.current == ["first"] })
            _ = try await client.create(configMap("second"))
            try await Task.sleep(for: .milliseconds(50))
            let result = await running.shutDownGracefully()
            #expect((try? result.get()) != nil)
            #expect(finished.current == ["first"], "the reconcile in flight completed")
            #expect(cancelled.current == 0)
            #expect(!started.current.contains("second"), "no new work after SIGTERM")
            #expect(try await leaseHolder(client) == "")
        }
    }

    /// Runs `body` with an event recorder writing to the emulator.
    func withRecorder(_ body: (EventRecorder, KubeClient) async throws -> Void) async throws {
        try await withEmulator { _, client in
            let recorder = EventRecorder(
                configuration: EventRecorderConfiguration(reportingController: "ms2m.io/test", reportingInstance: "test-0"),
                api: client, logger: quietLogger)
            let running = Task { await recorder.run() }
            defer { running.cancel() }
            try await body(recorder, client)
        }
    }

    @Test("duplicate events aggregate into one Event with a series count; different notes make new Events")
    func eventAggregation() async throws {
        try await withRecorder { recorder, client in
            let target = try await client.create(configMap("target"))
            for _ in 0..<5 {
                recorder.record(.warning, reason: "CheckpointFailed", action: "Checkpoint", note: "kubelet said no", regarding: target)
            }
            recorder.record(.normal, reason: "Migrated", action: "Migrate", note: "moved to node-b", regarding: target)
            let aggregated = await eventually {
                let events = (try? await client.list(Event.self, namespace: "default").items) ?? []
                return events.count == 2 && events.contains { $0.reason == "CheckpointFailed" && $0.series?.count == 5 }
            }
            #expect(aggregated)
            let events = try await client.list(Event.self, namespace: "default").items
            let failed = try #require(events.first { $0.reason == "CheckpointFailed" })
            #expect(failed.regarding?.name == "target" && failed.regarding?.kind == "ConfigMap")
            #expect(failed.reportingController == "ms2m.io/test" && failed.reportingInstance == "test-0")
            #expect(failed.type == .warning && failed.action == "Checkpoint" && failed.note == "kubelet said no")
            let migrated = try #require(events.first { $0.reason == "Migrated" })
            #expect(migrated.series == nil && migrated.type == .normal)
        }
    }

    // The API server refuses an events.k8s.io Event whose note exceeds 1024 bytes (422): the recorder cuts it so
    // the event is written rather than lost.
    @Test("a note longer than the API server's 1 KiB limit is cut on a character boundary and the event is written")
    func longNote() async throws {
        try await withRecorder { recorder, client in
            let target = try await client.create(configMap("target"))
            let note = String(repeating: "migration failed: é ", count: 200)
            recorder.record(.warning, reason: "RestoreFailed", action: "Restore", note: note, regarding: target)
            let written = await eventually { ((try? await client.list(Event.self, namespace: "default").items) ?? []).count == 1 }
            #expect(written)
            let stored = try #require(try await client.list(Event.self, namespace: "default").items.first?.note)
            #expect(stored.utf8.count <= 1024)
            #expect(stored.hasSuffix("…"))
            #expect(note.hasPrefix(String(stored.dropLast())))
        }
    }

    @Test("the per-object spam filter stops writes past its burst without blocking the caller")
    func spamFilter() async throws {
        var correlator = EventCorrelator(
            reportingController: "c", reportingInstance: "i", window: .seconds(360), objectBurst: 3, objectQPS: 1.0 / 300)
        let now = ContinuousClock.now
        let regarding = ObjectReference(kind: "Pod", namespace: "ns", name: "p", uid: "u")
        var writes = 0
        for index in 0..<10 {
            let pending = PendingEvent(
                regarding: regarding, type: .normal, reason: "R\(index)", action: "A", note: "n", time: .now())
            if case .create = correlator.observe(pending, now: now) { writes += 1 }
        }
        #expect(writes == 3)
    }

    @Test("/healthz, /readyz and /metrics answer; readiness waits for the caches")
    func endpoints() async throws {
        try await withEmulator { server, client in
            let manager = makeManager(client, leaderElection: election("web"), endpoints: BindAddress("127.0.0.1:0"))
            manager.add(ControllerBuilder(named: "web", for: ConfigMap.self)
                .build(reconciler: ReconcilerFunction { _ in .done }))
            let webhookListens = Shared(false)
            manager.addReadinessCheck("webhook") { webhookListens.withLock { $0 } }
            // Lists fail until cleared, so the cache cannot sync.
            server.faults.inject(status: 500, method: .get, pathPrefix: "/api/v1/configmaps", times: nil)
            let running = RunningManager(manager)
            let port = try #require(await manager.listeningPorts().healthProbes)
            let base = "http://127.0.0.1:\(port)"
            #expect(try await httpGet(base + "/healthz") == (200, "ok\n"))
            let notReady = try await httpGet(base + "/readyz")
            #expect(notReady.status == 503 && notReady.body.contains("configmaps") && notReady.body.contains("not ready: webhook"))
            // The failed list reached the port (after the client's own retries) and was counted.
            let failedList = #"rest_client_requests_total{code="500",verb="LIST",resource="configmaps"}"#
            #expect(await eventually { manager.metrics.exposition().contains(failedList) })
            server.faults.clear()
            _ = try await client.create(configMap("seen"))
            #expect(await eventually(timeout: .seconds(8)) { (try? await httpGet(base + "/readyz").body.contains("informers")) == false })
            // The extra readiness check (the webhook server listening) holds /readyz at 503 until it passes.
            #expect(try await httpGet(base + "/readyz") == (503, "not ready: webhook\n"))
            webhookListens.withLock { $0 = true }
            #expect(await eventually(timeout: .seconds(8)) { (try? await httpGet(base + "/readyz").status) == 200 })
            #expect(await eventually { manager.metrics.exposition().contains(#"controller_runtime_reconcile_total{controller="web",result="success"} 1"#) })
            let metrics = try await httpGet(base + "/metrics")
            #expect(metrics.status == 200)
            for family in [
                "workqueue_depth", "workqueue_adds_total", "workqueue_queue_duration_seconds_bucket",
                "workqueue_work_duration_seconds_bucket", "workqueue_retries_total", "controller_runtime_reconcile_total",
                "controller_runtime_reconcile_errors_total", "controller_runtime_reconcile_time_seconds_bucket",
                "rest_client_requests_total", "rest_client_request_duration_seconds_bucket",
                "leader_election_master_status",
            ] {
                #expect(metrics.body.contains(family), "missing \(family)")
            }
            #expect(metrics.body.contains(failedList))
            #expect(try await httpGet(base + "/nope").status == 404)
            await running.shutDownGracefully()
        }
    }

    @Test("reconcile log lines carry the controller, the object key and a reconcile ID, in JSON")
    func structuredLogs() async throws {
        try await withEmulator { _, client in
            let lines = Shared<[String]>([])
            let writer = LogLineWriter { line in lines.withLock { $0.append(line) } }
            let factory = LogFormat.json.handlerFactory(level: .debug, writer: writer)
            let logger = Logger(label: "ms2m.test", factory: factory)
            let manager = ControllerManager(
                api: client,
                configuration: ManagerConfiguration(healthProbeAddress: nil, metricsAddress: nil),
                logger: logger)
            manager.add(ControllerBuilder(named: "logging", for: ConfigMap.self)
                .build(reconciler: ReconcilerFunction { _ in
                    // A reconciler's own logger picks the scope up through the metadata provider.
                    Logger(label: "ms2m.reconciler", factory: factory).info("Observed object")
                    return .done
                }))
            let running = RunningManager(manager)
            _ = try await client.create(configMap("logged"))
            #expect(await eventually { lines.current.contains { $0.contains(#""msg":"Reconciled object""#) } })
            await running.shutDownGracefully()
            let reconciled = try #require(lines.current.first { $0.contains(#""msg":"Reconciled object""#) })
            let observed = try #require(lines.current.first { $0.contains(#""msg":"Observed object""#) })
            for line in [reconciled, observed] {
                #expect(line.contains(#""controller":"logging""#))
                #expect(line.contains(#""key":"default/logged""#))
                #expect(line.contains(#""reconcileID":""#))
                #expect(line.hasPrefix("{") && line.hasSuffix("}\n"))
            }
            let id = { (line: String) in line.components(separatedBy: #""reconcileID":""#)[1].prefix(32) }
            #expect(id(reconciled) == id(observed), "one reconcile, one ID")
        }
    }
}
