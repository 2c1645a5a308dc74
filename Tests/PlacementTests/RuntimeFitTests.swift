import KubeModel
import Placement
import Testing
import Unstructured

/// The runtime pre-flight as a fit rule: a node whose runtime or kubelet cannot restore a checkpoint is never a
/// target, so a policy in a cluster of mixed runtimes plans around it instead of creating children that fail
/// `RuntimeUnsupported` (CRI-O ≥ 1.25 and containerd ≥ 2.1 restore; the kubelet checkpoint API from 1.25).
@Suite("Placement: targets must restore checkpoints")
struct RuntimeFitTests {
    func runtimeNode(_ name: String, runtime: String?, kubelet: String = "v1.31.2") -> Node {
        var json: JSONValue = [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": ["kubernetes.io/hostname": .string(name)]],
            "status": [
                "allocatable": ["cpu": "8", "memory": "32Gi", "pods": "110"],
                "conditions": [["type": "Ready", "status": "True"]],
            ],
        ]
        if let runtime {
            json[path: ["status", "nodeInfo"]] = ["containerRuntimeVersion": .string(runtime), "kubeletVersion": .string(kubelet)]
        }
        return try! JSONValueDecoder().decode(Node.self, from: json)
    }

    @Test("nodes that cannot restore are rejected with what to upgrade; the one that can is chosen")
    func mixedRuntimes() {
        let nodes = [
            runtimeNode("old-containerd", runtime: "containerd://1.7.20"),
            runtimeNode("docker", runtime: "docker://24.0.7"),
            runtimeNode("old-kubelet", runtime: "cri-o://1.31.2", kubelet: "v1.24.9"),
            runtimeNode("silent", runtime: nil),
            runtimeNode("crio", runtime: "cri-o://1.31.2"),
        ]
        let moving = pod("app-0", on: "elsewhere", labels: ["app": "a"])
        let choice = choose(moving, nodes: nodes, pods: [moving], excluded: [])
        #expect(choice.node == "crio")
        func problem(_ name: String) -> String? {
            guard case .runtimeUnsupported(let text)? = choice.rejected[name]?.first else { return nil }
            return text
        }
        #expect(problem("old-containerd")?.contains("containerd ≥ 2.1") == true)
        #expect(problem("docker")?.contains("cannot checkpoint") == true)
        #expect(problem("old-kubelet")?.contains("kubelet") == true)
        #expect(problem("silent")?.contains("no nodeInfo") == true)
        #expect(choice.schedulerMessage().hasPrefix("1/5 nodes are available: 4 node(s) cannot restore checkpoints"))
    }
}
