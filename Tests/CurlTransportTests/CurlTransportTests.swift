import CurlTransport
import Foundation
import HTTPTransport
import Testing

@Suite("CurlTransport over HTTP")
struct CurlTransportTests {
    @Test("sends method, headers and body, and reads the response")
    func echo() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let transport = CurlTransport(configuration: .init(userAgent: "ms2m-test/1"))
        let body = Array(#"{"spec":{"replicas":3}}"#.utf8)
        let response = try await transport.send(HTTPRequest(
            method: .patch, url: server.baseURL + "/echo?x=1",
            headers: ["Content-Type": "application/merge-patch+json", "Authorization": "Bearer abc"], body: body))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        let echoed = try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
        let headers = echoed["headers"] as! [String: String]
        #expect(echoed["method"] as? String == "PATCH")
        #expect(echoed["uri"] as? String == "/echo?x=1")
        #expect(echoed["body"] as? String == #"{"spec":{"replicas":3}}"#)
        #expect(headers["authorization"] == "Bearer abc")
        #expect(headers["content-type"] == "application/merge-patch+json")
        #expect(headers["user-agent"] == "ms2m-test/1")
        #expect(headers["expect"] == nil)
    }

    @Test("sends a large body and an empty POST", arguments: [0, 5 * 1024 * 1024])
    func bodies(size: Int) async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let payload = [UInt8](repeating: UInt8(ascii: "a"), count: size)
        let response = try await CurlTransport().send(HTTPRequest(method: .post, url: server.baseURL + "/echo", body: payload))
        let echoed = try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
        #expect((echoed["body"] as? String)?.utf8.count == size)
        #expect((echoed["headers"] as! [String: String])["content-type"] == nil)
    }

    @Test("reports non-2xx statuses as responses, not errors", arguments: [404, 409, 429, 500])
    func statuses(code: Int) async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let response = try await CurlTransport().send(HTTPRequest(method: .get, url: server.baseURL + "/status/\(code)"))
        #expect(response.status == code)
        #expect(String(decoding: response.body, as: UTF8.self) == "status \(code)")
        if code == 429 { #expect(response.headers["Retry-After"] == "1") }
    }

    @Test("reuses one connection for sequential requests")
    func connectionReuse() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let transport = CurlTransport()
        for _ in 0..<20 {
            let response = try await transport.send(HTTPRequest(method: .get, url: server.baseURL + "/echo"))
            #expect(response.status == 200)
        }
        #expect(server.seen.connections == 1)
    }

    @Test("runs many requests concurrently")
    func concurrency() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let transport = CurlTransport()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask { try await transport.send(HTTPRequest(method: .get, url: server.baseURL + "/delay?ms=50")).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 50))
    }

    @Test("streams a chunked body as it arrives")
    func streaming() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let response = try await CurlTransport().stream(HTTPRequest(method: .get, url: server.baseURL + "/stream?chunks=5&intervalMs=20"))
        #expect(response.head.status == 200)
        var text = ""
        for try await chunk in response.body { text += String(decoding: chunk, as: UTF8.self) }
        #expect(text == (0..<5).map { "chunk-\($0)\n" }.joined())
    }

    @Test("cancelling the task that reads a stream stops the transfer within a second")
    func streamCancellation() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let transport = CurlTransport()
        let firstChunk = AsyncStream<Void>.makeStream()
        let reader = Task {
            let response = try await transport.stream(HTTPRequest(method: .get, url: server.baseURL + "/stream?chunks=0&intervalMs=50"))
            for try await _ in response.body { firstChunk.continuation.yield() }
        }
        for await _ in firstChunk.stream { break }
        #expect(server.seen.openStreams == 1)
        let clock = ContinuousClock()
        let start = clock.now
        reader.cancel()
        _ = await reader.result
        #expect(clock.now - start < .seconds(1))
        // The server sees the connection close.
        let deadline = clock.now + .seconds(2)
        while server.seen.openStreams > 0 && clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.seen.openStreams == 0)
    }

    @Test("cancelling a buffered request throws a cancellation error promptly")
    func bufferedCancellation() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let task = Task { try await CurlTransport().send(HTTPRequest(method: .get, url: server.baseURL + "/delay?ms=5000")) }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(throws: HTTPTransportError.self) { try result.get() }
        if case .failure(let error as HTTPTransportError) = result { #expect(error.kind == .cancelled) }
    }

    @Test("a request timeout fails with a timeout error")
    func timeout() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().send(HTTPRequest(method: .get, url: server.baseURL + "/delay?ms=3000", timeout: .milliseconds(200)))
        }
        #expect(error?.kind == .timeout)
        #expect(error?.isTransient == true)
    }

    @Test("a refused connection and a dropped connection are connection errors")
    func connectionErrors() async throws {
        let server = try await TestHTTPServer.start()
        let port = server.port
        let dropped = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().send(HTTPRequest(method: .get, url: server.baseURL + "/drop"))
        }
        #expect(dropped?.kind == .connection)
        try await server.shutdown()
        let refused = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().send(HTTPRequest(method: .get, url: "http://127.0.0.1:\(port)/echo"))
        }
        #expect(refused?.kind == .connection)
    }

    @Test("a malformed URL is an invalid-request error")
    func malformedURL() async throws {
        let error = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().send(HTTPRequest(method: .get, url: "gopher2://what"))
        }
        #expect(error?.kind == .invalidRequest)
    }
}
