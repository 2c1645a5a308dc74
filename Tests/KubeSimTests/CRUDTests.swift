import HTTPTransport
import KubeSim
import Testing
import Unstructured

@Suite("KubeSim CRUD")
struct CRUDTests {
    let cms = "/api/v1/namespaces/default/configmaps"

    // API Concepts → "Kubernetes API terminology"/verbs: create (201), get, update, delete on a core resource.
    @Test("core resource: create, get, update, delete")
    func coreCRUD() async throws {
        try await withSim { _, client in
            let created = try await client.post(cms, configMap("a", data: ["k": "v"]))
            #expect(created.status == 201)
            let obj = created.json
            #expect(obj["kind"] == "ConfigMap")
            #expect(obj["apiVersion"] == "v1")
            #expect(obj[path: ["metadata", "uid"]]?.stringValue?.count == 36)
            #expect(obj[path: ["metadata", "creationTimestamp"]]?.stringValue?.hasSuffix("Z") == true)
            #expect(obj[path: ["metadata", "generation"]] == nil, "ConfigMaps have no generation")
            #expect(!obj.rv.isEmpty)

            let got = try await client.get("\(cms)/a")
            #expect(got.status == 200)
            #expect(got.json == obj)

            var changed = got.json
            changed["data"] = ["k": "w"]
            let updated = try await client.put("\(cms)/a", changed)
            #expect(updated.status == 200)
            #expect(updated.json["data"] == ["k": "w"])
            #expect(Int(updated.json.rv)! > Int(obj.rv)!)
            #expect(updated.json[path: ["metadata", "uid"]] == obj[path: ["metadata", "uid"]])

            let deleted = try await client.delete("\(cms)/a")
            #expect(deleted.status == 200)
            // Most built-ins answer a Status Success naming the object (pods answer the object).
            #expect(deleted.json["kind"] == "Status")
            #expect(deleted.json["status"] == "Success")
            #expect(deleted.json[path: ["details", "name"]] == "a")
            #expect(deleted.json[path: ["details", "kind"]] == "configmaps")

            let gone = try await client.get("\(cms)/a")
            #expect(gone.status == 404)
            #expect(gone.json["message"] == #"configmaps "a" not found"#)
            #expect(gone.json[path: ["details", "name"]] == "a")
            #expect(gone.json[path: ["details", "kind"]] == "configmaps")
        }
    }

    // Same verbs on an apps/v1 resource; errors name the resource as "deployments.apps".
    @Test("apps resource CRUD and qualified error messages")
    func appsCRUD() async throws {
        try await withSim { _, client in
            let path = "/apis/apps/v1/namespaces/default/deployments"
            let d: JSONValue = [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
                "spec": [
                    "selector": ["matchLabels": ["app": "web"]],
                    "template": [
                        "metadata": ["labels": ["app": "web"]],
                        "spec": ["containers": [["name": "c", "image": "nginx:1.27"]]],
                    ],
                ],
            ]
            let created = try await client.post(path, d)
            #expect(created.status == 201)
            #expect(created.json[path: ["spec", "replicas"]] == 1)  // defaulted
            let dup = try await client.post(path, d)
            #expect(dup.status == 409)
            #expect(dup.json["reason"] == "AlreadyExists")
            #expect(dup.json["message"] == #"deployments.apps "web" already exists"#)
            #expect(dup.json[path: ["details", "group"]] == "apps")
            #expect(dup.json[path: ["details", "kind"]] == "deployments")
            let missing = try await client.get("\(path)/nope")
            #expect(missing.json["message"] == #"deployments.apps "nope" not found"#)
            let list = try await client.get(path)
            #expect(list.json["kind"] == "DeploymentList")
            #expect(list.json["apiVersion"] == "apps/v1")
            #expect(list.json.names == ["web"])
            // Items of built-in lists carry no apiVersion/kind (the list's type says it).
            #expect(list.json.items.first?["kind"] == nil)
        }
    }

