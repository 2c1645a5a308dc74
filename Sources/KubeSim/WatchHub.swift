import NIOCore
import NIOHTTP1
import Synchronization
import Unstructured

/// One open watch stream: its filter, and a bounded queue of encoded event lines in front of the connection.
///
/// Writers never block on a watcher: lines are appended to its queue and flushed by one task on the channel's
/// event loop. When more than `bufferLimit` lines wait (a slow or stuck client), the watch is ended abruptly
/// and the client is expected to re-list, as the API server does with watchers that cannot keep up.
final class Watcher: Sendable {
    let id: Int
    let channel: any Channel
    let info: ResourceInfo
    let filter: ObjectFilter
    let bufferLimit: Int

    private struct State {
        var queued: [UInt8] = []
        var queuedLines = 0
        var inFlightLines = 0
        var scheduled = false
        var ending = false
        var closed = false
        var timers: [Scheduled<Void>] = []
        var repeated: RepeatedTask?
    }
    private let state = Mutex(State())

    private static let nextID = Atomic<Int>(0)

    init(channel: any Channel, info: ResourceInfo, filter: ObjectFilter, bufferLimit: Int) {
        self.id = Self.nextID.wrappingAdd(1, ordering: .relaxed).newValue
        self.channel = channel
        self.info = info
        self.filter = filter
        self.bufferLimit = bufferLimit
    }

    /// Whether objects of this resource must be re-encoded for this watcher (another served CRD version).
    var needsConversion: Bool { info.isCustom && info.apiVersion != info.storageAPIVersion }

    /// Queues one encoded line; false when the watcher is closed or just overflowed (and was closed).
    @discardableResult
    func send(_ line: [UInt8]) -> Bool {
        let (accepted, schedule, overflow) = state.withLock { s -> (Bool, Bool, Bool) in
            if s.closed || s.ending { return (false, false, false) }
            if s.queuedLines + s.inFlightLines >= bufferLimit {
                s.closed = true
                return (false, false, true)
            }
            s.queued.append(contentsOf: line)
            s.queuedLines += 1
            if s.scheduled { return (true, false, false) }
            s.scheduled = true
            return (true, true, false)
        }
        if overflow { abort() }
        if schedule { channel.eventLoop.execute { self.flush() } }
        return accepted
    }

    /// Ends the stream cleanly after the queued lines (the terminating chunk is sent).
    func end() {
        let schedule = state.withLock { s -> Bool in
            if s.closed || s.ending { return false }
            s.ending = true
            if s.scheduled { return false }
            s.scheduled = true
            return true
        }
        if schedule { channel.eventLoop.execute { self.flush() } }
    }

    /// Closes the connection at once, without the terminating chunk.
    func abort() {
        cancelTimers()
        state.withLock { $0.closed = true }
        channel.close(mode: .all, promise: nil)
    }

    /// Marks the watcher closed (its connection went away).
    func markClosed() {
        cancelTimers()
        state.withLock { $0.closed = true }
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    func addTimer(_ t: Scheduled<Void>) { state.withLock { $0.timers.append(t) } }
    func setRepeated(_ t: RepeatedTask) { state.withLock { $0.repeated = t } }

    private func cancelTimers() {
        let (timers, repeated) = state.withLock { s in
            let t = (s.timers, s.repeated)
            s.timers = []
            s.repeated = nil
            return t
        }
        for t in timers { t.cancel() }
        repeated?.cancel()
    }

    private func flush() {
        let (bytes, lines, ending) = state.withLock { s -> ([UInt8], Int, Bool) in
            s.scheduled = false
            if s.closed { return ([], 0, false) }
            let b = s.queued
            let n = s.queuedLines
            s.queued = []
            s.queuedLines = 0
            s.inFlightLines += n
            let ending = s.ending
            if ending { s.closed = true }
            return (b, n, ending)
        }
        if !bytes.isEmpty {
            let buffer = channel.allocator.buffer(bytes: bytes)
            let promise = channel.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenComplete { _ in
                self.state.withLock { $0.inFlightLines -= lines }
            }
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: promise)
        }
        if ending {
            cancelTimers()
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        }
    }
}

/// Encodes watch events and fans them out to watchers.
enum WatchHub {
    /// `{"type":"ADDED","object":<object>}\n`
    static func line(_ type: WatchEventType, _ objectBytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(objectBytes.count + 32)
        out.append(contentsOf: #"{"type":""#.utf8)
        out.append(contentsOf: type.rawValue.utf8)
        out.append(contentsOf: #"","object":"#.utf8)
        out.append(contentsOf: objectBytes)
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// The object as a watcher of another CRD version sees it (apiVersion rewritten; conversion "None").
    static func converted(_ object: StoredObject, for info: ResourceInfo) -> [UInt8] {
        var v = object.value
        v["apiVersion"] = .string(info.apiVersion)
        return v.jsonBytes()
    }

    /// The event a watcher sees for one write, applying the watch cache's selector transitions:
    /// an object that stops matching is DELETED (prior state, new resourceVersion); one that starts matching is ADDED.
    static func eventFor(_ event: HistoryEvent, watcher: Watcher, cache: inout [WatchEventType: [UInt8]]) -> [UInt8]? {
        let filter = watcher.filter
        if let ns = filter.namespace, !ns.isEmpty, event.object.namespace != ns { return nil }
        let plain = !filter.hasSelectors
        let type: WatchEventType
        var objectForEvent = event.object
        switch event.type {
        case .added:
            guard plain || filter.matchesSelectors(event.object.value) else { return nil }
            type = .added
        case .deleted:
            guard plain || filter.matchesSelectors(event.prev?.value ?? event.object.value) else { return nil }
            type = .deleted
        default:
            if plain {
                type = .modified
            } else {
                let now = filter.matchesSelectors(event.object.value)
                let before = event.prev.map { filter.matchesSelectors($0.value) } ?? false
                switch (before, now) {
                case (true, true): type = .modified
                case (false, true): type = .added
                case (true, false):
                    type = .deleted
                    if let prev = event.prev {
                        var v = prev.value
                        v[path: ["metadata", "resourceVersion"]] = .string(String(event.rv))
                        objectForEvent = StoredObject(value: v, rv: event.rv, omitTypeInItems: false)
                    }
                case (false, false): return nil
                }
            }
        }
        if watcher.needsConversion { return line(type, converted(objectForEvent, for: watcher.info)) }
        if objectForEvent === event.object, let cached = cache[type] { return cached }
        let l = line(type, objectForEvent.bytes)
        if objectForEvent === event.object { cache[type] = l }
        return l
    }

    /// Sends one event to every interested watcher; returns the IDs of watchers that are closed.
    static func dispatch(_ event: HistoryEvent, to watchers: some Sequence<Watcher>) -> [Int] {
        var cache: [WatchEventType: [UInt8]] = [:]
        var dropped: [Int] = []
        for w in watchers {
            if w.isClosed {
                dropped.append(w.id)
                continue
            }
            guard let l = eventFor(event, watcher: w, cache: &cache) else { continue }
            if !w.send(l) { dropped.append(w.id) }
        }
        return dropped
    }

    /// A BOOKMARK line, its object shaped as kube-apiserver sends it (``BookmarkObject``).
    static func bookmark(info: ResourceInfo, rv: Int64, annotations: JSONObject? = nil) -> [UInt8] {
        line(.bookmark, BookmarkObject.make(info, rv: rv, annotations: annotations).jsonBytes())
    }

    /// An ERROR line carrying a Status.
    static func errorLine(_ error: APIError) -> [UInt8] {
        line(.error, error.status.jsonBytes())
    }
}
