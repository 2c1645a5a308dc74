import Foundation
import HTTPTransport
import KubeSim
import TestSupport
import Testing
import Unstructured

#if canImport(Glibc)
    import Glibc
#endif

@Suite("KubeSim HTTP transport behaviour")
struct TransportTests {
    let cms = "/api/v1/namespaces/default/configmaps"

    // Request bodies of several MB are accepted; bodies over the limit are 413 with a Status.
    @Test("large request bodies")
    func largeBodies() async throws {
        try await withSim { _, client in
            let big = String(repeating: "x", count: 5 * 1024 * 1024)
            let r = try await client.post(cms, configMap("big", data: ["blob": .string(big)]))
            #expect(r.status == 201)
            let got = try await client.get("\(cms)/big")
            #expect(got.json[path: ["data", "blob"]]?.stringValue?.count == big.count)
            let huge = String(repeating: "y", count: 11 * 1024 * 1024)
            let tooLarge = try await client.post(cms, configMap("huge", data: ["blob": .string(huge)]))
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json["kind"] == "Status")
        }
    }

    // A watcher that does not read must not block writers: its bounded buffer overflows and its stream ends.
    @Test("a stuck watcher is cut off without blocking writers")
    func slowWatcher() async throws {
        try await withSim({ $0.watchBufferLimit = 50 }) { server, client in
            let rv = try await client.get(cms).json.rv
            let payload = String(repeating: "z", count: 64 * 1024)
            // Raw sockets and 400 synchronous creates block: keep them off the cooperative pool.
            let (connected, writeTime, total) = try await onBlockingThread { () throws -> (Int32, Duration, Int) in
                // A raw socket that sends the watch request and then never reads.
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                guard fd >= 0 else { throw TestSupportError("socket() failed") }
                defer { close(fd) }
                var small: Int32 = 4096
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_port = in_port_t(UInt16(server.port).bigEndian)
                addr.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                let request = "GET \(cms)?watch=true&resourceVersion=\(rv) HTTP/1.1\r\nHost: x\r\n\r\n"
                _ = request.withCString { send(fd, $0, strlen($0), 0) }
                usleep(100_000)
                let start = ContinuousClock.now
                for i in 0..<400 {
                    _ = try server.create(configMap("c\(i)", data: ["p": .string(payload)]))
                }
                let writeTime = ContinuousClock.now - start
                // Drain: the server must have closed the stream well before delivering all 400 events.
                var total = 0
                var buffer = [UInt8](repeating: 0, count: 65536)
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                while true {
                    let n = recv(fd, &buffer, buffer.count, 0)
                    if n <= 0 { break }
                    total += n
                }
                return (connected, writeTime, total)
            }
            #expect(connected == 0)
            #expect(writeTime < .seconds(30))
            #expect(total < 400 * payload.count)
            // Other clients are unaffected.
            #expect(try await client.get("\(cms)/c399").status == 200)
        }
    }
}
