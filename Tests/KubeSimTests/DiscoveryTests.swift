import HTTPTransport
import KubeSim
import Testing
import Unstructured

@Suite("KubeSim discovery")
struct DiscoveryTests {
    // kubernetes.io "The Kubernetes API" → API discovery: /api, /apis, /apis/{group}/{version} list resources.
    @Test("/version, /api, /apis and resource lists")
    func discovery() async throws {
        try await withSim { server, client in
            let version = try await client.get("/version")
            #expect(version.status == 200)
            #expect(version.json["gitVersion"]?.stringValue?.hasPrefix("v1.") == true)

            let api = try await client.get("/api")
            #expect(api.json["kind"] == "APIVersions")
            #expect(api.json["versions"] == ["v1"])

            let apis = try await client.get("/apis")
            #expect(apis.json["kind"] == "APIGroupList")
            let groups = apis.json["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            for g in ["apps", "batch", "coordination.k8s.io", "events.k8s.io", "policy", "apiextensions.k8s.io"] {
                #expect(groups.contains(g))
            }

            let core = try await client.get("/api/v1")
            #expect(core.json["kind"] == "APIResourceList")
            #expect(core.json["groupVersion"] == "v1")
            let resources = core.json["resources"]?.arrayValue ?? []
            let pods = resources.first { $0["name"] == "pods" }
            #expect(pods?["kind"] == "Pod")
            #expect(pods?["namespaced"] == true)
            #expect(pods?["shortNames"] == ["po"])
            #expect(pods?["verbs"]?.arrayValue?.contains("watch") == true)
            #expect(resources.contains { $0["name"] == "pods/status" })
            #expect(resources.contains { $0["name"] == "pods/eviction" && $0["group"] == "policy" })
            #expect(resources.contains { $0["name"] == "nodes" && $0["namespaced"] == false })

            let apps = try await client.get("/apis/apps/v1")
            let scale = apps.json["resources"]?.arrayValue?.first { $0["name"] == "deployments/scale" }
            #expect(scale?["kind"] == "Scale")
            #expect(scale?["group"] == "autoscaling")

            let group = try await client.get("/apis/apps")
            #expect(group.json["kind"] == "APIGroup")
            #expect(group.json[path: ["preferredVersion", "groupVersion"]] == "apps/v1")

            for path in ["/healthz", "/readyz", "/livez"] {
                let r = try await client.get(path)
                #expect(r.status == 200)
                #expect(r.text == "ok")
            }
            _ = server
        }
    }

    // API Concepts → resource URIs: unknown resources answer 404 with a Status.
    @Test("unknown resources are 404 Status, wrong methods 405")
    func unknown() async throws {
        try await withSim { _, client in
            let r = try await client.get("/api/v1/widgets")
            #expect(r.status == 404)
            #expect(r.json["kind"] == "Status")
            #expect(r.json["reason"] == "NotFound")
            #expect(r.json["code"] == 404)
            let g = try await client.get("/apis/nope.example.com/v1/things")
            #expect(g.status == 404)
            let m = try await client.request(.put, "/api/v1/namespaces/default/configmaps", json: [:])
            #expect(m.status == 405)
            #expect(m.json["reason"] == "MethodNotAllowed")
        }
    }
}
