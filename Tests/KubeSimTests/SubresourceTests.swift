import Foundation
import HTTPTransport
import KubeSim
import Testing
import Unstructured

@Suite("KubeSim subresources")
struct SubresourceTests {
    let deployments = "/apis/apps/v1/namespaces/default/deployments"
    let pods = "/api/v1/namespaces/default/pods"

    private var deployment: JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
            "spec": [
                "replicas": 2, "selector": ["matchLabels": ["app": "web"]],
                "template": [
                    "metadata": ["labels": ["app": "web"]],
                    "spec": ["containers": [["name": "c", "image": "nginx:1"]]],
                ],
            ],
            "status": ["replicas": 99],
        ]
    }

    // The status subresource: writes to the main resource ignore status; /status writes change only status.
    @Test("status subresource isolation")
    func statusIsolation() async throws {
        try await withSim { _, client in
            let created = try await client.post(deployments, deployment).json
            #expect(created["status"] == nil)  // status is reset on create
            var withStatus = created
            withStatus["status"] = ["replicas": 2]
            withStatus[path: ["spec", "replicas"]] = 3
            let main = try await client.put("\(deployments)/web", withStatus).json
            #expect(main["status"] == nil)
            #expect(main[path: ["spec", "replicas"]] == 3)
            var statusWrite = main
            statusWrite["status"] = ["replicas": 3, "readyReplicas": 3]
            statusWrite[path: ["spec", "replicas"]] = 10
            let s = try await client.put("\(deployments)/web/status", statusWrite).json
            #expect(s[path: ["status", "readyReplicas"]] == 3)
            #expect(s[path: ["spec", "replicas"]] == 3)
            #expect(s[path: ["metadata", "generation"]] == main[path: ["metadata", "generation"]])
            let patched = try await client.patch(
                "\(deployments)/web/status", ["status": ["observedGeneration": 2]], type: "application/merge-patch+json"
            )
            #expect(patched.json[path: ["status", "observedGeneration"]] == 2)
            #expect(patched.json[path: ["status", "readyReplicas"]] == 3)
            let get = try await client.get("\(deployments)/web/status")
            #expect(get.json["kind"] == "Deployment")
        }
    }

    // The scale subresource: autoscaling/v1 Scale with spec.replicas and status.selector.
    @Test("scale subresource")
    func scale() async throws {
        try await withSim { _, client in
            _ = try await client.post(deployments, deployment)
            let scale = try await client.get("\(deployments)/web/scale").json
            #expect(scale["kind"] == "Scale")
            #expect(scale["apiVersion"] == "autoscaling/v1")
            #expect(scale[path: ["spec", "replicas"]] == 2)
            #expect(scale[path: ["status", "selector"]] == "app=web")
            var s = scale
            s[path: ["spec", "replicas"]] = 5
            let put = try await client.put("\(deployments)/web/scale", s)
            #expect(put.status == 200)
            #expect(put.json[path: ["spec", "replicas"]] == 5)
            let patched = try await client.patch(
                "\(deployments)/web/scale", ["spec": ["replicas": 1]], type: "application/merge-patch+json")
            #expect(patched.json[path: ["spec", "replicas"]] == 1)
            let d = try await client.get("\(deployments)/web").json
            #expect(d[path: ["spec", "replicas"]] == 1)
            #expect(d[path: ["metadata", "generation"]] == 3)
            var stale = scale
            stale[path: ["spec", "replicas"]] = 7
            #expect(try await client.put("\(deployments)/web/scale", stale).status == 409)
        }
    }

    // pods/binding: sets spec.nodeName; binding a bound pod is 409.
    @Test("binding")
    func binding() async throws {
        try await withSim { server, client in
            _ = try server.create(pod("p"))
            let binding: JSONValue = [
                "apiVersion": "v1", "kind": "Binding", "metadata": ["name": "p"],
                "target": ["apiVersion": "v1", "kind": "Node", "name": "n1"],
            ]
            let r = try await client.post("\(pods)/p/binding", binding)
            #expect(r.status == 201)
            #expect(r.json["status"] == "Success")
            #expect(try await client.get("\(pods)/p").json[path: ["spec", "nodeName"]] == "n1")
            let again = try await client.post("\(pods)/p/binding", binding)
            #expect(again.status == 409)
            #expect(
                again.json["message"]
                    == #"Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1""#)
        }
    }

    private func readyPod(_ name: String) -> JSONValue {
        var p = pod(name, labels: ["app": "db"], node: "n1")
        p["status"] = ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]
        return p
    }

    // Eviction API: evictions that would violate a PodDisruptionBudget are 429 TooManyRequests.
    @Test("eviction respects PodDisruptionBudgets")
    func eviction() async throws {
        try await withSim({ $0.podDeletionIsImmediate = true }) { server, client in
            _ = try server.create(readyPod("db-0"))
            _ = try server.create(readyPod("db-1"))
            _ = try await client.post(
                "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                [
                    "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "db"],
                    "spec": ["minAvailable": 1, "selector": ["matchLabels": ["app": "db"]]],
                ])
            let eviction: (String) -> JSONValue = { name in
                [
                    "apiVersion": "policy/v1", "kind": "Eviction",
                    "metadata": ["name": .string(name), "namespace": "default"],
                ]
            }
            let first = try await client.post("\(pods)/db-0/eviction", eviction("db-0"))
            #expect(first.status == 201)
            #expect(try await client.get("\(pods)/db-0").status == 404)
            let second = try await client.post("\(pods)/db-1/eviction", eviction("db-1"))
            #expect(second.status == 429)
            #expect(second.json["reason"] == "TooManyRequests")
            #expect(second.json["message"] == "Cannot evict pod as it would violate the pod's disruption budget.")
            #expect(second.json[path: ["details", "causes"]]?.arrayValue?.first?["reason"] == "DisruptionBudget")
            #expect(try await client.get("\(pods)/db-1").status == 200)
            // Percentages: maxUnavailable 50% of 1 pod rounds up to 1.
            _ = try await client.patch(
                "/apis/policy/v1/namespaces/default/poddisruptionbudgets/db",
                ["spec": ["minAvailable": nil, "maxUnavailable": "50%"]], type: "application/merge-patch+json")
            #expect(try await client.post("\(pods)/db-1/eviction", eviction("db-1")).status == 201)
        }
    }

    // An admitted eviction spends the disruption at once: the evicted pod is listed in status.disruptedPods
    // and does not count as healthy while it is being deleted (the disruption controller's countHealthyPods,
    // DeletionTimeout 2 min), so an eviction checked right after cannot spend the same disruption.
    @Test("a pod listed in disruptedPods is not healthy for the budget until its deletion timeout")
    func disruptedPodsAreNotHealthy() async throws {
        try await withSim { server, client in
            for index in 0..<3 { _ = try server.create(readyPod("db-\(index)")) }
            let path = "/apis/policy/v1/namespaces/default/poddisruptionbudgets/db"
            _ = try await client.post(
                "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                [
                    "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "db"],
                    "spec": ["minAvailable": 2, "selector": ["matchLabels": ["app": "db"]]],
                ])
            let eviction: JSONValue = [
                "apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "db-1", "namespace": "default"],
            ]
            // db-0 was just evicted (still running: its deletion has not happened yet): one disruption is spent.
            _ = try await client.patch(
                "\(path)/status", ["status": ["disruptedPods": ["db-0": .string(ISO8601DateFormatter().string(from: Date()))]]],
                type: "application/merge-patch+json")
            #expect(try await client.post("\(pods)/db-1/eviction", eviction).status == 429)
            // Past the deletion timeout the entry no longer counts.
            _ = try await client.patch(
                "\(path)/status", ["status": ["disruptedPods": ["db-0": .string(ISO8601DateFormatter().string(from: Date(timeIntervalSinceNow: -121)))]]],
                type: "application/merge-patch+json")
            #expect(try await client.post("\(pods)/db-1/eviction", eviction).status == 201)
        }
    }

    // Disruptions → the disruption controller keeps PodDisruptionBudget status current.
    @Test("PodDisruptionBudget status follows the pods")
    func pdbStatus() async throws {
        try await withSim { server, client in
            _ = try server.create(readyPod("db-0"))
            _ = try server.create(readyPod("db-1"))
            _ = try await client.post(
                "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                [
                    "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "db"],
                    "spec": ["maxUnavailable": 1, "selector": ["matchLabels": ["app": "db"]]],
                ])
            let path = "/apis/policy/v1/namespaces/default/poddisruptionbudgets/db"
            #expect(
                try await eventually {
                    let s = try await client.get(path).json["status"]
                    return s?["disruptionsAllowed"] == 1 && s?["currentHealthy"] == 2 && s?["expectedPods"] == 2
                })
            _ = try server.create(pod("db-2", labels: ["app": "db"], node: "n1"))  // not ready
            #expect(
                try await eventually {
                    let s = try await client.get(path).json["status"]
                    return s?["disruptionsAllowed"] == 0 && s?["expectedPods"] == 3 && s?["desiredHealthy"] == 2
                })
        }
    }

    // nodes/proxy reaches the kubelet handler; without one it is 503.
    @Test("node proxy")
    func nodeProxy() async throws {
        try await withSim { server, client in
            _ = try await client.post(
                "/api/v1/nodes", ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
            let none = try await client.get("/api/v1/nodes/n1/proxy/healthz")
            #expect(none.status == 503)
            #expect(none.json["kind"] == "Status")
            server.setNodeProxyHandler { req in
                NodeProxyResponse(
                    status: 200, headers: [("Content-Type", "text/plain")],
                    body: Array("\(req.method) \(req.path) \(req.query)".utf8))
            }
            let r = try await client.get("/api/v1/nodes/n1/proxy/checkpoint/default/p/c?x=1")
            #expect(r.status == 200)
            #expect(r.text == "GET checkpoint/default/p/c x=1")
            #expect(try await client.get("/api/v1/nodes/ghost/proxy/x").status == 404)
        }
    }
}
