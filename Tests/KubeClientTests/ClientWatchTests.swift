import Foundation
import KubeClient
import KubeModel
import OperatorCore
import KubeSim
import Testing

@Suite("KubeClient watches against the emulator")
struct ClientWatchTests {
    @Test("a watch resumed from a resourceVersion delivers exactly the later events, in order")
    func resume() async throws {
        try await withEmulator { _, client in
            _ = try await client.create(configMap("before"))
            let version = try await client.list(ConfigMap.self, namespace: "default").metadata.resourceVersion
            _ = try await client.create(configMap("one"))
            var two = try await client.create(configMap("two"))
            two.data = ["x": "y"]
            _ = try await client.update(two)
            _ = try await client.delete(ConfigMap.self, name: "one")
            var seen: [String] = []
            for try await event in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: version, allowWatchBookmarks: false)) {
                seen.append("\(event.type.rawValue) \(event.object?.metadata.name ?? "")")
                if seen.count == 4 { break }
            }
            #expect(seen == ["ADDED one", "ADDED two", "MODIFIED two", "DELETED one"])
        }
    }

    @Test("a watch without a version starts with the current state")
    func initialState() async throws {
        try await withEmulator { _, client in
            _ = try await client.create(configMap("a"))
            _ = try await client.create(configMap("b"))
            var names: [String] = []
            for try await event in client.watch(ConfigMap.self, namespace: "default") {
                if case .added(let object) = event { names.append(object.metadata.name ?? "") }
                if names.count == 2 { break }
            }
            #expect(names.sorted() == ["a", "b"])
        }
    }

    @Test("bookmarks carry the current resourceVersion")
    func bookmarks() async throws {
        try await withEmulator({ $0.bookmarkInterval = .milliseconds(100) }) { _, client in
            _ = try await client.create(configMap("a"))
            let version = try await client.list(ConfigMap.self, namespace: "default").metadata.resourceVersion
            for try await event in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: version)) {
                guard case .bookmark(let marker) = event else { continue }
                #expect(marker.resourceVersion == version)
                break
            }
        }
    }

    @Test("a version older than the server's history throws 410 Expired, and a re-list recovers")
    func expired() async throws {
        try await withEmulator({ $0.watchHistoryLimit = 5 }) { _, client in
            let start = try await client.list(ConfigMap.self, namespace: "default").metadata.resourceVersion
            for index in 0..<20 { _ = try await client.create(configMap("cm-\(index)")) }
            let error = await #expect(throws: KubeAPIError.self) {
                for try await _ in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: start)) {}
            }
            #expect(error?.isResourceExpired == true)
            #expect(error?.code == 410)
            let relisted = try await client.list(ConfigMap.self, namespace: "default")
            #expect(relisted.items.count == 20)
            // Watching from the fresh list's version works again.
            let next = Task {
                for try await event in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: relisted.metadata.resourceVersion, allowWatchBookmarks: false)) {
                    return event.object?.metadata.name
                }
                return nil
            }
            try await Task.sleep(for: .milliseconds(100))
            _ = try await client.create(configMap("after"))
            #expect(try await next.value == "after")
        }
    }

    @Test("cancelling a watch returns within one second")
    func cancellation() async throws {
        try await withEmulator { _, client in
            _ = try await client.create(configMap("a"))
            let started = AsyncStream<Void>.makeStream()
            let watcher = Task {
                for try await _ in client.watch(ConfigMap.self, namespace: "default") { started.continuation.yield() }
            }
            for await _ in started.stream { break }
            let clock = ContinuousClock()
            let begin = clock.now
            watcher.cancel()
            _ = await watcher.result
            #expect(clock.now - begin < .seconds(1))
        }
    }

    @Test("a watch broken mid-stream ends, and resuming from the last version misses nothing")
    func brokenStream() async throws {
        try await withEmulator { server, client in
            let version = try await client.list(ConfigMap.self, namespace: "default").metadata.resourceVersion
            var lastVersion = version
            var names: [String] = []
            let firstEvent = AsyncStream<Void>.makeStream()
            let watcher = Task { [lastVersion] () -> (String?, [String]) in
                var last = lastVersion
                var seen: [String] = []
                do {
                    for try await event in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: last, allowWatchBookmarks: false)) {
                        last = event.resourceVersion ?? last
                        seen.append(event.object?.metadata.name ?? "")
                        firstEvent.continuation.yield()
                    }
                } catch {}
                return (last, seen)
            }
            _ = try await client.create(configMap("first"))
            for await _ in firstEvent.stream { break }
            server.faults.breakWatches()
            (lastVersion, names) = try await watcher.value
            // Changes made while nobody watches are delivered on resume.
            _ = try await client.create(configMap("second"))
            _ = try await client.create(configMap("third"))
            for try await event in client.watch(ConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: lastVersion, allowWatchBookmarks: false)) {
                names.append(event.object?.metadata.name ?? "")
                if names.count == 3 { break }
            }
            #expect(names == ["first", "second", "third"])
        }
    }
}

@Suite("KubeClient retries against the emulator")
struct ClientRetryTests {
    @Test("429 with Retry-After is retried after the delay the server asked for")
    func tooManyRequests() async throws {
        try await withEmulator { server, client in
            _ = try await client.create(configMap("cm"))
            server.faults.inject(status: 429, retryAfterSeconds: 1, method: .get, pathPrefix: "/api/v1/namespaces/default/configmaps", times: 1)
            let clock = ContinuousClock()
            let begin = clock.now
            let fetched = try await client.get(ConfigMap.self, name: "cm")
            let elapsed = clock.now - begin
            #expect(fetched.metadata.name == "cm")
            #expect(elapsed >= .milliseconds(950))
            // Even a POST is retried after a 429: the server did not process it.
            server.faults.inject(status: 429, retryAfterSeconds: 1, method: .post, times: 1)
            _ = try await client.create(configMap("created-after-429"))
        }
    }

    @Test("5xx is retried for idempotent verbs only")
    func serverErrors() async throws {
        try await withEmulator { server, client in
            _ = try await client.create(configMap("cm"))
            server.faults.inject(status: 503, method: .get, times: 2)
            #expect(try await client.get(ConfigMap.self, name: "cm").metadata.name == "cm")
            server.faults.inject(status: 500, method: .post, times: 1)
            let failed = await #expect(throws: KubeAPIError.self) { try await client.create(configMap("other")) }
            #expect(failed?.code == 500)
        }
    }

    @Test("retries stop after the policy's attempts and surface the last error")
    func givesUp() async throws {
        try await withEmulator { server, client in
            server.faults.inject(status: 503, method: .get, times: nil)
            let error = await #expect(throws: KubeAPIError.self) { try await client.get(ConfigMap.self, name: "cm") }
            #expect(error?.code == 503)
            let attempts = server.requests.all.filter { $0.method == "GET" }.count
            #expect(attempts == 4)
        }
    }

    @Test("the client-side rate limiter spaces requests beyond the burst")
    func rateLimit() async throws {
        try await withEmulator(client: { $0.rateLimit = RateLimit(qps: 20, burst: 5) }) { _, client in
            let clock = ContinuousClock()
            let begin = clock.now
            for _ in 0..<15 { _ = try await client.list(ConfigMap.self, namespace: "default") }
            // 5 from the burst, then 10 at 20/s: about half a second.
            #expect(clock.now - begin >= .milliseconds(450))
        }
    }
}
