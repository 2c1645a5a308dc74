import NIOCore
import Unstructured

extension KubeSimCore {
    /// The bytes of an object as `info`'s version presents it.
    func objectBytes(_ object: StoredObject, _ info: ResourceInfo) -> [UInt8] {
        if info.isCustom && info.apiVersion != info.storageAPIVersion {
            return WatchHub.converted(object, for: info)
        }
        return object.bytes
    }

    func getRequest(_ info: ResourceInfo, namespace: String, name: String, query: QueryParameters) throws
        -> APIResponse
    {
        let key = info.namespaced ? "\(namespace)/\(name)" : name
        guard let obj = store.state.withLock({ $0.get(info.id, key) }) else {
            throw APIError.notFound(info, name: name)
        }
        return .bytes(200, objectBytes(obj, info))
    }

    /// LIST: items in key order, with `limit`/`continue` pages served from one snapshot revision.
    func list(_ info: ResourceInfo, namespace: String?, query: QueryParameters) throws -> APIResponse {
        let filter = try ObjectFilter.from(query, info: info, namespace: namespace)
        let rvParam = query["resourceVersion"] ?? ""
        try Self.validateListOptions(query)
        // resourceVersion=0 is served from the watch cache, which does not paginate (limit is ignored).
        let limit = rvParam == "0" ? nil : try query.int("limit").flatMap { $0 > 0 ? Int($0) : nil }
        var snapshotRV: Int64?
        var startKey: String?
        if let token = query["continue"], !token.isEmpty {
            if !rvParam.isEmpty {
                throw APIError.badRequest("specifying resource version is not allowed when using continue")
            }
            let t = try ContinueToken.decode(token)
            snapshotRV = t.rv > 0 ? t.rv : nil
            startKey = t.start
        } else if query["resourceVersionMatch"] == "Exact" {
            guard let rv = Int64(rvParam), rv > 0 else {
                throw APIError.invalid(
                    kind: "ListOptions", group: "meta.k8s.io", name: "",
                    errors: [
                        .forbidden(
                            "resourceVersionMatch",
                            "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"\(rvParam)\"")
                    ])
            }
            snapshotRV = rv
        } else if !rvParam.isEmpty && Int64(rvParam) == nil {
            throw APIError.badRequest("invalid resource version \"\(rvParam)\"")
        }
        let ns = info.namespaced ? namespace : nil
        let (view, currentRV, compacted) = store.state.withLock { s in
            (s.snapshotView(info.id, namespace: ns, at: snapshotRV), s.rv, s.compactedRV)
        }
        guard let view else {
            if query["continue"] != nil, let startKey {
                throw APIError.expired(
                    ContinueToken.expiredMessage,
                    listContinue: ContinueToken(rv: -1, start: startKey).encode())
            }
            throw APIError.expired("too old resource version: \(snapshotRV ?? 0) (\(compacted))")
        }
        let listRV = snapshotRV ?? currentRV
        var index = 0
        if let startKey {
            // Binary search the first key >= startKey.
            var lo = 0
            var hi = view.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if view.key(at: mid) < startKey { lo = mid + 1 } else { hi = mid }
            }
            index = lo
        }
        // First pass: choose the page (no copying); second pass: write it.
        let selective = filter.hasSelectors
        var page: [StoredObject] = []
        var more = false
        var remaining = 0
        var size = 0
        while index < view.count {
            guard let o = view.object(at: index) else {
                index += 1
                continue
            }
            index += 1
            if selective && !filter.matchesSelectors(o.value) { continue }
            if let limit, page.count == limit {
                more = true
                // Exact: every key counts unless writes since the snapshot left keys without an object.
                remaining = view.overrides.isEmpty
                    ? view.count - index + 1 : (index - 1..<view.count).count { view.object(at: $0) != nil }
                break
            }
            page.append(o)
            size += o.bytes.count + 1
        }
        var meta: JSONObject = ["resourceVersion": .string(String(listRV))]
        if more, let lastKey = page.last?.key {
            meta["continue"] = .string(ContinueToken.after(lastKey, rv: listRV).encode())
            if !selective { meta["remainingItemCount"] = .int(Int64(remaining)) }
        }
        let convert = info.isCustom && info.apiVersion != info.storageAPIVersion
        var body: [UInt8] = []
        body.reserveCapacity(size + 256)
        body.append(contentsOf: #"{"kind":"#.utf8)
        body.append(contentsOf: JSONValue.string(info.listKind).jsonBytes())
        body.append(contentsOf: #","apiVersion":"#.utf8)
        body.append(contentsOf: JSONValue.string(info.apiVersion).jsonBytes())
        body.append(contentsOf: #","metadata":"#.utf8)
        body.append(contentsOf: JSONValue.object(meta).jsonBytes())
        body.append(contentsOf: #","items":["#.utf8)
        for (i, o) in page.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            if convert {
                body.append(contentsOf: WatchHub.converted(o, for: info))
            } else {
                o.appendItem(to: &body)
            }
        }
        body.append(contentsOf: "]}".utf8)
        return .bytes(200, body)
    }

    /// `ValidateListOptions`: `resourceVersionMatch` needs a resourceVersion, excludes `continue`, and is one of
    /// the two known values (422, kind ListOptions).
    static func validateListOptions(_ query: QueryParameters) throws {
        guard let match = query["resourceVersionMatch"], !match.isEmpty else { return }
        var problems: [FieldProblem] = []
        if !["Exact", "NotOlderThan"].contains(match) {
            problems.append(.notSupported("resourceVersionMatch", value: match, supported: ["Exact", "NotOlderThan", ""]))
        } else if (query["resourceVersion"] ?? "").isEmpty {
            problems.append(.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"))
        } else if !(query["continue"] ?? "").isEmpty {
            problems.append(.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"))
        }
        if !problems.isEmpty {
            throw APIError.invalid(kind: "ListOptions", group: "meta.k8s.io", name: "", errors: problems)
        }
    }

    /// LIST as routed: a resourceVersion the store has not reached yet is waited for (``afterResourceVersion``).
    func listRequest(_ info: ResourceInfo, namespace: String?, query: QueryParameters) throws -> APIResult {
        // A continue token carries its own revision; the resourceVersion parameter is refused with it.
        guard (query["continue"] ?? "").isEmpty else { return .response(try list(info, namespace: namespace, query: query)) }
        return try afterResourceVersion(query) { .response(try self.list(info, namespace: namespace, query: query)) }
    }

    /// WATCH as routed: like a list, it first waits for its resourceVersion (``afterResourceVersion``); a watch
    /// that never gets it fails before any event is sent.
    func watchRequest(_ info: ResourceInfo, namespace: String?, query: QueryParameters, name: String?) throws -> APIResult {
        try afterResourceVersion(query) { .watch(try self.planWatch(info, namespace: namespace, query: query, name: name)) }
    }

    /// `serve()` once the store has reached the request's `resourceVersion`: at once when it has, otherwise
    /// after waiting up to 3 s for it (the watch cache's `waitUntilFreshAndBlock`), or 504 "Too large resource
    /// version" when it never comes.
    private func afterResourceVersion(_ query: QueryParameters, _ serve: @escaping @Sendable () throws -> APIResult) throws
        -> APIResult
    {
        let requested = Int64(query["resourceVersion"] ?? "") ?? 0
        guard requested > store.state.withLock({ $0.rv }) else { return try serve() }
        return .deferred {
            let deadline = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < deadline {
                if self.store.state.withLock({ $0.rv }) >= requested { return self.result(of: serve) }
                try? await Task.sleep(for: .milliseconds(20))
            }
            let now = self.store.state.withLock { $0.rv }
            return .response(.error(APIError.tooLargeResourceVersion(requested, current: now)))
        }
    }

    // MARK: Watch

    func planWatch(_ info: ResourceInfo, namespace: String?, query: QueryParameters, name: String?) throws -> WatchPlan
    {
        var filter = try ObjectFilter.from(query, info: info, namespace: namespace)
        if let name {
            var fs = filter.fields ?? FieldSelector(terms: [])
            fs.terms.append(.init(field: "metadata.name", path: ["metadata", "name"], negate: false, value: name))
            filter.fields = fs
        }
        let rvParam = query["resourceVersion"] ?? ""
        let match = query["resourceVersionMatch"] ?? ""
        let bookmarks = query.bool("allowWatchBookmarks")
        let timeout = try query.int("timeoutSeconds")
        func invalid(_ field: String, _ detail: String) -> APIError {
            APIError.invalid(kind: "ListOptions", group: "meta.k8s.io", name: "", errors: [.forbidden(field, detail)])
        }
        var startRV: Int64?
        if !rvParam.isEmpty && rvParam != "0" {
            guard let rv = Int64(rvParam) else {
                throw APIError.badRequest("invalid resource version \"\(rvParam)\"")
            }
            startRV = rv
        }
        var initialEnd = false
        if query["sendInitialEvents"] != nil {
            let on = query.bool("sendInitialEvents")
            if match != "NotOlderThan" {
                throw invalid(
                    "resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
            }
            if on && !bookmarks {
                throw invalid("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true")
            }
            if on {
                startRV = nil
                initialEnd = true
            } else if startRV == nil {
                startRV = store.currentRV
            }
        } else if !match.isEmpty {
            throw invalid("resourceVersionMatch", "resourceVersionMatch is forbidden for watch")
        }
        return WatchPlan(
            info: info, filter: filter, startRV: startRV, initialEventsEndBookmark: initialEnd,
            allowBookmarks: bookmarks, timeoutSeconds: timeout)
    }

    /// Registers a watcher: queues its initial or replayed events and subscribes it, atomically with writes.
    func startWatch(_ w: Watcher, plan: WatchPlan) {
        let info = plan.info
        let registered = store.state.withLock { s -> Bool in
            if let start = plan.startRV {
                if start < s.compactedRV {
                    w.send(WatchHub.errorLine(.expired("too old resource version: \(start) (\(s.compactedRV))")))
                    w.end()
                    return false
                }
                var cache: [WatchEventType: [UInt8]] = [:]
                for e in s.events(after: start, resource: info.id) {
                    cache.removeAll(keepingCapacity: true)
                    if let l = WatchHub.eventFor(e, watcher: w, cache: &cache) { w.send(l) }
                }
            } else {
                let objects =
                    s.snapshot(info.id, namespace: info.namespaced ? plan.filter.namespace : nil, at: nil) ?? []
                var batch: [UInt8] = []
                for o in objects where plan.filter.matches(o) {
                    batch.append(contentsOf: WatchHub.line(.added, objectBytes(o, info)))
                }
                if plan.initialEventsEndBookmark {
                    batch.append(
                        contentsOf: WatchHub.bookmark(
                            info: info, rv: s.rv, annotations: ["k8s.io/initial-events-end": "true"]))
                }
                if !batch.isEmpty { w.send(batch) }
            }
            s.watchers[info.id, default: [:]][w.id] = w
            return true
        }
        guard registered else { return }
        let loop = w.channel.eventLoop
        if plan.allowBookmarks {
            let interval = TimeAmount.nanoseconds(
                Int64(configuration.bookmarkInterval.components.seconds) * 1_000_000_000
                    + configuration.bookmarkInterval.components.attoseconds / 1_000_000_000)
            let task = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                self.sendBookmark(w)
            }
            w.setRepeated(task)
        }
        if let timeout = plan.timeoutSeconds, timeout > 0 {
            if plan.allowBookmarks, timeout > 2 {
                // As the watch cache does: one bookmark 2 s before the deadline, so the client resumes from
                // (nearly) where the watch ended.
                w.addTimer(loop.scheduleTask(in: .seconds(Int64(timeout) - 2)) { self.sendBookmark(w) })
            }
            let t = loop.scheduleTask(in: .seconds(timeout)) {
                self.endWatch(w)
            }
            w.addTimer(t)
        }
    }

    func sendBookmark(_ w: Watcher) {
        store.state.withLock { s in
            guard s.watchers[w.info.id]?[w.id] != nil else { return }
            w.send(WatchHub.bookmark(info: w.info, rv: s.rv))
        }
    }

    /// Ends a watch cleanly (timeoutSeconds).
    func endWatch(_ w: Watcher) {
        store.state.withLock { s in
            s.watchers[w.info.id]?[w.id] = nil
            w.end()
        }
    }

    /// Forgets a watcher whose connection closed.
    func stopWatch(_ w: Watcher) {
        store.state.withLock { s in _ = s.watchers[w.info.id]?.removeValue(forKey: w.id) }
        w.markClosed()
    }
}
