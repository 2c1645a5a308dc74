import HTTPTransport
import KubeSim
import Testing
import Unstructured

@Suite("KubeSim watch")
struct WatchTests {
    let cms = "/api/v1/namespaces/default/configmaps"

    // API Concepts → "Efficient detection of changes": watch from a list's resourceVersion gets every later change.
    @Test("watch from a resourceVersion streams later events as chunked JSON lines")
    func watchFromRV() async throws {
        try await withSim { _, client in
            _ = try await client.post(cms, configMap("before"))
            let list = try await client.get(cms).json
            let w = try await client.watch("\(cms)?watch=true&resourceVersion=\(list.rv)")
            #expect(w.head.status == 200)
            #expect(w.head.headers["Content-Type"] == "application/json")
            #expect(w.head.headers["Transfer-Encoding"]?.lowercased() == "chunked")
            let created = try await client.post(cms, configMap("a")).json
            var changed = created
            changed["data"] = ["x": "1"]
            _ = try await client.put("\(cms)/a", changed)
            _ = try await client.delete("\(cms)/a")
            let e1 = try #require(try await w.next(within: 5))
            #expect(e1["type"] == "ADDED")
            #expect(e1[path: ["object", "metadata", "name"]] == "a")
            #expect(e1[path: ["object", "kind"]] == "ConfigMap")
            let e2 = try #require(try await w.next(within: 5))
            #expect(e2["type"] == "MODIFIED")
            #expect(e2[path: ["object", "data", "x"]] == "1")
            let e3 = try #require(try await w.next(within: 5))
            #expect(e3["type"] == "DELETED")
            // The DELETED object carries the deletion's resourceVersion.
            #expect(Int(e3["object"]!.rv)! > Int(e2["object"]!.rv)!)
        }
    }

