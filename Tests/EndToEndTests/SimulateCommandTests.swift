import Foundation
@testable import MS2MCLI
import Testing

/// `ms2m simulate`'s core, run in the test process: the whole installation in-process (KubeSim, simulated
/// nodes, in-process broker, OCI layout, the operator), nothing installed.
@Suite("ms2m simulate", .serialized)
struct SimulateCommandTests {
    private func settings(_ scenario: SimulationScenario) -> SimulationSettings {
        var settings = SimulationSettings(scenario: scenario)
        settings.rate = 10
        settings.warmup = .milliseconds(500)
        settings.settle = .milliseconds(500)
        return settings
    }

    @Test("the default scenario drains node-a: every message applied exactly once, nothing left behind")
    func defaultScenario() async throws {
        let report = try await Simulation(settings: settings(try .builtIn())).run()
        #expect(report.success, "\(report.problems)")
        #expect(!report.migrations.isEmpty)
        #expect(report.migrations.allSatisfy { $0.phase == "Completed" })
        #expect(report.consumers.count == 3)
        for consumer in report.consumers {
            #expect(consumer.produced > 0)
            #expect(consumer.lost == 0, "\(consumer.pod) lost \(consumer.lostExamples)")
            #expect(consumer.applied == Int64(consumer.produced), "\(consumer.pod): applied \(consumer.applied) of \(consumer.produced)")
            #expect(consumer.nodeAfter != report.drainNode)
        }
        #expect(report.leftovers.isEmpty, "\(report.leftovers.all)")
        // The JSON document carries the verdict.
        let json = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        #expect(json?["success"] as? Bool == true)
        #expect(json?["lost"] as? Int == 0)
    }

