import HTTPTransport
import KubeSim
import Testing
import Unstructured

@Suite("KubeSim PATCH and apply")
struct PatchVerbTests {
    let cms = "/api/v1/namespaces/default/configmaps"
    let pods = "/api/v1/namespaces/default/pods"

    // API Concepts → patch types: JSON patch, merge patch, strategic merge patch.
    @Test("json, merge and strategic merge patches")
    func patchTypes() async throws {
        try await withSim { server, client in
            _ = try await client.post(cms, configMap("p", data: ["a": "1", "b": "2"]))
            let merge = try await client.patch("\(cms)/p", ["data": ["a": nil, "c": "3"]], type: "application/merge-patch+json")
            #expect(merge.status == 200)
            #expect(merge.json["data"] == ["b": "2", "c": "3"])
            let json = try await client.patch(
                "\(cms)/p", [["op": "replace", "path": "/data/b", "value": "20"], ["op": "add", "path": "/data/d", "value": "4"]],
                type: "application/json-patch+json")
            #expect(json.status == 200)
            #expect(json.json[path: ["data", "b"]] == "20")
            #expect(json.json[path: ["data", "d"]] == "4")
            let failedTest = try await client.patch(
                "\(cms)/p", [["op": "test", "path": "/data/b", "value": "nope"]], type: "application/json-patch+json")
            #expect(failedTest.status == 422)

            _ = try server.create(pod("sp"))
            // Containers merge by name under strategic merge patch: the image of "app" changes in place
            // (the one pod spec change the API allows).
            let smp = try await client.patch(
                "\(pods)/sp", ["spec": ["containers": [["name": "app", "image": "busybox:1.37"]]]],
                type: "application/strategic-merge-patch+json")
            #expect(smp.status == 200)
            #expect(smp.json[path: ["spec", "containers"]]?.arrayValue?.count == 1)
            #expect(smp.json[path: ["spec", "containers"]]?.arrayValue?.first?["image"] == "busybox:1.37")
            // Adding a container is a forbidden pod spec change.
            let sidecar = try await client.patch(
                "\(pods)/sp", ["spec": ["containers": [["name": "sidecar", "image": "envoy:1"]]]],
                type: "application/strategic-merge-patch+json")
            #expect(sidecar.status == 422)
            #expect(sidecar.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "spec")
            #expect(sidecar.json["message"]?.stringValue?.contains("pod updates may not change fields") == true)
            let unknown = try await client.patch("\(cms)/p", ["data": [:]], type: "application/xml")
            #expect(unknown.status == 415)
            #expect(unknown.json["reason"] == "UnsupportedMediaType")
            let missing = try await client.patch("\(cms)/nope", ["data": [:]], type: "application/merge-patch+json")
            #expect(missing.status == 404)
            let stale = try await client.patch(
                "\(cms)/p", ["metadata": ["resourceVersion": "1"], "data": ["z": "1"]], type: "application/merge-patch+json")
            #expect(stale.status == 409)
        }
    }

    // Server-side apply: fieldManager required; creates when absent; records managedFields with operation Apply.
    @Test("server-side apply")
    func apply() async throws {
        try await withSim { _, client in
            let config = configMap("applied", data: ["k": "v"])
            let noManager = try await client.patch("\(cms)/applied", config, type: "application/apply-patch+yaml")
            #expect(noManager.status == 422)
            #expect(noManager.json["message"]?.stringValue?.contains("fieldManager: Required value") == true)
            let created = try await client.patch("\(cms)/applied?fieldManager=tester", config, type: "application/apply-patch+yaml")
            #expect(created.status == 201)
            let entry = created.json[path: ["metadata", "managedFields"]]?.arrayValue?.first
            #expect(entry?["manager"] == "tester")
            #expect(entry?["operation"] == "Apply")
            #expect(entry?["fieldsType"] == "FieldsV1")
            #expect(entry?[path: ["fieldsV1", "f:data", "f:k"]] == [:])
            let again = try await client.patch(
                "\(cms)/applied?fieldManager=tester&force=true", configMap("applied", data: ["k2": "v2"]),
                type: "application/apply-patch+yaml")
            #expect(again.status == 200)
            #expect(again.json[path: ["data", "k2"]] == "v2")
            let yaml = try await client.request(
                .patch, "\(cms)/applied?fieldManager=tester", body: Array("apiVersion: v1\nkind: ConfigMap\n".utf8),
                contentType: "application/apply-patch+yaml")
            #expect(yaml.status == 415)
        }
    }
}
