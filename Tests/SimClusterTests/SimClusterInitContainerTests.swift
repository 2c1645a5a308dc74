import Foundation
import KubeClient
import KubeModel
@testable import SimCluster
import Testing

@Suite("SimulatedCluster init containers and sidecars")
struct SimClusterInitContainerTests {
    /// A pod with a regular init container `setup` (runs `runForMs`), a sidecar `sidecar` (the gated image)
    /// and the app container `counter`.
    static func podWithInitContainers(_ name: String, runForMs: Int = 300, restartPolicy: String? = nil) -> Pod {
        SimClusterHarness.counterPod(name, restartPolicy: restartPolicy) { spec in
            spec.initContainers = [
                Container(name: "setup", image: SimClusterHarness.initImage, env: [EnvVar(name: "RUN_FOR_MS", value: "\(runForMs)")]),
                Container(name: "sidecar", image: ReadinessGate.image, restartPolicy: "Always"),
            ]
        }
    }

    @Test("init containers run in order before the app: Initialized, initContainerStatuses, Ready needs the sidecar")
    func initContainersThenApp() async throws {
        let log = ContainerEventLog()
        let gate = ReadinessGate()
        try await SimClusterHarness.run(configure: SimClusterHarness.withInitPrograms(log: log, gate: gate)) { h in
            try await h.create(Self.podWithInitContainers("web"))

            let initializing = try await h.waitForPod("web") { $0.status?.initContainerStatuses?.first?.state?.running != nil }
            #expect(initializing.status?.phase == .pending)
            let notInitialized = try #require(initializing.status?.condition(.initialized))
            #expect(notInitialized.status == .false)
            #expect(notInitialized.reason == "ContainersNotInitialized")
            #expect(notInitialized.message == "containers with incomplete status: [setup sidecar]")
            #expect(initializing.status?.initContainerStatuses?.map(\.name) == ["setup", "sidecar"])
            #expect(initializing.status?.containerStatuses?.map(\.name) == ["counter"])
            #expect(initializing.status?.containerStatus(named: "sidecar")?.state?.waiting?.reason == "PodInitializing")
            #expect(initializing.status?.containerStatus(named: "counter")?.state?.waiting?.reason == "PodInitializing")
            #expect(log.index(of: "launch:sidecar") == nil, "the sidecar waits for the regular init container")
            #expect(log.index(of: "launch:counter") == nil)

            let running = try await h.waitForPod("web") { $0.status?.containerStatus(named: "counter")?.ready == true }
            #expect(running.status?.phase == .running)
            #expect(running.status?.condition(.initialized)?.status == .true)
            let setup = try #require(running.status?.containerStatus(named: "setup"))
            #expect(setup.state?.terminated?.exitCode == 0)
            #expect(setup.state?.terminated?.reason == "Completed")
            #expect(setup.ready == true && setup.restartCount == 0)
            let sidecar = try #require(running.status?.containerStatus(named: "sidecar"))
            #expect(sidecar.state?.running != nil && sidecar.started == true)
            #expect(sidecar.ready == false)
            #expect(log.all.prefix(4) == ["launch:setup", "exit:setup", "launch:sidecar", "launch:counter"])

            // The app is ready; the sidecar is not, so neither is the pod.
            #expect(running.status?.condition(.ready)?.status == .false)
            let containersReady = try #require(running.status?.condition(.containersReady))
            #expect(containersReady.status == .false)
            #expect(containersReady.message == "containers with unready status: [sidecar]")
            #expect(running.isReady == false)

            gate.setOpen(true)
            let ready = try await h.waitForPod("web") { $0.isReady }
            #expect(ready.status?.condition(.containersReady)?.status == .true)
            #expect(ready.status?.containerStatus(named: "sidecar")?.ready == true)
            #expect(await h.cluster.process(namespace: "default", pod: "web", container: "sidecar") != nil)
            #expect(await h.cluster.process(namespace: "default", pod: "web", container: "setup") == nil)
        }
    }