    // Cluster-scoped resources live outside namespaces: /api/v1/nodes/{name}.
    @Test("cluster-scoped resource CRUD")
    func clusterScoped() async throws {
        try await withSim { _, client in
            let node: JSONValue = [
                "apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1", "labels": ["zone": "a"]],
            ]
            let created = try await client.post("/api/v1/nodes", node)
            #expect(created.status == 201)
            #expect(created.json[path: ["metadata", "namespace"]] == nil)
            let namespaced = try await client.get("/api/v1/namespaces/default/nodes/n1")
            #expect(namespaced.status == 404)
            let list = try await client.get("/api/v1/nodes")
            #expect(list.json.names == ["n1"])
            let del = try await client.delete("/api/v1/nodes/n1")
            #expect(del.status == 200)
        }
    }

    // ObjectMeta.generateName: the server appends 5 random characters.
    @Test("generateName")
    func generateName() async throws {
        try await withSim { _, client in
            let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "cfg-"]]
            let r = try await client.post(cms, body)
            #expect(r.status == 201)
            let name = r.json.metaNameForTests
            #expect(name.hasPrefix("cfg-"))
            #expect(name.count == 9)
            #expect(name.dropFirst(4).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        }
    }

    // Create validation: namespace must exist, names are DNS-1123, body must match the URL.
    @Test("create errors: missing namespace 404, invalid name 422, mismatches 400, bad JSON 400")
    func createErrors() async throws {
        try await withSim { _, client in
            let noNS = try await client.post("/api/v1/namespaces/ghost/configmaps", configMap("a", namespace: "ghost"))
            #expect(noNS.status == 404)
            #expect(noNS.json["message"] == #"namespaces "ghost" not found"#)

            let bad = try await client.post(cms, configMap("Bad_Name"))
            #expect(bad.status == 422)
            #expect(bad.json["reason"] == "Invalid")
            #expect(bad.json[path: ["details", "kind"]] == "ConfigMap")
            let cause = bad.json[path: ["details", "causes"]]?.arrayValue?.first
            #expect(cause?["field"] == "metadata.name")
            #expect(cause?["reason"] == "FieldValueInvalid")
            #expect(
                bad.json["message"]?.stringValue?.hasPrefix(
                    #"ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": "#
                        + "a lowercase RFC 1123 subdomain"
                ) == true)

            let wrongNS = try await client.post(cms, configMap("a", namespace: "kube-system"))
            #expect(wrongNS.status == 400)
            #expect(wrongNS.json["reason"] == "BadRequest")

            var wrongKind = configMap("a")
            wrongKind["kind"] = "Secret"
            let wk = try await client.post(cms, wrongKind)
            #expect(wk.status == 400)

            let malformed = try await client.request(.post, cms, body: Array("{not json".utf8))
            #expect(malformed.status == 400)
            #expect(malformed.json["kind"] == "Status")

            let badLabel = try await client.post(cms, configMap("l", labels: ["app": "not valid!"]))
            #expect(badLabel.status == 422)
            #expect(badLabel.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "metadata.labels")

            let noName = try await client.post(cms, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": [:]])
            #expect(noName.status == 422)
        }
    }

    // API Concepts → "Resource versions" / optimistic concurrency: a stale resourceVersion is 409 Conflict.
    @Test("update with a stale resourceVersion is 409 Conflict; without one it is unconditional")
    func conflicts() async throws {
        try await withSim { _, client in
            let first = try await client.post(cms, configMap("c", data: ["n": "1"])).json
            var a = first
            a["data"] = ["n": "2"]
            #expect(try await client.put("\(cms)/c", a).status == 200)
            var stale = first
            stale["data"] = ["n": "3"]
            let conflict = try await client.put("\(cms)/c", stale)
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"] == "Conflict")
            #expect(
                conflict.json["message"]
                    == .string(
                        #"Operation cannot be fulfilled on configmaps "c": the object has been modified; "#
                            + "please apply your changes to the latest version and try again")
            )
            var unconditional = first
            unconditional[path: ["metadata", "resourceVersion"]] = nil
            unconditional["data"] = ["n": "4"]
            let ok = try await client.put("\(cms)/c", unconditional)
            #expect(ok.status == 200)
            #expect(ok.json["data"] == ["n": "4"])
            // A PUT's uid is a precondition (409); the creation timestamp is silently kept.
            var otherUID = ok.json
            otherUID[path: ["metadata", "uid"]] = "other"
            let precondition = try await client.put("\(cms)/c", otherUID)
            #expect(precondition.status == 409)
            #expect(precondition.json["message"]?.stringValue?.contains("Precondition failed: UID in precondition: other") == true)
            var tampered = ok.json
            tampered[path: ["metadata", "creationTimestamp"]] = "2000-01-01T00:00:00Z"
            let kept = try await client.put("\(cms)/c", tampered)
            #expect(kept.json[path: ["metadata", "uid"]] == first[path: ["metadata", "uid"]])
            #expect(
                kept.json[path: ["metadata", "creationTimestamp"]] == first[path: ["metadata", "creationTimestamp"]])
            let missing = try await client.put("\(cms)/nope", configMap("nope"))
            #expect(missing.status == 404)
            let nameMismatch = try await client.put("\(cms)/c", configMap("other"))
            #expect(nameMismatch.status == 400)
        }
    }

    // ObjectMeta.generation: bumped on spec changes only; resourceVersion on every write.
    @Test("generation tracks spec, resourceVersion tracks every write; no-op writes keep the resourceVersion")
    func generation() async throws {
        try await withSim { _, client in
            let path = "/apis/apps/v1/namespaces/default/statefulsets"
            let sts: JSONValue = [
                "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db"],
                "spec": [
                    "replicas": 1, "serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
                    "template": [
                        "metadata": ["labels": ["app": "db"]], "spec": ["containers": [["name": "c", "image": "x:1"]]],
                    ],
                ],
            ]
            let created = try await client.post(path, sts).json
            #expect(created[path: ["metadata", "generation"]] == 1)
            let labeled = try await client.patch(
                "\(path)/db", ["metadata": ["labels": ["x": "y"]]], type: "application/merge-patch+json"
            ).json
            #expect(labeled[path: ["metadata", "generation"]] == 1)
            #expect(labeled.rv != created.rv)
            let scaled = try await client.patch(
                "\(path)/db", ["spec": ["replicas": 3]], type: "application/merge-patch+json"
            ).json
            #expect(scaled[path: ["metadata", "generation"]] == 2)
            let same = try await client.put("\(path)/db", scaled)
            #expect(same.json.rv == scaled.rv)
        }
    }

    // Fixture API: direct store access emits the same objects.
    @Test("Swift fixture API creates, gets and lists")
    func fixtureAPI() async throws {
        try await withSim { server, client in
            let created = try server.create(pod("p1", node: "n1"))
            #expect(created[path: ["metadata", "uid"]] != nil)
            let viaHTTP = try await client.get("/api/v1/namespaces/default/pods/p1")
            #expect(viaHTTP.json == created)
            #expect(server.get(apiVersion: "v1", kind: "Pod", namespace: "default", name: "p1") == created)
            #expect(server.list(apiVersion: "v1", kind: "Pod", namespace: nil).count == 1)
            #expect(server.list(apiVersion: "v1", kind: "Namespace", namespace: nil).count == 4)
            #expect(throws: KubeSimError.self) { try server.create(pod("p1")) }
        }
    }

    // dryRun=All: validated, defaulted, not persisted.
    @Test("dryRun=All does not persist")
    func dryRun() async throws {
        try await withSim { _, client in
            let r = try await client.post("\(cms)?dryRun=All", configMap("dry"))
            #expect(r.status == 201)
            #expect(try await client.get("\(cms)/dry").status == 404)
            let bad = try await client.post("\(cms)?dryRun=All", configMap("BAD"))
            #expect(bad.status == 422)
        }
    }
}
