import HTTPTransport
import KubeSim
import Testing
import Unstructured

/// Behaviours of kube-apiserver that KubeSim reproduces because clients depend on them (issue 17). Each test
/// names the documentation or source it was written from.
@Suite("KubeSim: kube-apiserver fidelity")
struct APIFidelityTests {
    let cms = "/api/v1/namespaces/default/configmaps"
    let sets = "/apis/apps/v1/namespaces/default/statefulsets"

    // k8s.io/apiserver pkg/registry/rest/update.go, BeforeUpdate: an empty uid takes the stored one; another uid
    // fails ValidateObjectMetaUpdate ("field is immutable", 422). The resourceVersion check comes first (409).
    @Test("a merge patch carrying another object's uid is 422 Invalid; a stale resourceVersion is 409 Conflict")
    func uidPrecondition() async throws {
        try await withSim { _, client in
            let created = try await client.post(cms, configMap("u")).json
            let uid = try #require(created[path: ["metadata", "uid"]]?.stringValue)
            let wrong = try await client.patch("\(cms)/u", ["metadata": ["uid": "00000000-0000-0000-0000-000000000000"], "data": ["a": "1"]], type: "application/merge-patch+json")
            #expect(wrong.status == 422)
            #expect(wrong.json["reason"] == "Invalid")
            #expect(wrong.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "metadata.uid")
            #expect(wrong.json["message"]?.stringValue?.contains("field is immutable") == true)
            #expect(try await client.get("\(cms)/u").json[path: ["data", "a"]] == nil, "nothing was written")
            let same = try await client.patch("\(cms)/u", ["metadata": ["uid": .string(uid)], "data": ["a": "1"]], type: "application/merge-patch+json")
            #expect(same.status == 200)
            let stale = try await client.patch("\(cms)/u", ["metadata": ["resourceVersion": "1"], "data": ["a": "2"]], type: "application/merge-patch+json")
            #expect(stale.status == 409)
            #expect(stale.json["reason"] == "Conflict")
        }
    }

    // k8s.io/apiserver pkg/endpoints/handlers/patch.go, checkName: a patch cannot change the name or namespace.
    @Test("a patch that renames or moves the object is 400 Bad Request")
    func renamingPatch() async throws {
        try await withSim { _, client in
            _ = try await client.post(cms, configMap("r"))
            let renamed = try await client.patch("\(cms)/r", ["metadata": ["name": "other"]], type: "application/merge-patch+json")
            #expect(renamed.status == 400)
            #expect(renamed.json["message"] == "the name of the object (other) does not match the name on the URL (r)")
            let moved = try await client.patch("\(cms)/r", [["op": "replace", "path": "/metadata/namespace", "value": "kube-system"]], type: "application/json-patch+json")
            #expect(moved.status == 400)
            #expect(try await client.get("\(cms)/r").status == 200)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/other").status == 404)
        }
    }

    // https://kubernetes.io/docs/reference/using-api/api-concepts/#watch-bookmarks and k8s.io/apiserver
    // storage/cacher: a bookmark is a zero-valued object of the watched kind with only metadata.resourceVersion
    // set, serialized with every field that has no omitempty.
    @Test("a StatefulSet bookmark carries a zero-valued StatefulSet: null selector, null containers")
    func bookmarkShape() async throws {
        try await withSim({ $0.bookmarkInterval = .milliseconds(100) }) { _, client in
            let list = try await client.get(sets).json
            let w = try await client.watch("\(sets)?watch=true&allowWatchBookmarks=true&resourceVersion=\(list.rv)")
            let bookmark = try #require(try await w.until { $0["type"] == "BOOKMARK" }.last)
            let object = try #require(bookmark["object"])
            #expect(object["kind"] == "StatefulSet")
            #expect(object[path: ["metadata", "creationTimestamp"]] == .null)
            #expect(object[path: ["metadata", "resourceVersion"]]?.stringValue == list.rv)
            #expect(object[path: ["spec", "selector"]] == .null)
            #expect(object[path: ["spec", "template", "spec", "containers"]] == .null)
        }
    }

