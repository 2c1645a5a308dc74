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
}
