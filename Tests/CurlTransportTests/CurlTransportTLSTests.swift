import CurlTransport
import Foundation
import HTTPTransport
import TestSupport
import Testing

@Suite("CurlTransport over TLS")
struct CurlTransportTLSTests {
    static let certificates = Task { try await TestCertificates.create() }
    static let otherCertificates = Task { try await TestCertificates.create(caName: "some-other-ca") }

    @Test("the right CA verifies the server (inline PEM and file)")
    func rightCA() async throws {
        let certs = try await Self.certificates.value
        let server = try await TestHTTPServer.start(tls: (certs.serverCertificatePath, certs.serverKeyPath, nil))
        defer { Task { try? await server.shutdown() } }
        let inline = CurlTransport(configuration: .init(tls: TLSOptions(caCertificatesPEM: try certs.contents(of: certs.caCertificatePath))))
        #expect(try await inline.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo")).status == 200)
        let file = CurlTransport(configuration: .init(tls: TLSOptions(caFile: certs.caCertificatePath)))
        #expect(try await file.send(HTTPRequest(method: .get, url: "https://localhost:\(server.port)/echo")).status == 200)
    }

    @Test("a wrong CA fails with a TLS error that says why")
    func wrongCA() async throws {
        let certs = try await Self.certificates.value
        let other = try await Self.otherCertificates.value
        let server = try await TestHTTPServer.start(tls: (certs.serverCertificatePath, certs.serverKeyPath, nil))
        defer { Task { try? await server.shutdown() } }
        let transport = CurlTransport(configuration: .init(tls: TLSOptions(caCertificatesPEM: try other.contents(of: other.caCertificatePath))))
        let error = await #expect(throws: HTTPTransportError.self) {
            try await transport.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo"))
        }
        #expect(error?.kind == .tls)
        #expect(error?.message.lowercased().contains("certificate") == true)
        // The system trust store does not know our CA either.
        let system = await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport().send(HTTPRequest(method: .get, url: server.httpsURL + "/echo"))
        }
        #expect(system?.kind == .tls)
    }

    @Test("insecure-skip-tls-verify works only when asked for")
    func insecure() async throws {
        let certs = try await Self.certificates.value
        let other = try await Self.otherCertificates.value
        let server = try await TestHTTPServer.start(tls: (certs.serverCertificatePath, certs.serverKeyPath, nil))
        defer { Task { try? await server.shutdown() } }
        let asked = CurlTransport(configuration: .init(tls: TLSOptions(insecureSkipVerify: true)))
        #expect(try await asked.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo")).status == 200)
        let notAsked = CurlTransport(configuration: .init(tls: TLSOptions(caCertificatesPEM: try other.contents(of: other.caCertificatePath), insecureSkipVerify: false)))
        await #expect(throws: HTTPTransportError.self) {
            try await notAsked.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo"))
        }
    }

    @Test("tls-server-name verifies against another name while connecting to the URL's host")
    func serverName() async throws {
        let certs = try await Self.certificates.value
        let server = try await TestHTTPServer.start(tls: (certs.serverCertificatePath, certs.serverKeyPath, nil))
        defer { Task { try? await server.shutdown() } }
        let ca = try certs.contents(of: certs.caCertificatePath)
        let named = CurlTransport(configuration: .init(tls: TLSOptions(caCertificatesPEM: ca, serverName: "kubesim.test")))
        #expect(try await named.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo")).status == 200)
        let wrongName = CurlTransport(configuration: .init(tls: TLSOptions(caCertificatesPEM: ca, serverName: "not-in-the-cert.test")))
        let error = await #expect(throws: HTTPTransportError.self) {
            try await wrongName.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo"))
        }
        #expect(error?.kind == .tls)
    }

    @Test("client certificates are presented, inline or from files, and required when the server asks")
    func clientCertificates() async throws {
        let certs = try await Self.certificates.value
        let server = try await TestHTTPServer.start(tls: (certs.serverCertificatePath, certs.serverKeyPath, certs.caCertificatePath))
        defer { Task { try? await server.shutdown() } }
        let ca = try certs.contents(of: certs.caCertificatePath)
        let inline = CurlTransport(configuration: .init(tls: TLSOptions(
            caCertificatesPEM: ca, clientCertificatePEM: try certs.contents(of: certs.clientCertificatePath),
            clientKeyPEM: try certs.contents(of: certs.clientKeyPath))))
        #expect(try await inline.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo")).status == 200)
        let files = CurlTransport(configuration: .init(tls: TLSOptions(
            caCertificatesPEM: ca, clientCertificateFile: certs.clientCertificatePath, clientKeyFile: certs.clientKeyPath)))
        #expect(try await files.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo")).status == 200)

        let presented = server.seen.clientCertificates
        #expect(presented.count == 2)
        let expectedDER = try derBytes(ofPEMFile: certs.clientCertificatePath)
        #expect(presented.allSatisfy { $0 == expectedDER })

        let without = CurlTransport(configuration: .init(tls: TLSOptions(caCertificatesPEM: ca)))
        await #expect(throws: HTTPTransportError.self) {
            try await without.send(HTTPRequest(method: .get, url: server.httpsURL + "/echo"))
        }
    }

    private func derBytes(ofPEMFile path: String) throws -> [UInt8] {
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Array(Data(base64Encoded: base64)!)
    }
}