    // cacheWatcher.nextBookmarkTime: bookmarks roughly every minute, and one 2 s before the watch's deadline.
    @Test("with the default cadence a watch gets no bookmark for a minute, but one 2 s before its timeoutSeconds")
    func bookmarkCadence() async throws {
        try await withSim { _, client in
            let list = try await client.get(cms).json
            let start = ContinuousClock.now
            let w = try await client.watch("\(cms)?watch=true&allowWatchBookmarks=true&timeoutSeconds=3&resourceVersion=\(list.rv)")
            let first = try #require(try await w.next(within: 5))
            let elapsed = ContinuousClock.now - start
            #expect(first["type"] == "BOOKMARK")
            #expect(elapsed >= .milliseconds(900) && elapsed < .milliseconds(2500), "\(elapsed)")
            #expect(try await w.next(within: 4) == nil, "the watch ends at its timeout")
        }
    }

    // MARK: Validation

    let pods = "/api/v1/namespaces/default/pods"

    func pod(_ name: String, containers: JSONValue, serviceAccount: String? = nil) -> JSONValue {
        var spec: JSONObject = ["containers": containers]
        if let serviceAccount { spec["serviceAccountName"] = .string(serviceAccount) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    // https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodSpec: containers is
    // required; pkg/apis/core/validation ValidatePodSpec.
    @Test("a Pod without containers, or a container without a name or image, is 422 Invalid")
    func podValidation() async throws {
        try await withSim { _, client in
            let empty = try await client.post(pods, pod("empty", containers: []))
            #expect(empty.status == 422)
            #expect(empty.json["message"] == #"Pod "empty" is invalid: spec.containers: Required value"#)
            let unnamed = try await client.post(pods, pod("unnamed", containers: [["image": "nginx"], ["name": "b"]]))
            #expect(unnamed.status == 422)
            let fields = unnamed.json[path: ["details", "causes"]]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
            #expect(fields == ["spec.containers[0].name", "spec.containers[1].image"])
            let duplicate = try await client.post(pods, pod("dup", containers: [["name": "a", "image": "x"], ["name": "a", "image": "y"]]))
            #expect(duplicate.json[path: ["details", "causes"]]?.arrayValue?.first?["reason"] == "FieldValueDuplicate")
        }
    }

    // https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts,
    // https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#defaulttolerationseconds,
    // https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits ("If you
    // specify a limit for a resource, but do not specify any request, … Kubernetes copies the limit").
    @Test("a Pod with only limits gets them as requests (Guaranteed), the default service account, its token volume and the two 300 s tolerations")
    func podDefaulting() async throws {
        try await withSim { _, client in
            let created = try await client.post(
                pods, pod("limited", containers: [["name": "app", "image": "nginx:1", "resources": ["limits": ["cpu": "500m", "memory": "128Mi"]]]]))
            #expect(created.status == 201)
            let p = created.json
            #expect(p[path: ["spec", "containers"]]?.arrayValue?.first?[path: ["resources", "requests"]] == ["cpu": "500m", "memory": "128Mi"])
            #expect(p[path: ["status", "qosClass"]] == "Guaranteed")
            #expect(p[path: ["spec", "serviceAccountName"]] == "default")
            #expect(p[path: ["spec", "enableServiceLinks"]] == true)
            #expect(p[path: ["spec", "priority"]] == 0)
            #expect(p[path: ["spec", "preemptionPolicy"]] == "PreemptLowerPriority")
            let tolerations = p[path: ["spec", "tolerations"]]?.arrayValue ?? []
            #expect(tolerations.compactMap { $0["key"]?.stringValue } == ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
            #expect(tolerations.allSatisfy { $0["effect"] == "NoExecute" && $0["tolerationSeconds"] == 300 })
            let volume = try #require(p[path: ["spec", "volumes"]]?.arrayValue?.first)
            let volumeName = try #require(volume["name"]?.stringValue)
            #expect(volumeName.hasPrefix("kube-api-access-"))
            #expect(volume[path: ["projected", "sources"]]?.arrayValue?.count == 3)
            let mount = p[path: ["spec", "containers"]]?.arrayValue?.first?["volumeMounts"]?.arrayValue?.first
            #expect(mount?["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount")
            #expect(mount?["name"] == .string(volumeName))
            #expect(p[path: ["metadata", "generation"]] == nil, "pods have no generation in v1.31")

            let bestEffort = try await client.post(pods, pod("plain", containers: [["name": "app", "image": "nginx:1"]]))
            #expect(bestEffort.json[path: ["status", "qosClass"]] == "BestEffort")
            let missing = try await client.post(pods, pod("nosa", containers: [["name": "app", "image": "nginx:1"]], serviceAccount: "builder"))
            #expect(missing.status == 403)
            #expect(missing.json["message"] == #"pods "nosa" is forbidden: error looking up service account default/builder: serviceaccount "builder" not found"#)
            // A new namespace gets its default ServiceAccount.
            _ = try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "fresh"]])
            #expect(try await client.get("/api/v1/namespaces/fresh/serviceaccounts/default").status == 200)
        }
    }

    // https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-template ("Only a RestartPolicy equal to
    // Never or OnFailure is allowed") and #specifying-your-own-pod-selector (the generated selector and labels).
    @Test("a Job gets its generated selector and job-name labels; restartPolicy Always is 422; a hand-written selector needs manualSelector")
    func jobDefaultingAndValidation() async throws {
        try await withSim { _, client in
            let jobs = "/apis/batch/v1/namespaces/default/jobs"
            func job(_ name: String, restartPolicy: String, selector: JSONValue? = nil) -> JSONValue {
                var spec: JSONObject = [
                    "template": ["spec": ["restartPolicy": .string(restartPolicy), "containers": [["name": "c", "image": "busybox"]]]]
                ]
                if let selector { spec["selector"] = selector }
                return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)], "spec": .object(spec)]
            }
            let created = try await client.post(jobs, job("pi", restartPolicy: "Never"))
            #expect(created.status == 201)
            let uid = try #require(created.json[path: ["metadata", "uid"]]?.stringValue)
            #expect(created.json[path: ["spec", "selector"]] == ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]])
            let labels = created.json[path: ["spec", "template", "metadata", "labels"]]
            #expect(labels?["batch.kubernetes.io/job-name"] == "pi")
            #expect(labels?["job-name"] == "pi")
            #expect(labels?["controller-uid"] == .string(uid))
            #expect(created.json[path: ["metadata", "labels", "batch.kubernetes.io/job-name"]] == "pi", "empty Job labels take the template's")
            let always = try await client.post(jobs, job("loop", restartPolicy: "Always"))
            #expect(always.status == 422)
            #expect(always.json["message"] == #"Job.batch "loop" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#)
            let handMade = try await client.post(jobs, job("manual", restartPolicy: "Never", selector: ["matchLabels": ["app": "x"]]))
            #expect(handMade.status == 422)
            #expect(handMade.json[path: ["details", "causes"]]?.arrayValue?.contains { $0["message"]?.stringValue?.contains("`selector` not auto-generated") == true } == true)
        }
    }

    // pkg/apis/apps/validation ValidateStatefulSetSpec / ValidateReplicaSetSpec.
    @Test("a StatefulSet whose selector misses its template labels, and a ReplicaSet without a selector, are 422")
    func workloadSelectors() async throws {
        try await withSim { _, client in
            let template: JSONValue = ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c", "image": "nginx"]]]]
            let set: JSONValue = [
                "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "web"],
                "spec": ["selector": ["matchLabels": ["app": "db"]], "template": template],
            ]
            let mismatch = try await client.post(sets, set)
            #expect(mismatch.status == 422)
            #expect(mismatch.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "spec.template.metadata.labels")
            let replicaSet: JSONValue = [
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "rs"], "spec": ["template": template],
            ]
            let unselected = try await client.post("/apis/apps/v1/namespaces/default/replicasets", replicaSet)
            #expect(unselected.status == 422)
            #expect(unselected.json["message"] == #"ReplicaSet.apps "rs" is invalid: spec.selector: Required value"#)
        }
    }

    // https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/ and
    // pkg/apis/core/validation/events.go ValidateEventCreate for events.k8s.io/v1.
    @Test("an events.k8s.io Event without reportingController, action or eventTime, with another type, a long note or a series of 1, is 422")
    func eventValidation() async throws {
        try await withSim { _, client in
            let events = "/apis/events.k8s.io/v1/namespaces/default/events"
            let valid: JSONValue = [
                "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "ok"],
                "eventTime": "2026-12-07T10:00:00.123456Z", "reportingController": "ms2m.io/operator",
                "reportingInstance": "ms2m-0", "action": "Migrate", "reason": "Started", "type": "Normal", "note": "fine",
                "regarding": ["kind": "Pod", "namespace": "default", "name": "p"],
            ]
            #expect(try await client.post(events, valid).status == 201)
            var bare = valid
            bare[path: ["metadata", "name"]] = "bare"
            for key in ["reportingController", "action", "eventTime"] { bare[key] = nil }
            bare["type"] = "Info"
            bare["note"] = .string(String(repeating: "x", count: 1025))
            bare["series"] = ["count": 1, "lastObservedTime": "2026-12-07T10:00:00.123456Z"]
            let invalid = try await client.post(events, bare)
            #expect(invalid.status == 422)
            let fields = Set(invalid.json[path: ["details", "causes"]]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? [])
            #expect(fields == ["reportingController", "action", "eventTime", "type", "note", "series.count"])
            // MicroTime needs six fractional digits: a decode error, 400.
            var coarse = valid
            coarse[path: ["metadata", "name"]] = "coarse"
            coarse["eventTime"] = "2026-12-07T10:00:00Z"
            let decoded = try await client.post(events, coarse)
            #expect(decoded.status == 400)
            #expect(decoded.json["message"]?.stringValue?.hasPrefix(#"Event in version "v1" cannot be handled as a Event: parsing time"#) == true)
        }
    }

    // pkg/apis/coordination/validation ValidateLeaseSpec; core validation of Secrets and Nodes; DeleteOptions.
    @Test("a Lease of 0 s, bad Secret keys or base64, a Secret type change, a Node podCIDR change and contradictory delete options are refused")
    func otherValidation() async throws {
        try await withSim { _, client in
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "l"],
                "spec": ["holderIdentity": "a", "leaseDurationSeconds": 0],
            ]
            let zero = try await client.post("/apis/coordination.k8s.io/v1/namespaces/default/leases", lease)
            #expect(zero.status == 422)
            #expect(zero.json["message"] == #"Lease.coordination.k8s.io "l" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"#)
            let secrets = "/api/v1/namespaces/default/secrets"
            func secret(_ name: String, data: JSONValue, type: String = "Opaque") -> JSONValue {
                ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)], "type": .string(type), "data": data]
            }
            #expect(try await client.post(secrets, secret("badkey", data: ["a/b": "eA=="])).status == 422)
            let base64 = try await client.post(secrets, secret("bad64", data: ["k": "not base64!"]))
            #expect(base64.status == 400)
            #expect(base64.json["message"] == #"Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3"#)
            var stored = try await client.post(secrets, secret("s", data: ["k": "eA=="])).json
            stored["type"] = "kubernetes.io/basic-auth"
            let retyped = try await client.put("\(secrets)/s", stored)
            #expect(retyped.status == 422)
            #expect(retyped.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "type")

            let node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"], "spec": ["podCIDRs": ["10.0.1.0/24"]]]
            _ = try await client.post("/api/v1/nodes", node)
            let moved = try await client.patch("/api/v1/nodes/n1", ["spec": ["podCIDRs": ["10.0.2.0/24"]]], type: "application/merge-patch+json")
            #expect(moved.status == 422)

            let both = try await client.delete("\(secrets)/s", ["orphanDependents": true, "propagationPolicy": "Foreground"])
            #expect(both.status == 422)
            #expect(both.json["message"] == #"DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Foreground": orphanDependents and deletionPropagation cannot be both set"#)
            #expect(try await client.get("\(secrets)/s").status == 200)
        }
    }

    // https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/#taint-nodes-by-condition and
    // https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#taintnodesbycondition: a new
    // Node is admitted with the not-ready NoSchedule taint; the node lifecycle controller then keeps one NoSchedule
    // taint per condition that calls for one, and the unschedulable taint while the node is cordoned.
    @Test("a new Node is admitted not-ready; the lifecycle controller taints it by its conditions and cordon")
    func nodeTaintsByCondition() async throws {
        try await withSim { _, client in
            func taints(_ node: JSONValue) -> [String] {
                (node[path: ["spec", "taints"]]?.arrayValue ?? []).map { "\($0["key"]?.stringValue ?? ""):\($0["effect"]?.stringValue ?? "")" }
            }
            func keysOf(_ name: String) async throws -> [String] { taints(try await client.get("/api/v1/nodes/\(name)").json) }
            let ready: JSONValue = [
                "apiVersion": "v1", "kind": "Node", "metadata": ["name": "fresh"],
                "spec": ["taints": [["key": "dedicated", "value": "db", "effect": "NoSchedule"]]],
                "status": ["conditions": [["type": "Ready", "status": "True"]]],
            ]
            let created = try await client.post("/api/v1/nodes", ready).json
            #expect(taints(created) == ["dedicated:NoSchedule", "node.kubernetes.io/not-ready:NoSchedule"])
            #expect(try await eventually { try await keysOf("fresh") == ["dedicated:NoSchedule"] }, "Ready: the admission taint is lifted, the user's taint kept")

            let notReady: JSONValue = [
                "apiVersion": "v1", "kind": "Node", "metadata": ["name": "sick"],
                "status": ["conditions": [["type": "Ready", "status": "False"], ["type": "DiskPressure", "status": "True"]]],
            ]
            _ = try await client.post("/api/v1/nodes", notReady)
            #expect(try await eventually { try await keysOf("sick") == ["node.kubernetes.io/not-ready:NoSchedule", "node.kubernetes.io/disk-pressure:NoSchedule"] })
            let added = try await client.get("/api/v1/nodes/sick").json[path: ["spec", "taints"]]?.arrayValue?.last
            #expect(added?["timeAdded"]?.stringValue != nil, "taints the controller adds carry timeAdded")

            _ = try await client.patch("/api/v1/nodes/fresh", ["spec": ["unschedulable": true]], type: "application/merge-patch+json")
            #expect(try await eventually { try await keysOf("fresh") == ["dedicated:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule"] })
            _ = try await client.patch(
                "/api/v1/nodes/fresh/status", ["status": ["conditions": [["type": "Ready", "status": "Unknown"]]]],
                type: "application/strategic-merge-patch+json")
            #expect(try await eventually { try await keysOf("fresh").contains("node.kubernetes.io/unreachable:NoSchedule") })
            _ = try await client.patch("/api/v1/nodes/fresh", ["spec": ["unschedulable": nil]], type: "application/merge-patch+json")
            _ = try await client.patch(
                "/api/v1/nodes/fresh/status", ["status": ["conditions": [["type": "Ready", "status": "True"]]]],
                type: "application/strategic-merge-patch+json")
            #expect(try await eventually { try await keysOf("fresh") == ["dedicated:NoSchedule"] }, "uncordoned and Ready again: only the user's taint")
        }
    }

    // https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
    @Test("fieldValidation: Strict refuses unknown fields with 400, Warn (the default) answers with Warning headers, Ignore drops them")
    func fieldValidation() async throws {
        try await withSim { _, client in
            let typo = pod("typo", containers: [["name": "app", "image": "nginx", "imagePullPolcy": "Always"]])
            let strict = try await client.post("\(pods)?fieldValidation=Strict", typo)
            #expect(strict.status == 400)
            #expect(strict.json["message"] == #"Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolcy""#)
            let warned = try await client.post(pods, typo)
            #expect(warned.status == 201)
            #expect(warned.headers["warning"] == #"299 - "unknown field \"spec.containers[0].imagePullPolcy\"""#)
            #expect(warned.json[path: ["spec", "containers"]]?.arrayValue?.first?["imagePullPolcy"] == nil, "unknown fields are dropped")
            var ignored = typo
            ignored[path: ["metadata", "name"]] = "ignored"
            let quiet = try await client.post("\(pods)?fieldValidation=Ignore", ignored)
            #expect(quiet.status == 201)
            #expect(quiet.headers["warning"] == nil)
            let patched = try await client.request(
                .patch, "\(pods)/typo?fieldValidation=Strict", json: ["metadata": ["lables": ["a": "b"]]],
                contentType: "application/merge-patch+json")
            #expect(patched.status == 400)
            let bad = try await client.post("\(pods)?fieldValidation=Loose", typo)
            #expect(bad.status == 422)
        }
    }

    // https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-get-and-list and
    // k8s.io/apimachinery ValidateListOptions, storage.NewTooLargeResourceVersionError.
    @Test("resourceVersion=0 ignores limit; resourceVersionMatch without a resourceVersion is 422; a future resourceVersion is waited for, then 504")
    func listSemantics() async throws {
        try await withSim { _, client in
            for index in 0..<5 { _ = try await client.post(cms, configMap("cm-\(index)")) }
            let cached = try await client.get("\(cms)?resourceVersion=0&limit=2").json
            #expect((cached["items"]?.arrayValue?.count ?? 0) >= 5)
            #expect(cached[path: ["metadata", "continue"]] == nil)
            #expect(try await client.get("\(cms)?limit=2").json[path: ["metadata", "continue"]] != nil)
            let unmatched = try await client.get("\(cms)?resourceVersionMatch=NotOlderThan")
            #expect(unmatched.status == 422)
            #expect(unmatched.json["message"] == #"ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"#)
            let current = try #require(Int(try await client.get(cms).json.rv))
            let start = ContinuousClock.now
            let future = try await client.get("\(cms)?resourceVersion=\(current + 1000)")
            #expect(future.status == 504)
            #expect(future.json[path: ["details", "causes"]]?.arrayValue?.first?["reason"] == "ResourceVersionTooLarge")
            #expect(ContinuousClock.now - start >= .seconds(2))
            // One that arrives while the list waits is served.
            async let later = client.get("\(cms)?resourceVersion=\(current + 1)")
            try await Task.sleep(for: .milliseconds(200))
            _ = try await client.post(cms, configMap("arrives"))
            #expect(try await later.status == 200)
            // A watch waits the same way, and fails before its first event when the version never comes.
            let now = try #require(Int(try await client.get(cms).json.rv))
            let futureWatch = try await client.get("\(cms)?watch=true&resourceVersion=\(now + 1000)")
            #expect(futureWatch.status == 504)
            let w = try await client.watch("\(cms)?watch=true&resourceVersion=\(now)")
            _ = try await client.post(cms, configMap("watched"))
            let event = try #require(try await w.next(within: 5))
            #expect(event[path: ["object", "metadata", "name"]] == "watched")
        }
    }

    // https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-interface-definition
    @Test("/openapi/v2 (JSON and protobuf) and /openapi/v3 describe each kind's PATCH with fieldValidation and its group-version-kind")
    func openAPI() async throws {
        try await withSim { _, client in
            let v2 = try await client.get("/openapi/v2")
            #expect(v2.status == 200)
            let patch = v2.json[path: ["paths", "/api/v1/namespaces/{namespace}/pods/{name}", "patch"]]
            #expect(patch?["x-kubernetes-group-version-kind"] == ["group": "", "kind": "Pod", "version": "v1"])
            #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } == true)
            let proto = try await client.request(
                .get, "/openapi/v2", extraHeaders: ["Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"])
            #expect(proto.status == 200)
            #expect(proto.headers["content-type"] == "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
            #expect(Array(proto.body.prefix(5)) == [0x0A, 0x03, 0x32, 0x2E, 0x30], "field 1 (swagger) = \"2.0\"")
            let root = try await client.get("/openapi/v3").json
            let url = try #require(root[path: ["paths", "apis/apps/v1", "serverRelativeURL"]]?.stringValue)
            let apps = try await client.get(url).json
            #expect(apps[path: ["paths", "/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}", "patch", "x-kubernetes-group-version-kind", "kind"]] == "StatefulSet")
            #expect(try await client.get("/openapi/v3/apis/nope/v1").status == 404)
        }
    }

    // https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management: every write records
    // its manager, the fieldManager parameter or else the User-Agent up to its first "/".
    @Test("a write without fieldManager is recorded in managedFields under the User-Agent's first part; a status write names its subresource")
    func managedFieldsOnEveryWrite() async throws {
        try await withSim { _, client in
            let created = try await client.request(
                .post, cms, json: configMap("m", data: ["a": "1"]), extraHeaders: ["User-Agent": "ms2m-operator/0.1 (linux)"])
            let entry = created.json[path: ["metadata", "managedFields"]]?.arrayValue?.first
            #expect(entry?["manager"] == "ms2m-operator")
            #expect(entry?["operation"] == "Update")
            #expect(entry?[path: ["fieldsV1", "f:data", "f:a"]] == [:])
            let node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "mf"]]
            _ = try await client.post("/api/v1/nodes", node)
            let status = try await client.request(
                .patch, "/api/v1/nodes/mf/status", json: ["status": ["capacity": ["cpu": "4"]]],
                contentType: "application/merge-patch+json", extraHeaders: ["User-Agent": "kubelet/v1.31.0"])
            let entries = status.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            let kubelet = try #require(entries.first { $0["manager"] == "kubelet" })
            #expect(kubelet["subresource"] == "status")
            #expect(status.json[path: ["status", "allocatable"]] == ["cpu": "4"], "allocatable defaults to capacity")
        }
    }
}
