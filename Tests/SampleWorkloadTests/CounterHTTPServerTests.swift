import Foundation
import InProcessBroker
import SampleWorkload
import TestSupport
import Testing

@Suite("Counter HTTP endpoints")
struct CounterHTTPServerTests {
    /// A minimal HTTP/1.1 GET over a raw socket (off the cooperative pool): status code and body.
    func get(_ path: String, port: Int) async throws -> (status: Int, body: String) {
        try await onBlockingThread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestSupportError("socket() failed") }
            defer { close(fd) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else { throw TestSupportError("connect failed: errno \(errno)") }
            let request = Array(
                "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            var response: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                response += buffer[..<count]
            }
            let text = String(decoding: response, as: UTF8.self)
            guard let statusLine = text.split(separator: "\r\n").first,
                let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
                let bodyStart = text.range(of: "\r\n\r\n")
            else { throw TestSupportError("not an HTTP response: \(text)") }
            return (code, String(text[bodyStart.upperBound...]))
        }
    }

    @Test("/count, /healthz and /readyz report the consumer; readiness follows the connection")
    func endpoints() async throws {
        let connector = InProcessBrokerConnector()
        let url = "amqp://\(uniqueName("http")):5672/"
        let consumer = CounterConsumer(
            configuration: CounterConsumerConfiguration(brokerURL: url, queueName: "orders"),
            brokers: connector,
            hostname: { "counter-0" })
        let server = CounterHTTPServer(consumer: consumer, host: "127.0.0.1", port: 0)
        let port = try await server.start()
        #expect(server.port == port)

        #expect(try await get("/readyz", port: port).status == 503)
        #expect(try await get("/healthz", port: port).status == 200)
        let running = start(consumer)
        try await waitUntil("ready") { consumer.status.isReady }
        #expect(try await get("/readyz", port: port).status == 200)

        try await Producer(
            brokers: connector, brokerURL: url, exchange: nil, queue: "orders", rate: 1000
        ).run(count: 3)
        try await waitUntil("3 counted") { consumer.status.count == 3 }
        let count = try await get("/count?verbose=1", port: port)
        #expect(count.status == 200)
        #expect(count.body == #"{"count":3,"duplicatesSkipped":0,"mode":"primary"}"#)
        #expect(try await get("/nothing", port: port).status == 404)

        await consumer.stop()
        try await running.value
        #expect(try await get("/readyz", port: port).status == 503)
        await server.stop()
        await #expect(throws: (any Error).self) { _ = try await get("/healthz", port: port) }
    }
}
