import ControllerRuntime
import Foundation
import HTTPTransport
import Synchronization
import Testing
@testable import WebhookServer

@Suite("AdmissionWebhookServer over HTTPS")
struct AdmissionWebhookServerTests {
    /// A server on an ephemeral loopback port with one echoing route, and what its handler saw.
    final class Fixture: Sendable {
        let server: AdmissionWebhookServer
        let certificates: ServingCertificateSource
        let recorder = Recorder()

        /// The requests the handler received, in order.
        final class Recorder: Sendable {
            private let requests = Mutex<[WebhookRequest]>([])
            func append(_ request: WebhookRequest) { requests.withLock { $0.append(request) } }
            var all: [WebhookRequest] { requests.withLock { $0 } }
        }

        init(serving: ServingCertificate, maxBodyBytes: Int = 3 * 1024 * 1024) throws {
            let certificates = try ServingCertificateSource(certificate: serving)
            self.certificates = certificates
            let recorder = self.recorder
            server = AdmissionWebhookServer(
                configuration: .init(address: BindAddress(host: "127.0.0.1", port: 0), maxRequestBodyBytes: maxBodyBytes),
                routes: [
                    "/validate-eviction": { request in
                        recorder.append(request)
                        try? await Task.sleep(for: .milliseconds(5))  // answered after a suspension, off the loop
                        return .json(Array(#"{"echo":"#.utf8) + request.body + Array("}".utf8))
                    }
                ],
                certificates: certificates, logger: quietLogger)
        }
    }

    @Test("a route answers over HTTPS verified with the CA, on a kept-alive connection, by DNS name and by IP")
    func servesRoute() async throws {
        let identity = try makeTestIdentity()
        let fixture = try Fixture(serving: identity.serving)
        let caPEM = try identity.ca.certificatePEM
        try await whileRunning([fixture.server.run]) {
            let port = try #require(await fixture.server.waitUntilListening())
            let client = TestClient(caPEM: caPEM)
            defer { client.shutdown() }
            for _ in 0..<3 {
                let response = try await client.post(port: port, path: "/validate-eviction?timeout=5s")
                #expect(response.status == 200)
                #expect(response.headers["Content-Type"] == "application/json")
                #expect(String(decoding: response.body, as: UTF8.self) == #"{"echo":{"kind":"AdmissionReview"}}"#)
            }
            let byIP = TestClient(caPEM: caPEM, serverName: nil)
            defer { byIP.shutdown() }
            #expect(try await byIP.post(port: port, path: "/validate-eviction").status == 200)

            let requests = fixture.recorder.all
            #expect(requests.count == 4)
            #expect(requests.first?.path == "/validate-eviction")
            #expect(requests.first?.query == "timeout=5s")
            #expect(requests.first?.header("content-type") == "application/json")
            #expect(requests.first?.body == Array(#"{"kind":"AdmissionReview"}"#.utf8))
        }
    }

    @Test("a client with another CA refuses the server")
    func wrongCA() async throws {
        let identity = try makeTestIdentity()
        let other = try CertificateAuthority.generate(commonName: "some-other-ca", validity: .seconds(86_400))
        let fixture = try Fixture(serving: identity.serving)
        try await whileRunning([fixture.server.run]) {
            let port = try #require(await fixture.server.waitUntilListening())
            let client = TestClient(caPEM: try other.certificatePEM)
            defer { client.shutdown() }
            let error = await #expect(throws: HTTPTransportError.self) {
                try await client.post(port: port, path: "/validate-eviction")
            }
            #expect(error?.kind == .tls)
            #expect(fixture.recorder.all.isEmpty)
        }
    }

    @Test("unknown path 404, other methods 405, non-JSON 415, oversized body 413; the handler sees none of them")
    func rejections() async throws {
        let identity = try makeTestIdentity()
        let fixture = try Fixture(serving: identity.serving, maxBodyBytes: 1024)
        try await whileRunning([fixture.server.run]) {
            let port = try #require(await fixture.server.waitUntilListening())
            let client = TestClient(caPEM: try identity.ca.certificatePEM)
            defer { client.shutdown() }

            #expect(try await client.post(port: port, path: "/mutate").status == 404)
            let get = try await client.get(port: port, path: "/validate-eviction")
            #expect(get.status == 405)
            #expect(get.headers["Allow"] == "POST")
            #expect(try await client.post(port: port, path: "/validate-eviction", contentType: "text/plain").status == 415)
            #expect(try await client.post(port: port, path: "/validate-eviction", contentType: "application/yaml").status == 415)
            let oversized = try await client.post(
                port: port, path: "/validate-eviction", body: Array(repeating: UInt8(ascii: " "), count: 4096))
            #expect(oversized.status == 413)

            // Still serving, parameters on the media type are fine, and a body at the limit is accepted.
            let atLimit = Array(repeating: UInt8(ascii: " "), count: 1024)
            #expect(try await client.post(
                port: port, path: "/validate-eviction", body: atLimit, contentType: "application/json; charset=utf-8").status == 200)
            #expect(fixture.recorder.all.count == 1)
        }
    }

    @Test("after rotation new connections present the new certificate while an open connection keeps working")
    func rotation() async throws {
        let first = try makeTestIdentity()
        let second = try makeTestIdentity()
        let fixture = try Fixture(serving: first.serving)
        try await whileRunning([fixture.server.run]) {
            let port = try #require(await fixture.server.waitUntilListening())
            #expect(try await presentedCertificate(port: port) == leafPEM(first.serving))

            let kept = TestClient(caPEM: try first.ca.certificatePEM)
            defer { kept.shutdown() }
            #expect(try await kept.post(port: port, path: "/validate-eviction").status == 200)

            #expect(try fixture.certificates.update(second.serving))
            #expect(try !fixture.certificates.update(second.serving))  // unchanged: nothing to do

            #expect(try await presentedCertificate(port: port) == leafPEM(second.serving))
            let trustsSecond = TestClient(caPEM: try second.ca.certificatePEM)
            defer { trustsSecond.shutdown() }
            #expect(try await trustsSecond.post(port: port, path: "/validate-eviction").status == 200)
            let trustsFirst = TestClient(caPEM: try first.ca.certificatePEM)
            defer { trustsFirst.shutdown() }
            await #expect(throws: HTTPTransportError.self) {
                try await trustsFirst.post(port: port, path: "/validate-eviction")
            }
            // The connection opened before the rotation still has the first certificate and still answers.
            #expect(try await kept.post(port: port, path: "/validate-eviction").status == 200)
        }
    }

    @Test("the server waits for a certificate before it listens")
    func waitsForCertificate() async throws {
        let identity = try makeTestIdentity()
        let certificates = ServingCertificateSource()
        let server = AdmissionWebhookServer(
            configuration: .init(address: BindAddress(host: "127.0.0.1", port: 0)),
            routes: ["/validate-eviction": { _ in .json([]) }], certificates: certificates, logger: quietLogger)
        try await whileRunning([server.run]) {
            try await Task.sleep(for: .milliseconds(100))
            #expect(server.boundPort == nil)
            try certificates.update(identity.serving)
            let port = try #require(await server.waitUntilListening())
            let client = TestClient(caPEM: try identity.ca.certificatePEM)
            defer { client.shutdown() }
            #expect(try await client.post(port: port, path: "/validate-eviction").status == 200)
        }
    }
}
