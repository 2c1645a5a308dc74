import Synchronization

/// One request received by the server, for tests that assert what a client sent.
public struct LoggedRequest: Sendable {
    public var method: String
    /// Path and query, as sent.
    public var uri: String
    public var headers: [(name: String, value: String)]
    /// The subject of the verified client certificate ("CN=alice,O=team"), if one was presented.
    public var clientCertificateSubject: String?

    /// The first value of a header (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The requests a server received, oldest first.
public final class RequestLog: Sendable {
    private let entries = Mutex<[LoggedRequest]>([])
    /// Only the newest this many are kept.
    public let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    /// Every retained request.
    public var all: [LoggedRequest] { entries.withLock { $0 } }

    /// Forgets the retained requests.
    public func clear() { entries.withLock { $0.removeAll() } }

    func record(_ request: APIRequest) {
        var uri = request.path
        let q = request.query.raw
        if !q.isEmpty { uri += "?" + q }
        let entry = LoggedRequest(
            method: request.method, uri: uri, headers: request.headers.map { ($0.name, $0.value) },
            clientCertificateSubject: request.clientSubject)
        entries.withLock { e in
            e.append(entry)
            if e.count > capacity { e.removeFirst(e.count - capacity) }
        }
    }
}
