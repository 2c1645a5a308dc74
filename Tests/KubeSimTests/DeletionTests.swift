import HTTPTransport
import KubeSim
import Testing
import Unstructured

@Suite("KubeSim deletion, finalizers, garbage collection")
struct DeletionTests {
    let cms = "/api/v1/namespaces/default/configmaps"
    let pods = "/api/v1/namespaces/default/pods"

    // Finalizers: delete sets deletionTimestamp; the object stays until finalizers are removed;
    // no new finalizers may be added once deleting.
    @Test("finalizers hold deletion until removed")
    func finalizers() async throws {
        try await withSim { _, client in
            var cm = configMap("f")
            cm[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await client.post(cms, cm)
            let del = try await client.delete("\(cms)/f")
            #expect(del.status == 200)
            #expect(del.json["kind"] == "ConfigMap")
            #expect(del.json[path: ["metadata", "deletionTimestamp"]] != nil)
            #expect(del.json[path: ["metadata", "deletionGracePeriodSeconds"]] == 0)
            let still = try await client.get("\(cms)/f")
            #expect(still.status == 200)
            var more = still.json
            more[path: ["metadata", "finalizers"]] = ["example.com/hold", "example.com/new"]
            let forbidden = try await client.put("\(cms)/f", more)
            #expect(forbidden.status == 422)
            let cause = forbidden.json[path: ["details", "causes"]]?.arrayValue?.first
            #expect(cause?["reason"] == "FieldValueForbidden")
            #expect(cause?["field"] == "metadata.finalizers")
            #expect(
                forbidden.json["message"]?.stringValue?.contains(
                    "no new finalizers can be added if the object is being deleted, "
                        + "found new finalizers []string{\"example.com/new\"}"
                ) == true)
            let released = try await client.patch(
                "\(cms)/f", ["metadata": ["finalizers": nil]], type: "application/merge-patch+json")
            #expect(released.status == 200)
            #expect(try await client.get("\(cms)/f").status == 404)
        }
    }

    // DeleteOptions.preconditions: a UID or resourceVersion mismatch is 409 Conflict.
    @Test("delete preconditions")
    func preconditions() async throws {
        try await withSim { _, client in
            let cm = try await client.post(cms, configMap("p")).json
            let badUID = try await client.delete(
                "\(cms)/p", ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": "nope"]])
            #expect(badUID.status == 409)
            #expect(
                badUID.json["message"]?.stringValue?.contains("Precondition failed: UID in precondition: nope") == true)
            let badRV = try await client.delete("\(cms)/p", ["preconditions": ["resourceVersion": "1"]])
            #expect(badRV.status == 409)
            let ok = try await client.delete("\(cms)/p", ["preconditions": ["uid": cm[path: ["metadata", "uid"]]!]])
            #expect(ok.status == 200)
        }
    }

    // Pod termination: a bound pod is Terminating (deletionTimestamp) until deleted with grace 0 (the kubelet);
    // an unscheduled pod goes at once. Pod DELETE answers the pod.
    @Test("graceful pod deletion")
    func podGraceful() async throws {
        try await withSim { server, client in
            _ = try server.create(pod("bound", node: "n1"))
            _ = try server.create(pod("unbound"))
            let d1 = try await client.delete("\(pods)/unbound")
            #expect(d1.json["kind"] == "Pod")
            #expect(try await client.get("\(pods)/unbound").status == 404)

            let d2 = try await client.delete("\(pods)/bound")
            #expect(d2.status == 200)
            #expect(d2.json[path: ["metadata", "deletionGracePeriodSeconds"]] == 30)
            #expect(try await client.get("\(pods)/bound").status == 200)
            let d3 = try await client.delete("\(pods)/bound?gracePeriodSeconds=0")
            #expect(d3.status == 200)
            #expect(try await client.get("\(pods)/bound").status == 404)
        }
        try await withSim({ $0.podDeletionIsImmediate = true }) { server, client in
            _ = try server.create(pod("bound", node: "n1"))
            _ = try await client.delete("\(pods)/bound")
            #expect(try await client.get("\(pods)/bound").status == 404)
        }
    }

    private func owned(_ name: String, owner: JSONValue, block: Bool = false) -> JSONValue {
        var cm = configMap(name)
        cm[path: ["metadata", "ownerReferences"]] = [
            [
                "apiVersion": "v1", "kind": "ConfigMap", "name": owner[path: ["metadata", "name"]]!,
                "uid": owner[path: ["metadata", "uid"]]!, "blockOwnerDeletion": .bool(block),
            ]
        ]
        return cm
    }

    // Garbage collection → Background cascading deletion: owner goes now, dependents shortly after.
    @Test("background propagation deletes dependents")
    func background() async throws {
        try await withSim { _, client in
            let owner = try await client.post(cms, configMap("owner")).json
            _ = try await client.post(cms, owned("dep1", owner: owner))
            _ = try await client.post(cms, owned("dep2", owner: owner))
            _ = try await client.delete("\(cms)/owner?propagationPolicy=Background")
            #expect(try await client.get("\(cms)/owner").status == 404)
            #expect(try await eventually { try await client.get(cms).json.names.isEmpty })
        }
    }

