import Testing
import Unstructured

@testable import KubeSim

@Suite("StrategicMergePatch")
struct StrategicMergePatchTests {
    static let deployment = StrategicMergeSchema.forKind(group: "apps", kind: "Deployment")!
    static let pod = StrategicMergeSchema.forKind(group: "", kind: "Pod")!
    static let node = StrategicMergeSchema.forKind(group: "", kind: "Node")!

    static func template(_ podSpec: String) -> String {
        #"{"spec":{"template":{"spec":"# + podSpec + "}}}"
    }

    /// (name, schema kind, original, patch, expected). Deployment cases follow the kubectl patch task page.
    static let cases: [(String, String, String, String, String)] = [
        ("containers merge by name; new items first (kubectl docs)", "Deployment",
         template(#"{"containers":[{"name":"patch-demo-ctr","image":"nginx"}]}"#),
         template(#"{"containers":[{"name":"patch-demo-ctr-2","image":"redis"}]}"#),
         template(#"{"containers":[{"name":"patch-demo-ctr-2","image":"redis"},{"name":"patch-demo-ctr","#
             + #""image":"nginx"}]}"#)),
        ("an existing container is merged in place", "Deployment",
         template(#"{"containers":[{"name":"a","image":"x","args":["1"]},{"name":"b","image":"y"}]}"#),
         template(#"{"containers":[{"name":"b","image":"z"}]}"#),
         template(#"{"containers":[{"name":"a","image":"x","args":["1"]},{"name":"b","image":"z"}]}"#)),
        ("tolerations have no strategy: replaced (kubectl docs)", "Deployment",
         template(#"{"tolerations":[{"effect":"NoSchedule","key":"dedicated","value":"test-team"}]}"#),
         template(#"{"tolerations":[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]}"#),
         template(#"{"tolerations":[{"effect":"NoSchedule","key":"disktype","value":"ssd"}]}"#)),
        ("$patch: delete removes a list element by merge key", "Pod",
         #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
         #"{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}"#,
         #"{"spec":{"containers":[{"name":"b"}]}}"#),
        ("$patch: replace replaces the whole list", "Pod",
         #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
         #"{"spec":{"containers":[{"$patch":"replace"},{"name":"c","image":"i"}]}}"#,
         #"{"spec":{"containers":[{"name":"c","image":"i"}]}}"#),
        ("$patch: replace on an object replaces it", "Pod",
         #"{"spec":{"securityContext":{"runAsUser":1,"fsGroup":2}}}"#,
         #"{"spec":{"securityContext":{"$patch":"replace","runAsNonRoot":true}}}"#,
         #"{"spec":{"securityContext":{"runAsNonRoot":true}}}"#),
        ("$patch: delete on an object empties it", "Pod",
         #"{"spec":{"securityContext":{"runAsUser":1}}}"#,
         #"{"spec":{"securityContext":{"$patch":"delete"}}}"#,
         #"{"spec":{"securityContext":{}}}"#),
        ("$patch: merge is the default for objects", "Pod",
         #"{"metadata":{"labels":{"a":"1"}}}"#,
         #"{"metadata":{"labels":{"$patch":"merge","b":"2"}}}"#,
         #"{"metadata":{"labels":{"a":"1","b":"2"}}}"#),
        ("$setElementOrder orders the merged list", "Pod",
         #"{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}"#,
         #"{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}],"containers":[{"name":"a","#
             + #""image":"x"}]}}"#,
         #"{"spec":{"containers":[{"name":"c"},{"name":"a","image":"x"},{"name":"b"}]}}"#),
        ("$setElementOrder orders primitives (finalizers)", "Pod",
         #"{"metadata":{"finalizers":["a","b"]}}"#,
         #"{"metadata":{"$setElementOrder/finalizers":["b","c","a"],"finalizers":["c"]}}"#,
         #"{"metadata":{"finalizers":["b","c","a"]}}"#),
        ("finalizers are a merged primitive list (union, no duplicates)", "Pod",
         #"{"metadata":{"finalizers":["a","b"]}}"#,
         #"{"metadata":{"finalizers":["b","c"]}}"#,
         #"{"metadata":{"finalizers":["a","b","c"]}}"#),
        ("$deleteFromPrimitiveList removes finalizers", "Pod",
         #"{"metadata":{"finalizers":["a","b","c"]}}"#,
         #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}"#,
         #"{"metadata":{"finalizers":["a","c"]}}"#),
        ("null deletes a key", "Pod",
         #"{"metadata":{"labels":{"a":"1","b":"2"}}}"#,
         #"{"metadata":{"labels":{"a":null}}}"#,
         #"{"metadata":{"labels":{"b":"2"}}}"#),
        ("nulls under a new key are dropped", "Pod",
         #"{"metadata":{"name":"p"}}"#,
         #"{"metadata":{"annotations":{"x":null,"y":"1"}}}"#,
         #"{"metadata":{"name":"p","annotations":{"y":"1"}}}"#),
        ("ownerReferences merge by uid", "Pod",
         #"{"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]}}"#,
         #"{"metadata":{"ownerReferences":[{"uid":"1","name":"b"},{"uid":"2","name":"c"}]}}"#,
         #"{"metadata":{"ownerReferences":[{"uid":"1","name":"b"},{"uid":"2","name":"c"}]}}"#),
        ("env merges by name, ports by containerPort, envFrom replaces", "Pod",
         #"{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"}],"ports":[{"containerPort":80,"#
             + #""name":"http"}],"envFrom":[{"configMapRef":{"name":"c1"}}]}]}}"#,
         #"{"spec":{"containers":[{"name":"a","env":[{"name":"Y","value":"2"}],"ports":[{"containerPort":80,"#
             + #""protocol":"TCP"}],"envFrom":[{"secretRef":{"name":"s"}}]}]}}"#,
         #"{"spec":{"containers":[{"name":"a","env":[{"name":"Y","value":"2"},{"name":"X","value":"1"}],"#
             + #""ports":[{"containerPort":80,"name":"http","protocol":"TCP"}],"#
             + #""envFrom":[{"secretRef":{"name":"s"}}]}]}}"#),
        ("volumes merge by name; volumeMounts by mountPath", "Deployment",
         template(#"{"volumes":[{"name":"v1","emptyDir":{}}],"containers":[{"name":"a","#
             + #""volumeMounts":[{"mountPath":"/a","name":"v1"}]}]}"#),
         template(#"{"volumes":[{"name":"v2","emptyDir":{}}],"containers":[{"name":"a","#
             + #""volumeMounts":[{"mountPath":"/a","readOnly":true}]}]}"#),
         template(#"{"volumes":[{"name":"v2","emptyDir":{}},{"name":"v1","emptyDir":{}}],"containers":[{"name":"a","#
             + #""volumeMounts":[{"mountPath":"/a","name":"v1","readOnly":true}]}]}"#)),
        ("Pod status conditions merge by type; containerStatuses replace", "Pod",
         #"{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Initialized","status":"True"}],"#
             + #""containerStatuses":[{"name":"a"},{"name":"b"}]}}"#,
         #"{"status":{"conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"b"}]}}"#,
         #"{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}],"#
             + #""containerStatuses":[{"name":"b"}]}}"#),
        ("Node addresses merge by type; taints replace", "Node",
         #"{"spec":{"taints":[{"key":"a","effect":"NoSchedule"}]},"status":{"addresses":[{"type":"InternalIP","#
             + #""address":"10.0.0.1"},{"type":"Hostname","address":"n"}]}}"#,
         #"{"spec":{"taints":[{"key":"b","effect":"NoExecute"}]},"status":{"addresses":[{"type":"InternalIP","#
             + #""address":"10.0.0.2"}]}}"#,
         #"{"spec":{"taints":[{"key":"b","effect":"NoExecute"}]},"status":{"addresses":[{"type":"InternalIP","#
             + #""address":"10.0.0.2"},{"type":"Hostname","address":"n"}]}}"#),
        ("$retainKeys drops keys not listed", "Deployment",
         #"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}"#,
         #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#,
         #"{"spec":{"strategy":{"type":"Recreate"}}}"#),
        ("lists without a strategy replace, objects merge", "Pod",
         #"{"spec":{"containers":[{"name":"a","args":["1","2"],"resources":{"limits":{"cpu":"1"}}}]}}"#,
         #"{"spec":{"containers":[{"name":"a","args":["3"],"resources":{"requests":{"cpu":"1"}}}]}}"#,
         #"{"spec":{"containers":[{"name":"a","args":["3"],"resources":{"limits":{"cpu":"1"},"#
             + #""requests":{"cpu":"1"}}}]}}"#),
    ]

    @Test("applies strategic merge patches", arguments: cases)
    func applies(name: String, kind: String, original: String, patch: String, expected: String) throws {
        let schema = [("Deployment", Self.deployment), ("Pod", Self.pod), ("Node", Self.node)]
            .first { $0.0 == kind }!.1
        let result = try StrategicMergePatch.apply(engineJSON(patch), to: engineJSON(original), schema: schema)
        // JSONValue equality ignores object key order but not list order, so merged list order is checked.
        #expect(result == engineJSON(expected), "\(name)")
    }

    @Test("the result keeps the merged list order exactly")
    func order() throws {
        let result = try StrategicMergePatch.apply(
            engineJSON(#"{"metadata":{"finalizers":["a","b"]}}"#),
            to: engineJSON(#"{"metadata":{"finalizers":["x"]}}"#),
            schema: Self.pod)
        #expect(result["metadata"]?["finalizers"] == engineJSON(#"["a","b","x"]"#))
    }

    static let failures: [(String, String, String)] = [
        ("a merge-key list element without its key",
         #"{"spec":{"containers":[{"image":"x"}]}}"#, "does not contain declared merge key: name"),
        ("$patch: delete without the merge key",
         #"{"spec":{"containers":[{"$patch":"delete"}]}}"#, "does not contain declared merge key"),
        ("an unknown $patch directive", #"{"spec":{"$patch":"explode"}}"#, "unknown patch type"),
        ("$patch: merge in a list", #"{"spec":{"containers":[{"$patch":"merge"}]}}"#, "merging lists cannot"),
        ("$setElementOrder that contradicts the patch list",
         #"{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a"},"#
             + #"{"name":"b"}]}}"#,
         "doesn't match $setElementOrder"),
        ("a patch that is not an object", #"[1]"#, "must be a JSON object"),
    ]

    @Test("rejects malformed patches", arguments: failures)
    func rejects(name: String, patch: String, fragment: String) {
        let original = engineJSON(#"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#)
        do {
            let result = try StrategicMergePatch.apply(engineJSON(patch), to: original, schema: Self.pod)
            Issue.record("\(name): expected an error, got \(result.jsonString())")
        } catch {
            #expect(error.message.contains(fragment), "\(name): \(error.message)")
        }
    }

    @Test("knows built-in kinds and refuses custom resources", arguments: [
        ("", "Pod", true), ("apps", "StatefulSet", true), ("batch", "Job", true), ("", "Secret", true),
        ("coordination.k8s.io", "Lease", true), ("policy", "PodDisruptionBudget", true),
        ("rbac.authorization.k8s.io", "Role", true), ("migration.ms2m.io", "StatefulMigration", false),
        ("example.com", "Pod", false),
    ])
    func kinds(group: String, kind: String, known: Bool) {
        #expect((StrategicMergeSchema.forKind(group: group, kind: kind) != nil) == known)
    }

    @Test("a generic built-in kind still merges metadata finalizers")
    func genericKind() throws {
        let schema = try #require(StrategicMergeSchema.forKind(group: "rbac.authorization.k8s.io", kind: "Role"))
        let result = try StrategicMergePatch.apply(
            engineJSON(#"{"metadata":{"finalizers":["b"]},"rules":[{"verbs":["get"]}]}"#),
            to: engineJSON(#"{"metadata":{"finalizers":["a"]},"rules":[{"verbs":["list"]}]}"#), schema: schema)
        #expect(result == engineJSON(#"{"metadata":{"finalizers":["b","a"]},"rules":[{"verbs":["get"]}]}"#))
    }

    @Test("StatefulSet and Job pod templates use the pod spec rules",
        arguments: [("apps", "StatefulSet"), ("batch", "Job")])
    func templates(group: String, kind: String) throws {
        let schema = try #require(StrategicMergeSchema.forKind(group: group, kind: kind))
        let result = try StrategicMergePatch.apply(
            engineJSON(Self.template(#"{"containers":[{"name":"a","image":"new"}]}"#)),
            to: engineJSON(Self.template(#"{"containers":[{"name":"a","image":"old"},{"name":"b"}]}"#)), schema: schema)
        #expect(result == engineJSON(Self.template(#"{"containers":[{"name":"a","image":"new"},{"name":"b"}]}"#)))
    }
}
