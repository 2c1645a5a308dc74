import CurlTransport
import Foundation
import HTTPTransport
import Synchronization
import Testing

/// Produces `total` bytes of the pattern `a…z` in pieces of at most `piece` bytes, counting calls.
private final class PatternProducer: Sendable {
    let total: Int
    let piece: Int
    let failAfter: Int?
    private let state = Mutex((offset: 0, calls: 0))

    init(total: Int, piece: Int, failAfter: Int? = nil) {
        self.total = total
        self.piece = piece
        self.failAfter = failAfter
    }

    static func byte(at index: Int) -> UInt8 { UInt8(ascii: "a") + UInt8(index % 26) }
    static func expected(_ count: Int) -> String { String(decoding: (0..<count).map(byte(at:)), as: UTF8.self) }

    var calls: Int { state.withLock { $0.calls } }

    func produce(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try state.withLock { state in
            state.calls += 1
            if let failAfter, state.offset >= failAfter { throw ProducerFailure() }
            let count = min(buffer.count, piece, total - state.offset)
            for index in 0..<count { buffer[index] = Self.byte(at: state.offset + index) }
            state.offset += count
            return count
        }
    }
}

private struct ProducerFailure: Error, Equatable {}

@Suite("CurlTransport streamed request bodies")
struct CurlTransportStreamingBodyTests {
    private func echo(_ response: HTTPResponse) throws -> (method: String, headers: [String: String], body: String) {
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
        return (object["method"] as! String, object["headers"] as! [String: String], object["body"] as! String)
    }

    @Test("streams a body of known length with Content-Length", arguments: [("PUT", 0), ("PATCH", 3 * 1024 * 1024 + 17), ("POST", 100_000)])
    func knownLength(method: String, size: Int) async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let producer = PatternProducer(total: size, piece: 40_000)
        let request = HTTPRequest(
            method: HTTPMethod(rawValue: method), url: server.baseURL + "/echo",
            headers: ["Content-Type": "application/octet-stream"],
            content: .stream(length: Int64(size)) { try producer.produce($0) })
        let (echoedMethod, headers, body) = try echo(try await CurlTransport().send(request))
        #expect(echoedMethod == method)
        #expect(headers["content-length"] == String(size))
        #expect(headers["transfer-encoding"] == nil)
        #expect(headers["content-type"] == "application/octet-stream")
        #expect(headers["expect"] == nil)
        #expect(body == PatternProducer.expected(size))
    }

    @Test("streams a body of unknown length with chunked transfer encoding")
    func unknownLength() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let producer = PatternProducer(total: 1_000_000, piece: 65_000)
        let request = HTTPRequest(
            method: .patch, url: server.baseURL + "/echo", content: .stream(length: nil) { try producer.produce($0) })
        let (_, headers, body) = try echo(try await CurlTransport().send(request))
        #expect(headers["transfer-encoding"] == "chunked")
        #expect(headers["content-type"] == nil)
        #expect(body == PatternProducer.expected(1_000_000))
        #expect(producer.calls > 1)
    }

    @Test("rethrows the producer's error and the loop keeps serving")
    func producerError() async throws {
        let server = try await TestHTTPServer.start()
        defer { Task { try? await server.shutdown() } }
        let transport = CurlTransport()
        let producer = PatternProducer(total: 10_000_000, piece: 100_000, failAfter: 300_000)
        let request = HTTPRequest(
            method: .put, url: server.baseURL + "/echo",
            content: .stream(length: 10_000_000) { try producer.produce($0) })
        await #expect(throws: ProducerFailure.self) { try await transport.send(request) }
        let next = try await transport.send(HTTPRequest(method: .put, url: server.baseURL + "/echo", body: Array("ok".utf8)))
        #expect(try echo(next).body == "ok")
    }

    @Test("keeps in-memory bodies source compatible")
    func compatibility() {
        var request = HTTPRequest(method: .post, url: "http://x/", body: [1, 2, 3])
        #expect(request.body == [1, 2, 3])
        #expect(request.content?.length == 3)
        request.body = nil
        #expect(request.content == nil)
        request.content = .stream(length: 5) { _ in 0 }
        #expect(request.body == nil)
        #expect(request.content?.length == 5)
    }
}
