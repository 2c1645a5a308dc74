import CurlTransport
import Foundation
import HTTPTransport
import KubeClient
import KubeModel
@testable import SimCluster
import Testing
import Unstructured

@Suite("SimulatedCluster checkpoint API")
struct SimClusterCheckpointTests {
    private func post(_ h: SimClusterHarness, _ path: String, method: HTTPMethod = .post) async throws -> HTTPResponse {
        let url = h.server.baseURL + "/api/v1/nodes/node-a/proxy/" + path
        return try await CurlTransport().send(HTTPRequest(method: method, url: url, timeout: .seconds(30)))
    }

    @Test("POST checkpoint through the node proxy answers the items and writes the archive under the node root")
    func checkpointThroughProxy() async throws {
        try await SimClusterHarness.run { h in
            try await h.create(SimClusterHarness.counterPod("web"))
            try await h.waitForPod("web") { $0.isReady }
            let response = try await post(h, "checkpoint/default/web/counter?timeout=20")
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            let items = try JSONValue.parse(response.body)["items"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let item = try #require(items.first)
            #expect(items.count == 1)
            #expect(item.hasPrefix("/var/lib/kubelet/checkpoints/checkpoint-web_default-counter-"))
            #expect(item.hasSuffix(".tar"))
            let local = h.cluster.localPath(item, on: "node-a")
            #expect(local.hasPrefix(h.cluster.nodeRoot("node-a") + "/var/lib/kubelet/checkpoints/"))
            let size = try FileManager.default.attributesOfItem(atPath: local)[.size] as? Int ?? 0
            #expect(size > 0)

            let viaClient = try await h.client.nodeProxy(node: "node-a", method: .post, path: "checkpoint/default/web/counter")
            #expect(viaClient.status == 200)
        }
    }

    @Test("unknown pods and containers are 404, GET is 405, a runtime failure is 500")
    func checkpointErrors() async throws {
        try await SimClusterHarness.run { h in
            try await h.create(SimClusterHarness.counterPod("web"))
            try await h.waitForPod("web") { $0.status?.phase == .running }

            let unknownPod = try await post(h, "checkpoint/default/nope/counter")
            #expect(unknownPod.status == 404)
            #expect(String(decoding: unknownPod.body, as: UTF8.self).contains("pod does not exist"))
            let unknownContainer = try await post(h, "checkpoint/default/web/sidecar")
            #expect(unknownContainer.status == 404)
            #expect(String(decoding: unknownContainer.body, as: UTF8.self).contains("container sidecar does not exist"))
            let get = try await post(h, "checkpoint/default/web/counter", method: .get)
            #expect(get.status == 405)

            h.cluster.faults.failCheckpoints(node: "node-a", pod: "web")
            let failed = try await post(h, "checkpoint/default/web/counter")
            #expect(failed.status == 500)
            #expect(String(decoding: failed.body, as: UTF8.self).contains("checkpointing of default/web/counter failed"))
            let error = await #expect(throws: KubeAPIError.self) {
                try await h.client.nodeProxy(node: "node-a", method: .post, path: "checkpoint/default/web/counter")
            }
            #expect(error?.code == 500)
        }
    }

    @Test("a running sidecar is checkpointed like an app container; a completed init container is not running")
    func initContainerCheckpoints() async throws {
        let log = ContainerEventLog()
        let gate = ReadinessGate()
        try await SimClusterHarness.run(configure: SimClusterHarness.withInitPrograms(log: log, gate: gate)) { h in
            try await h.create(SimClusterInitContainerTests.podWithInitContainers("web", runForMs: 20))
            try await h.waitForPod("web") { $0.status?.containerStatus(named: "counter")?.state?.running != nil }

            let sidecar = try await post(h, "checkpoint/default/web/sidecar")
            #expect(sidecar.status == 200, "\(String(decoding: sidecar.body, as: UTF8.self))")
            let item = try #require(try JSONValue.parse(sidecar.body)["items"]?.arrayValue?.first?.stringValue)
            #expect(item.hasPrefix("/var/lib/kubelet/checkpoints/checkpoint-web_default-sidecar-"))
            let size = try FileManager.default.attributesOfItem(atPath: h.cluster.localPath(item, on: "node-a"))[.size] as? Int ?? 0
            #expect(size > 0)

            let setup = try await post(h, "checkpoint/default/web/setup")
            #expect(setup.status == 500)
            #expect(String(decoding: setup.body, as: UTF8.self).contains("container setup is not running"))
        }
    }

    @Test("a slow kubelet delays its answers")
    func slowKubelet() async throws {
        try await SimClusterHarness.run { h in
            h.cluster.faults.setKubeletDelay(.milliseconds(300))
            let clock = ContinuousClock()
            let started = clock.now
            let response = try await post(h, "healthz", method: .get)
            #expect(response.status == 200)
            #expect(clock.now - started >= .milliseconds(300))
        }
    }
}
