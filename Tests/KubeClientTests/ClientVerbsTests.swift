import Foundation
import KubeClient
import KubeModel
import OperatorCore
import KubeSim
import Testing
import Unstructured

@Suite("KubeClient verbs against the emulator")
struct ClientVerbsTests {
    @Test("create, get, update and delete a namespaced object")
    func crud() async throws {
        try await withEmulator { _, client in
            let created = try await client.create(configMap("settings", data: ["a": "1"]))
            #expect(created.metadata.uid?.isEmpty == false)
            #expect(created.metadata.resourceVersion != nil)
            var fetched = try await client.get(ConfigMap.self, name: "settings")
            #expect(fetched.data == ["a": "1"])
            #expect(fetched.kind == "ConfigMap" && fetched.apiVersion == "v1")
            fetched.data = ["a": "2"]
            let updated = try await client.update(fetched)
            #expect(updated.data == ["a": "2"])
            #expect(updated.metadata.resourceVersion != fetched.metadata.resourceVersion)
            let answer = try await client.delete(ConfigMap.self, name: "settings")
            #expect(answer == nil || answer?.metadata.name == "settings")
            let missing = await #expect(throws: KubeAPIError.self) { try await client.get(ConfigMap.self, name: "settings") }
            #expect(missing?.isNotFound == true)
            #expect(missing?.message == #"configmaps "settings" not found"#)
        }
    }

    @Test("generateName lets the server choose the name")
    func generateName() async throws {
        try await withEmulator { _, client in
            var object = configMap("")
            object.metadata.name = nil
            object.metadata.generateName = "job-"
            let created = try await client.create(object)
            let name = try #require(created.metadata.name)
            #expect(name.hasPrefix("job-") && name.count == "job-".count + 5)
        }
    }