    // Foreground cascading deletion: owner gets foregroundDeletion finalizer, dependents go first, then the owner.
    @Test("foreground propagation")
    func foreground() async throws {
        try await withSim { _, client in
            let owner = try await client.post(cms, configMap("owner")).json
            var dep = owned("dep", owner: owner, block: true)
            dep[path: ["metadata", "finalizers"]] = ["example.com/slow"]
            _ = try await client.post(cms, dep)
            let del = try await client.delete("\(cms)/owner", ["propagationPolicy": "Foreground"])
            #expect(del.json[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
            #expect(del.json[path: ["metadata", "deletionTimestamp"]] != nil)
            // The dependent is being deleted; the owner waits for it (blockOwnerDeletion).
            #expect(
                try await eventually {
                    try await client.get("\(cms)/dep").json[path: ["metadata", "deletionTimestamp"]] != nil
                })
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await client.get("\(cms)/owner").status == 200)
            _ = try await client.patch(
                "\(cms)/dep", ["metadata": ["finalizers": nil]], type: "application/merge-patch+json")
            #expect(try await eventually { try await client.get("\(cms)/owner").status == 404 })
        }
    }

    // Orphan propagation: the owner's orphan finalizer; dependents lose the ownerReference and stay.
    @Test("orphan propagation keeps dependents")
    func orphan() async throws {
        try await withSim { _, client in
            let owner = try await client.post(cms, configMap("owner")).json
            _ = try await client.post(cms, owned("dep", owner: owner))
            let del = try await client.delete("\(cms)/owner", ["propagationPolicy": "Orphan"])
            #expect(del.json[path: ["metadata", "finalizers"]] == ["orphan"])
            #expect(try await eventually { try await client.get("\(cms)/owner").status == 404 })
            let dep = try await client.get("\(cms)/dep")
            #expect(dep.status == 200)
            #expect(dep.json[path: ["metadata", "ownerReferences"]] == nil)
        }
    }

    // Dependents whose owners are all absent are collected.
    @Test("dependents of missing owners are collected")
    func danglingOwner() async throws {
        try await withSim { _, client in
            var cm = configMap("lonely")
            cm[path: ["metadata", "ownerReferences"]] = [
                [
                    "apiVersion": "v1", "kind": "ConfigMap", "name": "ghost",
                    "uid": "00000000-0000-0000-0000-000000000000",
                ]
            ]
            _ = try await client.post(cms, cm)
            #expect(try await eventually { try await client.get("\(cms)/lonely").status == 404 })
        }
    }

    // Namespaces → deleting a namespace: Terminating, contents deleted, then the namespace is removed.
    @Test("namespace lifecycle")
    func namespaceLifecycle() async throws {
        try await withSim { _, client in
            let ns = try await client.post(
                "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "tmp"]])
            #expect(ns.json[path: ["status", "phase"]] == "Active")
            #expect(ns.json[path: ["spec", "finalizers"]] == ["kubernetes"])
            var held = configMap("held", namespace: "tmp")
            held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await client.post("/api/v1/namespaces/tmp/configmaps", held)
            _ = try await client.post("/api/v1/namespaces/tmp/configmaps", configMap("plain", namespace: "tmp"))
            let del = try await client.delete("/api/v1/namespaces/tmp")
            #expect(del.json[path: ["status", "phase"]] == "Terminating")
            let refused = try await client.post(
                "/api/v1/namespaces/tmp/configmaps", configMap("late", namespace: "tmp"))
            #expect(refused.status == 403)
            #expect(
                try await eventually { try await client.get("/api/v1/namespaces/tmp/configmaps/plain").status == 404 })
            #expect(try await client.get("/api/v1/namespaces/tmp").status == 200)
            _ = try await client.patch(
                "/api/v1/namespaces/tmp/configmaps/held", ["metadata": ["finalizers": nil]],
                type: "application/merge-patch+json")
            #expect(try await eventually { try await client.get("/api/v1/namespaces/tmp").status == 404 })
            let protected = try await client.delete("/api/v1/namespaces/default")
            #expect(protected.status == 403)
        }
    }

    // deletecollection with a label selector.
    @Test("deletecollection honours selectors")
    func deleteCollection() async throws {
        try await withSim { _, client in
            _ = try await client.post(cms, configMap("a", labels: ["x": "1"]))
            _ = try await client.post(cms, configMap("b", labels: ["x": "1"]))
            _ = try await client.post(cms, configMap("c"))
            let r = try await client.delete("\(cms)?labelSelector=x%3D1")
            #expect(r.status == 200)
            #expect(r.json["kind"] == "ConfigMapList")
            #expect(try await client.get(cms).json.names == ["c"])
        }
    }
}
