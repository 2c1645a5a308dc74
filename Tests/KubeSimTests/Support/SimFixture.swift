import CurlTransport
import Foundation
import HTTPTransport
import KubeSim
import TestSupport
import Testing
import Unstructured

/// A response decoded for assertions.
struct SimResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A raw-HTTP client for conformance tests: no Kubernetes client logic, just the wire.
struct SimClient: Sendable {
    let baseURL: String
    let transport: CurlTransport
    var headers: HTTPHeaders = [:]

    init(baseURL: String, tls: TLSOptions? = nil) {
        self.baseURL = baseURL
        self.transport = CurlTransport(configuration: .init(tls: tls, acceptCompressedResponses: false))
    }

    func request(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, body: [UInt8]? = nil,
        contentType: String = "application/json", extraHeaders: HTTPHeaders = [:]
    ) async throws -> SimResponse {
        var h = headers
        var payload = body
        if let json { payload = json.jsonBytes() }
        if payload != nil { h.set("Content-Type", contentType) }
        for (n, v) in extraHeaders { h.set(n, v) }
        let r = try await transport.send(
            HTTPRequest(method: method, url: baseURL + path, headers: h, body: payload, timeout: .seconds(30)))
        return SimResponse(status: r.status, headers: r.headers, body: r.body)
    }

    func get(_ path: String) async throws -> SimResponse { try await request(.get, path) }
    func post(_ path: String, _ json: JSONValue) async throws -> SimResponse {
        try await request(.post, path, json: json)
    }
    func put(_ path: String, _ json: JSONValue) async throws -> SimResponse {
        try await request(.put, path, json: json)
    }
    func delete(_ path: String, _ json: JSONValue? = nil) async throws -> SimResponse {
        try await request(.delete, path, json: json)
    }
    func patch(_ path: String, _ json: JSONValue, type: String) async throws -> SimResponse {
        try await request(.patch, path, json: json, contentType: type)
    }

    /// Opens a watch and returns a reader of its events.
    func watch(_ path: String) async throws -> WatchReader {
        let r = try await transport.stream(HTTPRequest(method: .get, url: baseURL + path, headers: headers))
        return WatchReader(head: r.head, body: r.body)
    }
}

/// Splits a watch body into JSON events.
final class WatchReader: @unchecked Sendable {
    let head: HTTPResponseHead
    private var iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
    private var buffer: [UInt8] = []
    /// Set once the stream ended; `error` is nil for a clean end.
    private(set) var ended = false
    private(set) var endError: (any Error)?

    init(head: HTTPResponseHead, body: AsyncThrowingStream<[UInt8], any Error>) {
        self.head = head
        self.iterator = body.makeAsyncIterator()
    }

    /// The next event, or nil when the stream ended.
    func next() async throws -> JSONValue? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<nl])
                buffer.removeSubrange(...nl)
                if line.isEmpty { continue }
                return try JSONValue.parse(line)
            }
            if ended { return nil }
            do {
                guard let chunk = try await iterator.next() else {
                    ended = true
                    continue
                }
                buffer.append(contentsOf: chunk)
            } catch {
                ended = true
                endError = error
                throw error
            }
        }
    }

    /// The next event, failing the test after `seconds`.
    func next(within seconds: Double) async throws -> JSONValue? {
        try await withThrowingTaskGroup(of: JSONValue?.self) { group in
            group.addTask { try await self.next() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                throw TimeoutError()
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    /// Events until one satisfies `predicate` (returned last).
    func until(within seconds: Double = 5, _ predicate: (JSONValue) -> Bool) async throws -> [JSONValue] {
        var seen: [JSONValue] = []
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            guard let e = try await next(within: seconds) else { break }
            seen.append(e)
            if predicate(e) { return seen }
        }
        Issue.record("watch condition not met; saw \(seen.map { $0["type"]?.stringValue ?? "?" })")
        return seen
    }
}

struct TimeoutError: Error {}

/// Runs `body` against a fresh server and a raw HTTP client for it.
func withSim<T>(
    _ configure: (inout KubeSimConfiguration) -> Void = { _ in },
    _ body: (KubeSimServer, SimClient) async throws -> T
) async throws -> T {
    try await withKubeSim(configure) { server in try await body(server, SimClient(baseURL: server.baseURL)) }
}

/// Polls `condition` until true or the time is up.
func eventually(within seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

// MARK: Object builders

func configMap(_ name: String, namespace: String = "default", labels: [String: String] = [:], data: JSONValue = [:])
    -> JSONValue
{
    var meta: JSONObject = ["name": .string(name), "namespace": .string(namespace)]
    if !labels.isEmpty { meta["labels"] = .object(JSONObject(uniqueKeysWithValues: labels.map { ($0, .string($1)) })) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(meta), "data": data]
}

func pod(_ name: String, namespace: String = "default", labels: [String: String] = [:], node: String? = nil)
    -> JSONValue
{
    var meta: JSONObject = ["name": .string(name), "namespace": .string(namespace)]
    if !labels.isEmpty { meta["labels"] = .object(JSONObject(uniqueKeysWithValues: labels.map { ($0, .string($1)) })) }
    var spec: JSONObject = ["containers": [["name": "app", "image": "busybox:1.36"]]]
    if let node { spec["nodeName"] = .string(node) }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": .object(spec)]
}

extension JSONValue {
    var rv: String { self[path: ["metadata", "resourceVersion"]]?.stringValue ?? "" }
    var items: [JSONValue] { self["items"]?.arrayValue ?? [] }
    var names: [String] { items.map(\.metaNameForTests) }
    var metaNameForTests: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
}