    @Test("a stale resourceVersion is a typed conflict, and creating twice is AlreadyExists")
    func optimisticConcurrency() async throws {
        try await withEmulator { _, client in
            let original = try await client.create(configMap("cm", data: ["v": "0"]))
            var first = original
            first.data = ["v": "1"]
            _ = try await client.update(first)
            var stale = original
            stale.data = ["v": "2"]
            let conflict = await #expect(throws: KubeAPIError.self) { try await client.update(stale) }
            #expect(conflict?.isConflict == true)
            #expect(conflict?.code == 409)
            #expect(conflict?.message.contains("the object has been modified") == true)
            let exists = await #expect(throws: KubeAPIError.self) { try await client.create(configMap("cm")) }
            #expect(exists?.isAlreadyExists == true)
            // A delete precondition on a stale resourceVersion is a conflict too.
            let preconditioned = await #expect(throws: KubeAPIError.self) {
                try await client.delete(ConfigMap.self, name: "cm", options: DeleteOptions(
                    preconditions: .init(resourceVersion: original.metadata.resourceVersion)))
            }
            #expect(preconditioned?.isConflict == true)
        }
    }

    @Test("every patch type", arguments: ["merge", "json", "strategic", "apply"])
    func patches(kind: String) async throws {
        try await withEmulator { _, client in
            var base = pod("web")
            base.spec?.containers.append(Container(name: "sidecar", image: "sidecar:1"))
            base.metadata.labels = ["app": "web", "tier": "front"]
            _ = try await client.create(base)
            let patched: Pod
            switch kind {
            case "merge":
                patched = try await client.patch(Pod.self, name: "web", patch: .merge(["metadata": ["labels": ["tier": nil, "v": "2"]]]))
                #expect(patched.metadata.labels == ["app": "web", "v": "2"])
            case "json":
                patched = try await client.patch(Pod.self, name: "web", patch: .json([
                    ["op": "test", "path": "/metadata/labels/app", "value": "web"],
                    ["op": "replace", "path": "/spec/containers/0/image", "value": "registry.local/app:2"],
                ]))
                #expect(patched.spec?.containers.first?.image == "registry.local/app:2")
                let failed = await #expect(throws: KubeAPIError.self) {
                    try await client.patch(Pod.self, name: "web", patch: .json([["op": "test", "path": "/metadata/labels/app", "value": "db"]]))
                }
                #expect(failed?.code == 422 || failed?.code == 400)
            case "strategic":
                // Containers merge by name: only `sidecar` changes, `app` stays.
                patched = try await client.patch(Pod.self, name: "web", patch: .strategicMerge(
                    ["spec": ["containers": [["name": "sidecar", "image": "sidecar:2"]]]]))
                #expect(patched.spec?.containers.map(\.name) == ["app", "sidecar"])
                #expect(patched.spec?.containers.last?.image == "sidecar:2")
            default:
                patched = try await client.patch(Pod.self, name: "web", patch: .apply(
                    ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web", "annotations": ["owner": "ms2m"]]],
                    fieldManager: "ms2m-test", force: true))
                #expect(patched.metadata.annotations?["owner"] == "ms2m")
                #expect(patched.spec?.containers.count == 2)
            }
        }
    }

    @Test("server-side apply creates an object that does not exist yet")
    func applyCreates() async throws {
        try await withEmulator { _, client in
            let applied = try await client.patch(ConfigMap.self, name: "applied", patch: .apply(
                ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "applied"], "data": ["k": "v"]],
                fieldManager: "ms2m-test"))
            #expect(applied.data == ["k": "v"])
        }
    }

    @Test("cluster-scoped objects and field selectors")
    func clusterScoped() async throws {
        try await withEmulator { _, client in
            for (name, cordoned) in [("n1", false), ("n2", true), ("n3", false)] {
                var node = Node(metadata: ObjectMeta(name: name))
                node.spec = NodeSpec(unschedulable: cordoned)
                _ = try await client.create(node)
            }
            let cordoned = try await client.list(Node.self, options: ListOptions(fieldSelector: "spec.unschedulable=true"))
            #expect(cordoned.items.map(\.metadata.name) == ["n2"])
            let named = try await client.list(Node.self, options: ListOptions(fieldSelector: "metadata.name!=n1"))
            #expect(named.items.compactMap(\.metadata.name).sorted() == ["n2", "n3"])
            let unsupported = await #expect(throws: KubeAPIError.self) {
                try await client.list(Node.self, options: ListOptions(fieldSelector: "spec.color=blue"))
            }
            #expect(unsupported?.code == 400)
        }
    }

    @Test("label selectors filter lists, across namespaces or in one")
    func labelSelectors() async throws {
        try await withEmulator { server, client in
            _ = try server.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
            _ = try await client.create(configMap("a", labels: ["app": "db", "tier": "1"]))
            _ = try await client.create(configMap("b", labels: ["app": "web"]))
            _ = try await client.create(configMap("c", namespace: "other", labels: ["app": "db"]))
            let all = try await client.list(ConfigMap.self, options: ListOptions(labelSelector: "app=db"))
            #expect(all.items.compactMap(\.metadata.name).sorted() == ["a", "c"])
            let inDefault = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(labelSelector: "app in (db,web),!tier"))
            #expect(inDefault.items.compactMap(\.metadata.name) == ["b"])
        }
    }

    @Test("listAll pages through the collection with continue tokens")
    func pagination() async throws {
        try await withEmulator { server, client in
            for index in 0..<25 { _ = try await client.create(configMap(String(format: "cm-%02d", index))) }
            let page = try await client.list(ConfigMap.self, namespace: "default", options: ListOptions(limit: 10))
            #expect(page.items.count == 10)
            #expect(page.metadata.continueToken?.isEmpty == false)
            #expect(page.metadata.remainingItemCount == 15)
            server.requests.clear()
            let all = try await client.listAll(ConfigMap.self, namespace: "default", pageSize: 10)
            #expect(all.items.compactMap(\.metadata.name) == (0..<25).map { String(format: "cm-%02d", $0) })
            let listCalls = server.requests.all.filter { $0.method == "GET" && $0.uri.contains("/configmaps") }
            #expect(listCalls.count == 3)
            #expect(listCalls.dropFirst().allSatisfy { $0.uri.contains("continue=") })
        }
    }

    @Test("status, scale and eviction subresources")
    func subresources() async throws {
        try await withEmulator { _, client in
            var created = try await client.create(pod("db-0", node: "n1", labels: ["app": "db"]))
            created.status = PodStatus(phase: .running)
            let withStatus = try await client.updateStatus(created)
            #expect(withStatus.status?.phase == .running)

            let template = PodTemplateSpec(
                metadata: ObjectMeta(labels: ["app": "db"]),
                spec: PodSpec(containers: [Container(name: "db", image: "db:1")]))
            _ = try await client.create(StatefulSet(
                metadata: ObjectMeta(name: "db", namespace: "default"),
                spec: StatefulSetSpec(replicas: 3, selector: LabelSelector(matchLabels: ["app": "db"]), serviceName: "db", template: template)))
            let scaled = try await client.setReplicas(StatefulSet.self, name: "db", replicas: 1)
            #expect(scaled.spec?.replicas == 1)
            #expect(try await client.get(StatefulSet.self, name: "db").spec?.replicas == 1)
            #expect(try await client.scale(StatefulSet.self, name: "db").spec?.replicas == 1)

            // A budget that allows no disruption refuses the eviction with 429.
            _ = try await client.create(PodDisruptionBudget(
                metadata: ObjectMeta(name: "db", namespace: "default"),
                spec: PodDisruptionBudgetSpec(minAvailable: .int(1), selector: LabelSelector(matchLabels: ["app": "db"]))))
            let refused = await #expect(throws: KubeAPIError.self) { try await client.evict(podName: "db-0") }
            #expect(refused?.isTooManyRequests == true)
        }
    }

    @Test("node proxy reaches the node's handler with method, path and body")
    func nodeProxy() async throws {
        try await withEmulator { server, client in
            _ = try await client.create(Node(metadata: ObjectMeta(name: "n1")))
            server.setNodeProxyHandler { request in
                let body = #"{"items":["/var/lib/kubelet/checkpoints/\#(request.path.split(separator: "/").last ?? "").tar"]}"#
                return NodeProxyResponse(status: request.method == "POST" && request.node == "n1" ? 200 : 400, body: Array(body.utf8))
            }
            let response = try await client.nodeProxy(node: "n1", method: .post, path: "checkpoint/default/db-0/db")
            let items = try JSONValue.parse(response.body)["items"]
            #expect(items == ["/var/lib/kubelet/checkpoints/db.tar"])
        }
    }

    @Test("custom resources through the unstructured API, with schema validation errors")
    func customResources() async throws {
        try await withEmulator { _, client in
            let crd: JSONValue = [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": "widgets.example.io"],
                "spec": [
                    "group": "example.io", "scope": "Namespaced",
                    "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"],
                    "versions": [[
                        "name": "v1", "served": true, "storage": true,
                        "subresources": ["status": [:]],
                        "schema": ["openAPIV3Schema": [
                            "type": "object",
                            "properties": [
                                "spec": ["type": "object", "required": ["size"], "properties": [
                                    "size": ["type": "integer", "minimum": 1],
                                ]],
                                "status": ["type": "object", "properties": ["ready": ["type": "boolean"]]],
                            ],
                        ]],
                    ]],
                ],
            ]
            let crds = ResourceDescriptor(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", namespaced: false)
            _ = try await client.create(crds, crd)
            let widgets = ResourceDescriptor(group: "example.io", version: "v1", resource: "widgets", namespaced: true)
            let created = try await client.create(widgets, ["apiVersion": "example.io/v1", "kind": "Widget", "metadata": ["name": "w1"], "spec": ["size": 2]])
            #expect(created[path: ["metadata", "generation"]] == .int(1))
            let invalid = await #expect(throws: KubeAPIError.self) {
                try await client.create(widgets, ["apiVersion": "example.io/v1", "kind": "Widget", "metadata": ["name": "w2"], "spec": ["size": 0]])
            }
            #expect(invalid?.isInvalid == true)
            #expect(invalid?.status.details?.causes?.first?.field == "spec.size")
            let patched = try await client.patch(widgets, name: "w1", patch: .merge(["status": ["ready": true]]), subresource: "status")
            #expect(patched[path: ["status", "ready"]] == .bool(true))
            let list = try await client.list(widgets, namespace: "default")
            #expect(list["items"]?.arrayValue?.count == 1)
            let smp = await #expect(throws: KubeAPIError.self) {
                try await client.patch(widgets, name: "w1", patch: .strategicMerge(["spec": ["size": 3]]))
            }
            #expect(smp?.code == 415)
        }
    }

    @Test("server version and discovery")
    func discovery() async throws {
        try await withEmulator { _, client in
            let version = try await client.serverVersion()
            #expect(version["gitVersion"]?.stringValue?.hasPrefix("v1.") == true)
            let apps = try await client.getRaw(path: "/apis/apps/v1")
            let names = apps["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.contains("statefulsets") && names.contains("statefulsets/scale"))
        }
    }
}
