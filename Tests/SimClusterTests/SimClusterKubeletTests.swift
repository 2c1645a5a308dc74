import Foundation
import KubeClient
import KubeModel
import OperatorCore
@testable import SimCluster
import Testing
import Unstructured

@Suite("SimulatedCluster kubelet")
struct SimClusterKubeletTests {
    @Test("a pod becomes Running and Ready with a pod IP, resolved env and rewritten volume paths")
    func podRuns() async throws {
        try await SimClusterHarness.run { h in
            let env = [
                EnvVar(name: "POD_NAME", valueFrom: ["fieldRef": ["fieldPath": "metadata.name"]]),
                EnvVar(name: "NODE", valueFrom: ["fieldRef": ["fieldPath": "spec.nodeName"]]),
                EnvVar(name: "GREETING", value: "hi-$(POD_NAME)"),
            ]
            var pod = SimClusterHarness.counterPod("web", env: env) { spec in
                spec.volumes = [.hostPath(name: "data", path: "/srv/data")]
                spec.containers[0].volumeMounts = [VolumeMount(name: "data", mountPath: "/data")]
                spec.containers[0].args = ["--state=/data/state.json", "/data", "/other"]
            }
            pod.metadata.labels = ["app": "web"]
            try await h.create(pod)
            let running = try await h.waitForPod("web") { $0.isReady }
            #expect(running.status?.phase == .running)
            #expect(running.spec?.nodeName == "node-a")
            let ip = try #require(running.status?.podIP)
            #expect(ip.hasPrefix("10.244."))
            #expect(running.status?.hostIP == "127.0.0.1")
            #expect(running.status?.startTime != nil)
            let status = try #require(running.status?.containerStatuses?.first)
            #expect(status.name == "counter")
            #expect(status.ready && status.started == true && status.restartCount == 0)
            #expect(status.containerID?.hasPrefix("cri-o://") == true)
            #expect(status.imageID?.contains("@sha256:") == true)
            #expect(status.state?.running?.startedAt != nil)
            for type in [PodConditionType.podScheduled, .initialized, .containersReady, .ready] {
                #expect(running.status?.condition(type)?.status == .true, "\(type)")
            }

            let launch = try #require(h.log.launches.first)
            #expect(launch.environment["POD_NAME"] == "web")
            #expect(launch.environment["NODE"] == "node-a")
            #expect(launch.environment["GREETING"] == "hi-web")
            let hostDir = h.cluster.nodeRoot("node-a") + "/srv/data"
            #expect(launch.arguments == ["--state=\(hostDir)/state.json", hostDir, "/other"])
            #expect(FileManager.default.fileExists(atPath: hostDir))

            let process = try #require(await h.cluster.process(namespace: "default", pod: "web", container: "counter") as? CounterProcess)
            let before = process.count
            try await h.waitUntil("the counter advances") { process.count > before }
        }
    }

    @Test("pod IPs are unique per pod")
    func uniqueIPs() async throws {
        try await SimClusterHarness.run { h in
            for name in ["p1", "p2", "p3"] { try await h.create(SimClusterHarness.counterPod(name)) }
            var ips: Set<String> = []
            for name in ["p1", "p2", "p3"] {
                let pod = try await h.waitForPod(name) { $0.status?.podIP != nil }
                ips.insert(pod.status?.podIP ?? "")
            }
            #expect(ips.count == 3)
        }
    }

    @Test("graceful deletion sends SIGTERM and the kubelet removes the pod")
    func gracefulDeletion() async throws {
        try await SimClusterHarness.run { h in
            try await h.create(SimClusterHarness.counterPod("doomed"))
            try await h.waitForPod("doomed") { $0.status?.phase == .running }
            let deleting = try await h.client.delete(Pod.self, name: "doomed", namespace: "default", options: DeleteOptions())
            #expect(deleting?.metadata.deletionTimestamp != nil, "the emulator keeps the pod until its kubelet confirms")
            try await h.waitUntil("the pod is gone") { try await h.pod("doomed") == nil }
            #expect(h.log.terminated == ["doomed"])
            #expect(await h.cluster.process(namespace: "default", pod: "doomed", container: "counter") == nil)
        }
    }

    @Test("a crashing container is restarted with a growing restartCount and its termination message")
    func restartCounts() async throws {
        try await SimClusterHarness.run { h in
            let env = [EnvVar(name: "CRASH_AFTER_MS", value: "60"), EnvVar(name: "TERMINATION_MESSAGE", value: "boom")]
            try await h.create(SimClusterHarness.counterPod("crashy", env: env))
            let pod = try await h.waitForPod("crashy") { ($0.status?.containerStatuses?.first?.restartCount ?? 0) >= 2 }
            #expect(pod.status?.phase == .running)
            let last = try #require(pod.status?.containerStatuses?.first?.lastState?.terminated)
            #expect(last.exitCode == 1)
            #expect(last.reason == "Error")
            #expect(last.message == "boom")
            #expect(h.log.launches.count >= 3)
        }
    }

    @Test("restartPolicy Never ends in Failed, OnFailure success ends in Succeeded")
    func terminalPhases() async throws {
        try await SimClusterHarness.run { h in
            try await h.create(SimClusterHarness.counterPod("once", env: [EnvVar(name: "CRASH_AFTER_MS", value: "30")], restartPolicy: "Never"))
            let failed = try await h.waitForPod("once") { $0.status?.phase == .failed }
            #expect(failed.status?.containerStatuses?.first?.state?.terminated?.exitCode == 1)
            #expect(failed.status?.containerStatuses?.first?.restartCount == 0)
            #expect(failed.status?.condition(.ready)?.status == .false)

            try await h.create(SimClusterHarness.counterPod("job", env: [EnvVar(name: "EXIT_AFTER_MS", value: "30")], restartPolicy: "OnFailure"))
            let succeeded = try await h.waitForPod("job") { $0.status?.phase == .succeeded }
            #expect(succeeded.status?.containerStatuses?.first?.state?.terminated?.reason == "Completed")
            #expect(h.log.launches.filter { $0.podName == "job" }.count == 1)
        }
    }

    @Test("a start fault leaves the container waiting with CreateContainerError and the pod Pending")
    func startFault() async throws {
        try await SimClusterHarness.run { h in
            h.cluster.faults.failStarts(of: .imageContains("counter:v1"), with: .createContainerError(message: "injected"))
            try await h.create(SimClusterHarness.counterPod("broken"))
            let pod = try await h.waitForPod("broken") { $0.status?.containerStatuses?.first?.state?.waiting?.reason == "CreateContainerError" }
            #expect(pod.status?.phase == .pending)
            #expect(pod.status?.containerStatuses?.first?.state?.waiting?.message == "injected")
            h.cluster.faults.clear()
            try await h.waitForPod("broken") { $0.status?.phase == .running }
        }
    }

    @Test("an image without a program or checkpoint is ErrImagePull")
    func unknownImage() async throws {
        try await SimClusterHarness.run(configure: { $0.imageSource = .ociLayout(directory: "/nonexistent-ms2m-layout") }) { h in
            var pod = SimClusterHarness.counterPod("unknown")
            pod.spec?.containers[0].image = "registry.local/other/thing:1"
            try await h.create(pod)
            let waiting = try await h.waitForPod("unknown") { $0.status?.containerStatuses?.first?.state?.waiting != nil && $0.status?.containerStatuses?.first?.state?.waiting?.reason != "ContainerCreating" }
            #expect(waiting.status?.containerStatuses?.first?.state?.waiting?.reason == "ErrImagePull")
            #expect(waiting.status?.phase == .pending)
        }
    }
}
