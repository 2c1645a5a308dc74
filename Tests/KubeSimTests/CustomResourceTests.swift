import HTTPTransport
import KubeSim
import Testing
import Unstructured

/// A CRD for `widgets.example.com` with a schema, status and scale subresources.
func widgetCRD(scope: String = "Namespaced") -> JSONValue {
    [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": [
            "group": "example.com", "scope": .string(scope),
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wg"]],
            "versions": [
                [
                    "name": "v1", "served": true, "storage": true,
                    "subresources": [
                        "status": [:],
                        "scale": [
                            "specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                            "labelSelectorPath": ".status.selector",
                        ],
                    ],
                    "schema": [
                        "openAPIV3Schema": [
                            "type": "object",
                            "properties": [
                                "spec": [
                                    "type": "object", "required": ["size"],
                                    "properties": [
                                        "size": ["type": "integer", "minimum": 1],
                                        "replicas": ["type": "integer", "default": 1],
                                        "color": ["type": "string", "default": "blue"],
                                    ],
                                ],
                                "status": [
                                    "type": "object",
                                    "properties": [
                                        "replicas": ["type": "integer"], "selector": ["type": "string"],
                                        "phase": ["type": "string"],
                                    ],
                                ],
                            ],
                        ]
                    ],
                ]
            ],
        ],
    ]
}

func widget(_ name: String, size: Int64 = 3, extra: JSONObject = [:]) -> JSONValue {
    var spec: JSONObject = ["size": .int(size)]
    for (k, v) in extra { spec[k] = v }
    return [
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": .object(spec),
    ]
}

@Suite("KubeSim custom resources")
struct CustomResourceTests {
    let widgets = "/apis/example.com/v1/namespaces/default/widgets"

    // Extend the Kubernetes API with CustomResourceDefinitions: the new resource is served at once.
    @Test("CRD registration, discovery, CRUD")
    func crdLifecycle() async throws {
        try await withSim { _, client in
            let crd = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCRD())
            #expect(crd.status == 201)
            let conditions = crd.json[path: ["status", "conditions"]]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
            #expect(conditions.contains { $0["type"] == "NamesAccepted" && $0["status"] == "True" })
            let discovery = try await client.get("/apis/example.com/v1").json
            let names = discovery["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.contains("widgets"))
            #expect(names.contains("widgets/status"))
            #expect(names.contains("widgets/scale"))
            let created = try await client.post(widgets, widget("w1"))
            #expect(created.status == 201)
            #expect(created.json[path: ["spec", "color"]] == "blue")  // defaulted
            #expect(created.json[path: ["spec", "replicas"]] == 1)
            let list = try await client.get(widgets).json
            #expect(list["kind"] == "WidgetList")
            // Custom resource list items keep apiVersion/kind.
            #expect(list.items.first?["kind"] == "Widget")
            // Updates of custom resources require metadata.resourceVersion.
            var noRV = created.json
            noRV[path: ["metadata", "resourceVersion"]] = nil
            #expect(try await client.put("\(widgets)/w1", noRV).status == 422)
            var update = created.json
            update[path: ["spec", "size"]] = 5
            let updated = try await client.put("\(widgets)/w1", update)
            #expect(updated.status == 200)
            #expect(updated.json[path: ["metadata", "generation"]] == 2)
            let deleted = try await client.delete("\(widgets)/w1")
            #expect(deleted.json["kind"] == "Widget")
        }
    }

    // Validation: schema violations are 422 Invalid with causes; unknown fields are pruned.
    @Test("validation 422 with causes, pruning, defaults")
    func validation() async throws {
        try await withSim { _, client in
            _ = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCRD())
            let missing: JSONValue = [
                "apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "bad"], "spec": [:],
            ]
            let r = try await client.post(widgets, missing)
            #expect(r.status == 422)
            #expect(r.json["reason"] == "Invalid")
            #expect(r.json[path: ["details", "kind"]] == "Widget")
            #expect(r.json[path: ["details", "group"]] == "example.com")
            let cause = r.json[path: ["details", "causes"]]?.arrayValue?.first
            #expect(cause?["reason"] == "FieldValueRequired")
            #expect(cause?["field"] == "spec.size")
            #expect(r.json["message"] == #"Widget.example.com "bad" is invalid: spec.size: Required value"#)
            let small = try await client.post(widgets, widget("small", size: 0))
            #expect(small.status == 422)
            let pruned = try await client.post(widgets, widget("p", extra: ["unknown": "x"]))
            #expect(pruned.status == 201)
            #expect(pruned.json[path: ["spec", "unknown"]] == nil)
        }
    }

    // Status and scale subresources of custom resources; strategic merge patch is unsupported (415).
    @Test("status and scale subresources, SMP 415")
    func subresources() async throws {
        try await withSim { _, client in
            _ = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCRD())
            var w = widget("s")
            w["status"] = ["phase": "ignored"]
            let created = try await client.post(widgets, w).json
            #expect(created["status"] == nil)
            let st = try await client.patch(
                "\(widgets)/s/status", ["status": ["phase": "Ready", "replicas": 1, "selector": "app=s"]],
                type: "application/merge-patch+json")
            #expect(st.status == 200)
            #expect(st.json[path: ["status", "phase"]] == "Ready")
            #expect(st.json[path: ["metadata", "generation"]] == 1)
            let scale = try await client.get("\(widgets)/s/scale").json
            #expect(scale[path: ["spec", "replicas"]] == 1)
            #expect(scale[path: ["status", "selector"]] == "app=s")
            let scaled = try await client.patch(
                "\(widgets)/s/scale", ["spec": ["replicas": 4]], type: "application/merge-patch+json")
            #expect(scaled.json[path: ["spec", "replicas"]] == 4)
            #expect(try await client.get("\(widgets)/s").json[path: ["spec", "replicas"]] == 4)
            let smp = try await client.patch(
                "\(widgets)/s", ["spec": ["size": 9]], type: "application/strategic-merge-patch+json")
            #expect(smp.status == 415)
            #expect(smp.json["reason"] == "UnsupportedMediaType")
            let merge = try await client.patch(
                "\(widgets)/s", ["spec": ["size": 9]], type: "application/merge-patch+json")
            #expect(merge.json[path: ["spec", "size"]] == 9)
        }
    }

    // Deleting a CRD deletes its objects and stops serving the resource.
    @Test("deleting a CRD removes its objects and the endpoint")
    func crdDeletion() async throws {
        try await withSim { _, client in
            _ = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCRD())
            _ = try await client.post(widgets, widget("a"))
            _ = try await client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
            #expect(
                try await eventually {
                    try await client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
                        .status == 404
                })
            #expect(try await client.get(widgets).status == 404)
        }
    }

    // An invalid schema is rejected with 422.
    @Test("CRD with an invalid schema is 422")
    func invalidSchema() async throws {
        try await withSim { _, client in
            var crd = widgetCRD()
            crd[path: ["spec", "versions"]] = [
                [
                    "name": "v1", "served": true, "storage": true,
                    "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "nonsense"]]]],
                ]
            ]
            let r = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
            #expect(r.status == 422)
            #expect(r.json["reason"] == "Invalid")
        }
    }
}