    @Test("--transfer-mode agent: the source node's ms2m-agent pushes the checkpoints (authenticated through the emulator's TokenReview and SubjectAccessReview); with no agent on the source node a Job does")
    func transferByAgents() async throws {
        var agents = settings(try .builtIn())
        agents.transferAgents = true
        let report = try await Simulation(settings: agents).run()
        #expect(report.success, "\(report.problems)")
        #expect(!report.migrations.isEmpty)
        for migration in report.migrations {
            #expect(migration.phase == "Completed")
            #expect(migration.transferMethod == "Agent" && migration.transferFallback == nil, "\(migration.transferFallback ?? "")")
        }
        for consumer in report.consumers { #expect(consumer.lost == 0 && consumer.applied == Int64(consumer.produced)) }
        #expect(report.leftovers.isEmpty, "\(report.leftovers.all)")

        var missing = agents
        missing.agentNodes = ["node-b", "node-c"]
        let fallback = try await Simulation(settings: missing).run()
        #expect(fallback.success, "\(fallback.problems)")
        #expect(!fallback.migrations.isEmpty && fallback.migrations.allSatisfy { $0.transferMethod == "Job" && $0.phase == "Completed" })
        #expect(fallback.leftovers.isEmpty, "\(fallback.leftovers.all)")
    }

    @Test("scenarios/multi-container.yaml: consumer and stateful sidecar both keep their state across the migration; a sidecar left out starts empty and the run says so")
    func multiContainerScenario() async throws {
        let path = "\(repositoryRoot)/scenarios/multi-container.yaml"
        let report = try await Simulation(settings: settings(try .load(path))).run()
        #expect(report.success, "\(report.problems)")
        #expect(!report.migrations.isEmpty && report.migrations.allSatisfy { $0.phase == "Completed" })
        let moved = report.consumers.filter { $0.nodeBefore == report.drainNode }
        #expect(!moved.isEmpty)
        for consumer in report.consumers {
            #expect(consumer.applied == Int64(consumer.produced), "\(consumer.pod): applied \(consumer.applied) of \(consumer.produced)")
            let sidecar = try #require(consumer.sidecar, "\(consumer.pod) has no sidecar report")
            #expect(sidecar.instanceKept, "\(consumer.pod): the ledger restarted empty")
            #expect(sidecar.samplesAfter > sidecar.samplesBefore && sidecar.regressions == 0)
            #expect(sidecar.lastApplied == consumer.applied)
        }
        for consumer in moved { #expect(consumer.nodeAfter != report.drainNode) }
        #expect(report.leftovers.isEmpty, "\(report.leftovers.all)")

        // The same run with the ledger named in fresh-containers: it is started from its image, empty.
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "      name: ledger\n", with: "      name: ledger\n      checkpointed: false\n")
        let fresh = try await Simulation(settings: settings(try SimulationScenario(yaml: text, source: "fresh-ledger"))).run()
        #expect(!fresh.success)
        #expect(fresh.migrations.allSatisfy { $0.phase == "Completed" }, "leaving the sidecar out does not fail the migration")
        #expect(fresh.consumers.allSatisfy { $0.lost == 0 })
        #expect(fresh.problems.contains { $0.contains("/ledger started empty") }, "\(fresh.problems)")
    }

    @Test("a failing checkpoint fails the migration, which the policy retries afterFailures (3) times, each rolled back without losing a message — as the scenario expects")
    func checkpointFailure() async throws {
        let path = "\(repositoryRoot)/scenarios/checkpoint-failure.yaml"
        let report = try await Simulation(settings: settings(try .load(path))).run()
        #expect(report.success, "the scenario expects its migrations to fail: \(report.problems)")
        #expect(report.migrations.count == 3, "\(report.migrations.map(\.name))")
        #expect(Set(report.migrations.map(\.phase)) == ["Failed"])
        #expect(Set(report.migrations.compactMap(\.failureReason)) == ["CheckpointFailed"])
        #expect(report.lost == 0)
        #expect(report.consumers.allSatisfy { $0.applied == Int64($0.produced) })
        #expect(report.leftovers.isEmpty, "\(report.leftovers.all)")
    }

    @Test("a restore that crashes after the source is gone is retried on another node from the same image: completed, nothing lost")
    func restoreFailure() async throws {
        let path = "\(repositoryRoot)/scenarios/restore-failure.yaml"
        let report = try await Simulation(settings: settings(try .load(path))).run()
        #expect(report.success, "\(report.problems)")
        #expect(!report.migrations.isEmpty)
        for migration in report.migrations {
            #expect(migration.phase == "Completed")
            #expect(migration.strategy == "Sequential")
            #expect((migration.restoreAttempts ?? 0) >= 2)
        }
        #expect(report.lost == 0)
        #expect(report.consumers.allSatisfy { $0.applied == Int64($0.produced) })
        #expect(report.leftovers.isEmpty, "\(report.leftovers.all)")
    }

    @Test("the target node dies while the pod replays: restored again elsewhere, the replay queue rebuilt from the journal, nothing lost")
    func targetNodeLost() async throws {
        let path = "\(repositoryRoot)/scenarios/target-node-lost.yaml"
        var settings = settings(try .load(path))
        settings.rate = nil  // the scenario's rate: a backlog that takes a while to replay
        let report = try await Simulation(settings: settings).run()
        #expect(report.success, "\(report.problems)")
        #expect(!report.migrations.isEmpty)
        for migration in report.migrations {
            #expect(migration.phase == "Completed")
            #expect((migration.restoreAttempts ?? 0) >= 2)
            #expect((migration.replayRebuilds ?? 0) >= 1)
            #expect(migration.targetNode != "node-d", "not on the node that died")
        }
        #expect(report.lost == 0)
        #expect(report.consumers.allSatisfy { $0.applied == Int64($0.produced) })
        #expect(report.leftovers.isEmpty, "\(report.leftovers.all)")
    }

    @Test("an image pull failing for a while after the source is gone is waited out: one restore attempt, nothing lost")
    func transientImagePull() async throws {
        let path = "\(repositoryRoot)/scenarios/restore-failure.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "      failure: ExitWithError\n      times: 1", with: "      failure: ErrImagePull\n      forSeconds: 2")
            .replacingOccurrences(of: "    minRestoreAttempts: 2", with: "    minRestoreAttempts: 1")
        #expect(text.contains("forSeconds: 2"), "the scenario file changed shape")
        let report = try await Simulation(settings: settings(try SimulationScenario(yaml: text, source: "pull"))).run()
        #expect(report.success, "\(report.problems)")
        #expect(report.migrations.allSatisfy { $0.phase == "Completed" && $0.restoreAttempts == 1 })
        #expect(report.migrations.allSatisfy { ($0.phaseSeconds["Restoring"] ?? 0) >= 1.5 }, "the pull failed for 2 s")
        #expect(report.lost == 0)
        #expect(report.leftovers.isEmpty, "\(report.leftovers.all)")
    }

    @Test("a scenario's expectation decides the verdict: the same failed run passes when failure is expected")
    func expectationsDecide() async throws {
        let path = "\(repositoryRoot)/scenarios/checkpoint-failure.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "migrations: Failed", with: "migrations: Completed")
        let report = try await Simulation(settings: settings(try SimulationScenario(yaml: text, source: "edited"))).run()
        #expect(!report.success)
        #expect(report.problems.contains { $0.contains("failed in CheckpointFailed") })
        #expect(throws: SimulationError.self) {
            try SimulationScenario(yaml: text.replacingOccurrences(of: "migrations: Completed", with: "migrations: Maybe"), source: "bad")
        }
    }

    @Test("the embedded default scenario and policy are the files in the repository")
    func embeddedFiles() throws {
        func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
        let scenario = try String(contentsOfFile: "\(repositoryRoot)/scenarios/default.yaml", encoding: .utf8)
        #expect(trimmed(SimulationScenario.defaultYAML) == trimmed(scenario))
        let policy = try String(contentsOfFile: "\(repositoryRoot)/policies/default.yaml", encoding: .utf8)
        #expect(trimmed(SimulationPolicy.defaultYAML) == trimmed(policy))
    }

    @Test("every scenario in scenarios/ loads")
    func scenariosLoad() throws {
        let directory = "\(repositoryRoot)/scenarios"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 2)
        for file in files { _ = try SimulationScenario.load("\(directory)/\(file)") }
    }

    @Test("Go durations from phase timings parse", arguments: [("250ms", 0.25), ("1.5s", 1.5), ("2m3.25s", 123.25), ("1h0m0s", 3600.0)])
    func goDurations(text: String, seconds: Double) {
        #expect(abs((goDurationSeconds(text) ?? -1) - seconds) < 1e-9)
    }
}