    @Test("graceful deletion stops the app container first, then the sidecars in reverse order")
    func terminationOrder() async throws {
        let log = ContainerEventLog()
        let gate = ReadinessGate()
        try await SimClusterHarness.run(configure: SimClusterHarness.withInitPrograms(log: log, gate: gate)) { h in
            var pod = Self.podWithInitContainers("web", runForMs: 20)
            pod.spec?.initContainers?.append(Container(name: "second", image: ReadinessGate.image, restartPolicy: "Always"))
            try await h.create(pod)
            try await h.waitForPod("web") { $0.status?.containerStatus(named: "counter")?.state?.running != nil }
            _ = try await h.client.delete(Pod.self, name: "web", namespace: "default", options: DeleteOptions())
            try await h.waitUntil("the pod is gone") { try await h.pod("web") == nil }
            let events = log.all.filter { $0.hasPrefix("terminate:") || $0.hasPrefix("exit:") }
            #expect(
                events == ["exit:setup", "terminate:counter", "exit:counter", "terminate:second", "exit:second", "terminate:sidecar", "exit:sidecar"])
        }
    }

    @Test("a regular init container that fails under restartPolicy Never fails the pod; the app never starts")
    func failingInitContainerNever() async throws {
        let log = ContainerEventLog()
        let gate = ReadinessGate()
        try await SimClusterHarness.run(configure: SimClusterHarness.withInitPrograms(log: log, gate: gate)) { h in
            let pod = SimClusterHarness.counterPod("once", restartPolicy: "Never") { spec in
                spec.initContainers = [
                    Container(name: "sidecar", image: ReadinessGate.image, restartPolicy: "Always"),
                    Container(
                        name: "migrate", image: SimClusterHarness.counterImage,
                        env: [EnvVar(name: "CRASH_AFTER_MS", value: "30"), EnvVar(name: "TERMINATION_MESSAGE", value: "schema broken")]),
                ]
            }
            try await h.create(pod)
            let failed = try await h.waitForPod("once") { $0.status?.phase == .failed }
            let migrate = try #require(failed.status?.containerStatus(named: "migrate"))
            #expect(migrate.state?.terminated?.exitCode == 1)
            #expect(migrate.state?.terminated?.message == "schema broken")
            #expect(migrate.restartCount == 0)
            #expect(failed.status?.condition(.initialized)?.status == .false)
            #expect(failed.status?.containerStatus(named: "counter")?.state?.waiting?.reason == "PodInitializing")
            try await h.waitUntil("the sidecar is stopped") { log.index(of: "exit:sidecar") != nil }
            try await Task.sleep(for: .milliseconds(200))
            #expect(log.index(of: "launch:counter") == nil)
            #expect(log.all.filter { $0 == "launch:migrate" }.count == 1)
            #expect(log.all.filter { $0 == "launch:sidecar" }.count == 1, "a finished pod's sidecar is not restarted")
            #expect(try await h.pod("once")?.status?.phase == .failed)
        }
    }

    @Test("a failing regular init container is restarted with back-off under OnFailure; the pod stays Pending")
    func failingInitContainerRestarts() async throws {
        let log = ContainerEventLog()
        let gate = ReadinessGate()
        try await SimClusterHarness.run(configure: SimClusterHarness.withInitPrograms(log: log, gate: gate)) { h in
            let pod = SimClusterHarness.counterPod("retry", restartPolicy: "OnFailure") { spec in
                spec.initContainers = [
                    Container(name: "migrate", image: SimClusterHarness.counterImage, env: [EnvVar(name: "CRASH_AFTER_MS", value: "30")])
                ]
            }
            try await h.create(pod)
            let retrying = try await h.waitForPod("retry") { ($0.status?.containerStatus(named: "migrate")?.restartCount ?? 0) >= 2 }
            #expect(retrying.status?.phase == .pending)
            #expect(retrying.status?.condition(.initialized)?.status == .false)
            #expect(retrying.status?.containerStatus(named: "migrate")?.lastState?.terminated?.exitCode == 1)
            #expect(log.index(of: "launch:counter") == nil)
        }
    }

    @Test("a sidecar that exits is restarted even under restartPolicy Never, and the app keeps running")
    func sidecarRestarts() async throws {
        let log = ContainerEventLog()
        let gate = ReadinessGate()
        try await SimClusterHarness.run(configure: SimClusterHarness.withInitPrograms(log: log, gate: gate)) { h in
            let pod = SimClusterHarness.counterPod("web", restartPolicy: "Never") { spec in
                spec.initContainers = [
                    Container(
                        name: "flaky", image: SimClusterHarness.counterImage, env: [EnvVar(name: "CRASH_AFTER_MS", value: "150")],
                        restartPolicy: "Always")
                ]
            }
            try await h.create(pod)
            let pod2 = try await h.waitForPod("web") { ($0.status?.containerStatus(named: "flaky")?.restartCount ?? 0) >= 2 }
            #expect(pod2.status?.phase == .running)
            #expect(pod2.status?.condition(.initialized)?.status == .true)
            #expect(log.all.filter { $0 == "launch:counter" }.count == 1)
        }
    }
}