    // Watch without resourceVersion (or "0"): synthetic ADDED events for current state, then changes.
    @Test("watch from 0 sends the current state as ADDED first")
    func watchFromZero() async throws {
        try await withSim { _, client in
            _ = try await client.post(cms, configMap("x"))
            _ = try await client.post(cms, configMap("y"))
            for query in ["watch=true", "watch=1&resourceVersion=0"] {
                let w = try await client.watch("\(cms)?\(query)")
                let a = try #require(try await w.next(within: 5))
                let b = try #require(try await w.next(within: 5))
                #expect(a["type"] == "ADDED")
                #expect(
                    [a, b].map { $0[path: ["object", "metadata", "name"]]?.stringValue ?? "" }.sorted() == ["x", "y"])
            }
            let w = try await client.watch("\(cms)?watch=true")
            _ = try await w.next(within: 5)
            _ = try await w.next(within: 5)
            _ = try await client.post(cms, configMap("z"))
            let c = try #require(try await w.next(within: 5))
            #expect(c["type"] == "ADDED")
            #expect(c[path: ["object", "metadata", "name"]] == "z")
        }
    }

    // Watch bookmarks: BOOKMARK events carry only the type's kind/apiVersion and metadata.resourceVersion.
    @Test("allowWatchBookmarks sends periodic bookmarks")
    func bookmarks() async throws {
        try await withSim({ $0.bookmarkInterval = .milliseconds(100) }) { _, client in
            let list = try await client.get(cms).json
            let w = try await client.watch("\(cms)?watch=true&allowWatchBookmarks=true&resourceVersion=\(list.rv)")
            let events = try await w.until { $0["type"] == "BOOKMARK" }
            let bm = try #require(events.last)
            #expect(bm[path: ["object", "kind"]] == "ConfigMap")
            #expect(bm[path: ["object", "apiVersion"]] == "v1")
            #expect(!(bm["object"]!.rv).isEmpty)
            #expect(bm[path: ["object", "metadata", "name"]] == nil)
        }
    }

    // Streaming lists (sendInitialEvents): initial ADDEDs then a bookmark annotated k8s.io/initial-events-end.
    @Test("sendInitialEvents ends the initial state with an annotated bookmark")
    func initialEvents() async throws {
        try await withSim { _, client in
            _ = try await client.post(cms, configMap("i1"))
            let w = try await client.watch(
                "\(cms)?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true")
            let e1 = try #require(try await w.next(within: 5))
            #expect(e1["type"] == "ADDED")
            let e2 = try #require(try await w.next(within: 5))
            #expect(e2["type"] == "BOOKMARK")
            #expect(e2[path: ["object", "metadata", "annotations", "k8s.io/initial-events-end"]] == "true")
            let bad = try await client.get("\(cms)?watch=true&sendInitialEvents=true")
            #expect(bad.status == 422)
        }
    }

    // Resource versions → "410 Gone": a watch from a compacted revision gets an ERROR event with an Expired Status.
    @Test("watch from a too-old resourceVersion gets a 410 ERROR event and ends")
    func tooOld() async throws {
        try await withSim({ $0.watchHistoryLimit = 3 }) { _, client in
            let first = try await client.post(cms, configMap("a")).json
            for i in 0..<5 { _ = try await client.post(cms, configMap("b\(i)")) }
            let w = try await client.watch("\(cms)?watch=true&resourceVersion=\(first.rv)")
            #expect(w.head.status == 200)
            let e = try #require(try await w.next(within: 5))
            #expect(e["type"] == "ERROR")
            #expect(e[path: ["object", "kind"]] == "Status")
            #expect(e[path: ["object", "code"]] == 410)
            #expect(e[path: ["object", "reason"]] == "Expired")
            #expect(
                e[path: ["object", "message"]]?.stringValue?.hasPrefix("too old resource version: \(first.rv) (")
                    == true)
            #expect(try await w.next(within: 5) == nil)
        }
    }

    // Watch cache semantics with selectors: an object that stops matching is DELETED, one that starts matching ADDED.
    @Test("selector transitions yield ADDED and DELETED")
    func selectorTransitions() async throws {
        try await withSim { _, client in
            let list = try await client.get(cms).json
            let w = try await client.watch("\(cms)?watch=true&resourceVersion=\(list.rv)&labelSelector=app%3Dweb")
            _ = try await client.post(cms, configMap("m", labels: ["app": "other"]))
            _ = try await client.patch(
                "\(cms)/m", ["metadata": ["labels": ["app": "web"]]], type: "application/merge-patch+json")
            let added = try #require(try await w.next(within: 5))
            #expect(added["type"] == "ADDED")
            _ = try await client.patch("\(cms)/m", ["data": ["a": "b"]], type: "application/merge-patch+json")
            let modified = try #require(try await w.next(within: 5))
            #expect(modified["type"] == "MODIFIED")
            let left = try await client.patch(
                "\(cms)/m", ["metadata": ["labels": ["app": "gone"]]], type: "application/merge-patch+json"
            ).json
            let deleted = try #require(try await w.next(within: 5))
            #expect(deleted["type"] == "DELETED")
            #expect(deleted["object"]?.rv == left.rv)
            // The DELETED object is the last state that matched.
            #expect(deleted[path: ["object", "metadata", "labels", "app"]] == "web")
        }
    }

    // timeoutSeconds ends the watch cleanly.
    @Test("timeoutSeconds ends the stream cleanly")
    func timeout() async throws {
        try await withSim { _, client in
            let start = ContinuousClock.now
            let w = try await client.watch(
                "\(cms)?watch=true&timeoutSeconds=1&resourceVersion=\(try await client.get(cms).json.rv)")
            #expect(try await w.next(within: 5) == nil)
            #expect(w.endError == nil)
            #expect(ContinuousClock.now - start >= .milliseconds(900))
        }
    }

    // Field selectors on watch and watching one object by name.
    @Test("watch with a field selector and the namespace scope")
    func fieldSelectorWatch() async throws {
        try await withSim { server, client in
            _ = try await client.post(
                "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
            let rv = try await client.get(cms).json.rv
            let w = try await client.watch(
                "/api/v1/configmaps?watch=true&resourceVersion=\(rv)&fieldSelector=metadata.name%3Dt")
            _ = try await client.post(cms, configMap("u"))
            _ = try await client.post("/api/v1/namespaces/other/configmaps", configMap("t", namespace: "other"))
            let e = try #require(try await w.next(within: 5))
            #expect(e[path: ["object", "metadata", "namespace"]] == "other")
            _ = server
        }
    }

    // Fault injection: breakWatches closes streams abruptly; the client sees an error, not a clean end.
    @Test("breakWatches ends streams abruptly")
    func breakWatches() async throws {
        try await withSim { server, client in
            let w = try await client.watch("\(cms)?watch=true&resourceVersion=\(try await client.get(cms).json.rv)")
            try await Task.sleep(for: .milliseconds(50))
            server.faults.breakWatches()
            var ended = false
            do {
                let e = try await w.next(within: 5)
                ended = e == nil
            } catch {
                ended = true
            }
            #expect(ended)
            #expect(w.endError != nil)
        }
    }
}
