import HTTPTransport
import KubeSim
import Testing
import Unstructured

@Suite("KubeSim list, selectors, pagination")
struct ListTests {
    let cms = "/api/v1/namespaces/default/configmaps"

    // Labels and Selectors → equality- and set-based requirements; comma is AND.
    @Test("label selectors")
    func labelSelectors() async throws {
        try await withSim { _, client in
            _ = try await client.post(cms, configMap("a", labels: ["app": "web", "tier": "front"]))
            _ = try await client.post(cms, configMap("b", labels: ["app": "web", "tier": "back"]))
            _ = try await client.post(cms, configMap("c", labels: ["app": "db"]))
            _ = try await client.post(cms, configMap("d"))
            func names(_ selector: String) async throws -> [String] {
                let enc = selector.addingPercentEncodingForQuery()
                return try await client.get("\(cms)?labelSelector=\(enc)").json.names
            }
            #expect(try await names("app=web") == ["a", "b"])
            #expect(try await names("app==web,tier=back") == ["b"])
            #expect(try await names("app!=web") == ["c", "d"])
            #expect(try await names("tier in (front,back)") == ["a", "b"])
            #expect(try await names("app notin (web)") == ["c", "d"])
            #expect(try await names("tier") == ["a", "b"])
            #expect(try await names("!tier") == ["c", "d"])
            let bad = try await client.get("\(cms)?labelSelector=\("app in (web".addingPercentEncodingForQuery())")
            #expect(bad.status == 400)
            #expect(bad.json["reason"] == "BadRequest")
            let bad2 = try await client.get("\(cms)?labelSelector=\("a=b=c".addingPercentEncodingForQuery())")
            #expect(bad2.status == 400)
        }
    }

    // Field Selectors → supported fields per type; unsupported fields are 400 "field label not supported".
    @Test("field selectors")
    func fieldSelectors() async throws {
        try await withSim { server, client in
            _ = try server.create(pod("p1", node: "n1"))
            _ = try server.create(pod("p2", node: "n2"))
            _ = try server.create(pod("p3"))
            let pods = "/api/v1/pods"
            func names(_ selector: String) async throws -> [String] {
                try await client.get("\(pods)?fieldSelector=\(selector.addingPercentEncodingForQuery())").json.names
            }
            #expect(try await names("spec.nodeName=n1") == ["p1"])
            #expect(try await names("spec.nodeName==n2") == ["p2"])
            #expect(try await names("spec.nodeName!=n1") == ["p2", "p3"])
            #expect(try await names("spec.nodeName=") == ["p3"])
            #expect(try await names("metadata.name=p2,metadata.namespace=default") == ["p2"])
            #expect(try await names("status.phase=Pending") == ["p1", "p2", "p3"])
            let bad = try await client.get("\(pods)?fieldSelector=spec.foo%3Dbar")
            #expect(bad.status == 400)
            #expect(bad.json["message"] == "field label not supported: spec.foo")
            _ = try await client.post(
                "/api/v1/nodes", ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
            let nodes = try await client.get("/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse")
            #expect(nodes.json.names == ["n1"])
            _ = try await client.post(
                "/api/v1/namespaces/default/secrets",
                ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "type": "kubernetes.io/tls"])
            let secrets = try await client.get("/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls")
            #expect(secrets.json.names == ["s"])
        }
    }

    // API Concepts → "Retrieving large results sets in chunks": limit/continue, consistent snapshot,
    // remainingItemCount, and 410 Expired when the snapshot is gone.
    @Test("pagination across pages serves one consistent snapshot")
    func pagination() async throws {
        try await withSim { _, client in
            for i in 0..<7 { _ = try await client.post(cms, configMap("cm\(i)")) }
            let first = try await client.get("\(cms)?limit=3").json
            #expect(first.names == ["cm0", "cm1", "cm2"])
            #expect(first[path: ["metadata", "remainingItemCount"]] == 4)
            let snapshotRV = first.rv
            let token1 = try #require(first[path: ["metadata", "continue"]]?.stringValue)
            // Changes after the first page must not show up in later pages.
            _ = try await client.delete("\(cms)/cm4")
            _ = try await client.post(cms, configMap("cm5a"))
            let second = try await client.get("\(cms)?limit=3&continue=\(token1.addingPercentEncodingForQuery())").json
            #expect(second.names == ["cm3", "cm4", "cm5"])
            #expect(second.rv == snapshotRV)
            #expect(second[path: ["metadata", "remainingItemCount"]] == 1, "cm5a, created after the snapshot, is not counted")
            let token2 = try #require(second[path: ["metadata", "continue"]]?.stringValue)
            let third = try await client.get("\(cms)?limit=3&continue=\(token2.addingPercentEncodingForQuery())").json
            #expect(third.names == ["cm6"])
            #expect(third[path: ["metadata", "continue"]] == nil)
            // A fresh list sees the changes.
            #expect(try await client.get(cms).json.names == ["cm0", "cm1", "cm2", "cm3", "cm5", "cm5a", "cm6"])
        }
    }

    @Test("a continue token older than the retained history is 410 Expired")
    func expiredContinue() async throws {
        try await withSim({ $0.watchHistoryLimit = 3 }) { _, client in
            for i in 0..<4 { _ = try await client.post(cms, configMap("cm\(i)")) }
            let first = try await client.get("\(cms)?limit=2").json
            let token = try #require(first[path: ["metadata", "continue"]]?.stringValue)
            for i in 0..<5 { _ = try await client.post(cms, configMap("x\(i)")) }
            let r = try await client.get("\(cms)?limit=2&continue=\(token.addingPercentEncodingForQuery())")
            #expect(r.status == 410)
            #expect(r.json["reason"] == "Expired")
            #expect(
                r.json["message"]?.stringValue?.hasPrefix(
                    "The provided continue parameter is too old to display a consistent list result.") == true)
            // The Status carries a token for the (inconsistent) remainder.
            let inconsistent = try #require(r.json[path: ["metadata", "continue"]]?.stringValue)
            let rest = try await client.get("\(cms)?limit=100&continue=\(inconsistent.addingPercentEncodingForQuery())")
            #expect(rest.status == 200)
            #expect(rest.json.names.first == "cm2")
            let garbage = try await client.get("\(cms)?limit=2&continue=garbage")
            #expect(garbage.status == 400)
        }
    }

    // Lists report the current resourceVersion (the collection's).
    @Test("list metadata.resourceVersion is the current revision; namespaces scope lists")
    func listRV() async throws {
        try await withSim { _, client in
            _ = try await client.post(
                "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
            let a = try await client.post(cms, configMap("a")).json
            _ = try await client.post("/api/v1/namespaces/other/configmaps", configMap("b", namespace: "other"))
            let mine = try await client.get(cms).json
            #expect(mine.names == ["a"])
            #expect(Int(mine.rv)! > Int(a.rv)!)
            let all = try await client.get("/api/v1/configmaps").json
            #expect(all.names == ["a", "b"])
            #expect(all["kind"] == "ConfigMapList")
            #expect(all[path: ["metadata", "continue"]] == nil)
        }
    }
}

extension String {
    func addingPercentEncodingForQuery() -> String {
        var out = ""
        for b in utf8 {
            let c = Character(UnicodeScalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPad(2)
            }
        }
        return out
    }
    func leftPad(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
