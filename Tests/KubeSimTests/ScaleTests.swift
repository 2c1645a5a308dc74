import HTTPTransport
import KubeSim
import TestSupport
import Testing
import Unstructured

@Suite("KubeSim at scale")
struct ScaleTests {
    // Large lists and watch fan-out: 10,000 pods listed in one response and in pages; events reach every watcher.
    @Test("10,000 pods: full list, paged list, watch fan-out")
    func tenThousandPods() async throws {
        try await withSim { server, client in
            // 10,000 synchronous creates are CPU-bound: run them off the cooperative pool.
            try await onBlockingThread {
                for i in 0..<10_000 {
                    _ = try server.create(pod(String(format: "pod-%05d", i), labels: ["i": String(i % 10)], node: "n1"))
                }
            }
            let clock = ContinuousClock()
            let start = clock.now
            let all = try await client.get("/api/v1/pods")
            let elapsed = clock.now - start
            #expect(all.status == 200)
            #expect(all.json.items.count == 10_000)
            print("KubeSim: listed 10,000 pods (\(all.body.count) bytes) in \(elapsed)")
            var pages = 0
            var seen = 0
            var token: String?
            repeat {
                var path = "/api/v1/namespaces/default/pods?limit=2500"
                if let token { path += "&continue=\(token.addingPercentEncodingForQuery())" }
                let page = try await client.get(path).json
                seen += page.items.count
                pages += 1
                token = page[path: ["metadata", "continue"]]?.stringValue
            } while token != nil
            #expect(pages == 4)
            #expect(seen == 10_000)
            let selected = try await client.get("/api/v1/pods?labelSelector=i%3D3").json
            #expect(selected.items.count == 1_000)

            let rv = all.json.rv
            let watchers = try await withThrowingTaskGroup(of: WatchReader.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await client.watch("/api/v1/namespaces/default/pods?watch=true&resourceVersion=\(rv)")
                    }
                }
                var out: [WatchReader] = []
                for try await w in group { out.append(w) }
                return out
            }
            for i in 0..<500 {
                _ = try server.create(pod("extra-\(i)", node: "n1"))
            }
            for w in watchers {
                var count = 0
                while count < 500, let e = try await w.next(within: 10) {
                    #expect(e["type"] == "ADDED")
                    count += 1
                }
                #expect(count == 500)
            }
        }
    }
}
