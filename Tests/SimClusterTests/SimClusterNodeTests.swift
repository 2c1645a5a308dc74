import KubeClient
import KubeModel
import OperatorCore
@testable import SimCluster
import Testing
import Unstructured

@Suite("SimulatedCluster nodes")
struct SimClusterNodeTests {
    @Test("nodes register Ready with kubelet info, endpoint and labels, and renew their leases")
    func nodesRegister() async throws {
        let nodes = [
            SimNodeConfiguration(name: "node-a", labels: ["zone": "a"], containerRuntimeVersion: "cri-o://1.31.2"),
            SimNodeConfiguration(name: "node-b", taints: [Taint(key: "dedicated", value: "db", effect: .noSchedule)], containerRuntimeVersion: "containerd://2.1.0"),
        ]
        try await SimClusterHarness.run(nodes: nodes) { h in
            let a = try await h.client.get(Node.self, name: "node-a", namespace: nil)
            #expect(a.isReady)
            #expect(a.metadata.labels?["kubernetes.io/hostname"] == "node-a")
            #expect(a.metadata.labels?["kubernetes.io/os"] == "linux")
            #expect(a.metadata.labels?["kubernetes.io/arch"] == "amd64")
            #expect(a.metadata.labels?["zone"] == "a")
            #expect(a.status?.nodeInfo?.containerRuntimeVersion == "cri-o://1.31.2")
            #expect(a.status?.nodeInfo?.kubeletVersion == "v1.31.2")
            #expect(a.status?.allocatable?["cpu"] == Quantity("4"))
            #expect(a.address(ofType: "InternalIP") == "127.0.0.1")
            #expect(a.status?.daemonEndpoints?.kubeletEndpoint?.port == h.cluster.kubeletPort(of: "node-a"))
            #expect(a.status?.conditions?.first { $0.type == .memoryPressure }?.status == .false)
            #expect(a.status?.conditions?.first { $0.type == .ready }?.lastHeartbeatTime != nil)

            let b = try await h.client.get(Node.self, name: "node-b", namespace: nil)
            #expect(b.status?.nodeInfo?.containerRuntimeVersion == "containerd://2.1.0")
            #expect(b.taints == [Taint(key: "dedicated", value: "db", effect: .noSchedule)])

            let first = try await h.client.get(Lease.self, name: "node-a", namespace: "kube-node-lease")
            #expect(first.spec?.holderIdentity == "node-a")
            let firstRenew = try #require(first.spec?.renewTime)
            try await h.waitUntil("the lease is renewed") {
                let lease = try await h.client.get(Lease.self, name: "node-a", namespace: "kube-node-lease")
                return (lease.spec?.renewTime ?? firstRenew) > firstRenew
            }
        }
    }

    @Test("the kubelet serves healthz and its pods through the node proxy")
    func kubeletEndpoints() async throws {
        try await SimClusterHarness.run { h in
            let health = try await h.client.nodeProxy(node: "node-a", path: "healthz")
            #expect(health.status == 200)
            #expect(String(decoding: health.body, as: UTF8.self) == "ok")
            try await h.create(SimClusterHarness.counterPod("listed"))
            try await h.waitForPod("listed") { $0.status?.phase == .running }
            let pods = try await h.client.nodeProxy(node: "node-a", path: "pods")
            let list = try JSONValue.parse(pods.body)
            #expect(list["kind"]?.stringValue == "PodList")
            #expect(list["items"]?.arrayValue?.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["listed"])
        }
    }
}
