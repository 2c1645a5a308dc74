import ControllerRuntime
import Foundation
import TestSupport
import Testing
@testable import WebhookServer

@Suite("Certificates")
struct CertificateTests {
    /// Writes `files` into a fresh temporary directory.
    private func directory(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    @Test("OpenSSL verifies the serving certificate against the CA for the sslserver purpose and reads its extensions")
    func opensslAcceptsChain() async throws {
        let identity = try makeTestIdentity()
        let dir = try directory(["ca.crt": try identity.ca.certificatePEM, "tls.crt": identity.serving.certificateChainPEM])
        defer { try? FileManager.default.removeItem(at: dir) }
        let verify = try await ProcessRunner.run(
            "/usr/bin/openssl", ["verify", "-purpose", "sslserver", "-CAfile", "ca.crt", "tls.crt"], currentDirectory: dir)
        #expect(verify.status == 0, "\(verify.output)\(verify.errorOutput)")

        let ca = try await ProcessRunner.check("/usr/bin/openssl", ["x509", "-in", "ca.crt", "-noout", "-text"], currentDirectory: dir).output
        #expect(ca.contains("CA:TRUE"))
        #expect(ca.contains("Certificate Sign"))
        let leaf = try await ProcessRunner.check("/usr/bin/openssl", ["x509", "-in", "tls.crt", "-noout", "-text"], currentDirectory: dir).output
        #expect(leaf.contains("CA:FALSE"))
        #expect(leaf.contains("TLS Web Server Authentication"))
        #expect(leaf.contains("DNS:\(TestNames.dnsName), DNS:\(TestNames.dnsName).cluster.local, IP Address:127.0.0.1"))
        #expect(!leaf.contains("TLS Web Client Authentication"))
    }

    @Test("PEM round trip of CA and serving certificate; a mismatched key is refused")
    func pemRoundTrip() throws {
        let identity = try makeTestIdentity()
        let reloaded = try CertificateAuthority(
            certificatePEM: try identity.ca.certificatePEM, privateKeyPEM: try identity.ca.privateKeyPEM)
        #expect(reloaded.certificate == identity.ca.certificate)
        let again = try ServingCertificate(
            certificateChainPEM: identity.serving.certificateChainPEM, privateKeyPEM: identity.serving.privateKeyPEM)
        #expect(again == identity.serving)
        #expect(again.dnsNames == [TestNames.dnsName, "\(TestNames.dnsName).cluster.local"])

        let other = try makeTestIdentity()
        #expect(throws: WebhookCertificateError.self) {
            try ServingCertificate(certificateChainPEM: identity.serving.certificateChainPEM, privateKeyPEM: other.serving.privateKeyPEM)
        }
        // A serving certificate is not a CA.
        #expect(throws: WebhookCertificateError.self) {
            try CertificateAuthority(certificatePEM: identity.serving.certificateChainPEM, privateKeyPEM: identity.serving.privateKeyPEM)
        }
        #expect(throws: WebhookCertificateError.self) {
            try ServingCertificate(certificateChainPEM: "garbage", privateKeyPEM: identity.serving.privateKeyPEM)
        }
        // A bundle keeps every certificate and reports the blocks it skips.
        let bundle = try identity.ca.certificatePEM + "junk between blocks\n" + other.ca.certificatePEM
            + "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"
        let parsed = PEM.certificates(in: bundle)
        #expect(parsed.certificates == [identity.ca.certificate, other.ca.certificate])
        #expect(parsed.problems.count == 1)
    }

    @Test("a serving certificate never outlives its CA")
    func cappedByCA() throws {
        let ca = try CertificateAuthority.generate(commonName: "short-ca", validity: .seconds(3_600))
        let serving = try ca.issueServingCertificate(dnsNames: ["a.b.svc"], validity: .seconds(365 * 86_400))
        #expect(serving.notValidAfter == ca.certificate.notValidAfter)
    }

    @Test("an RSA key and certificate made by OpenSSL (cert-manager's default) load and serve")
    func opensslRSA() async throws {
        let dir = try directory([:])
        defer { try? FileManager.default.removeItem(at: dir) }
        try await ProcessRunner.check("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.crt", "-days", "1",
            "-subj", "/CN=\(TestNames.dnsName)", "-addext", "subjectAltName=DNS:\(TestNames.dnsName)",
        ], currentDirectory: dir)
        let certificatePEM = try String(contentsOf: dir.appendingPathComponent("tls.crt"), encoding: .utf8)
        let serving = try ServingCertificate(
            certificateChainPEM: certificatePEM,
            privateKeyPEM: try String(contentsOf: dir.appendingPathComponent("tls.key"), encoding: .utf8))
        let server = AdmissionWebhookServer(
            configuration: .init(address: BindAddress(host: "127.0.0.1", port: 0)),
            routes: ["/validate-eviction": { _ in .json(Array("{}".utf8)) }],
            certificates: try ServingCertificateSource(certificate: serving), logger: quietLogger)
        try await whileRunning([server.run]) {
            let port = try #require(await server.waitUntilListening())
            let client = TestClient(caPEM: certificatePEM)
            defer { client.shutdown() }
            #expect(try await client.post(port: port, path: "/validate-eviction").status == 200)
        }
    }

    @Test("the planner is stable on its own output and re-issues the serving certificate when the names change")
    func plannerStability() throws {
        let now = Date()
        let policy = CertificatePolicy(service: TestNames.service, namespace: TestNames.namespace)
        let created = try CertificatePlanner(policy: policy).plan(stored: nil, now: now)
        #expect(created.changes.map(\.kind) == [.created, .created])
        let again = try CertificatePlanner(policy: policy).plan(stored: created.data, now: now + 3_600)
        #expect(again.changes.isEmpty)
        #expect(again.data == created.data)

        var renamed = policy
        renamed.dnsNames.append("webhook.example.com")
        let reissued = try CertificatePlanner(policy: renamed).plan(stored: created.data, now: now)
        #expect(reissued.changes.count == 1)
        #expect(reissued.changes.first?.message.contains("does not cover webhook.example.com") == true)
        #expect(reissued.serving.dnsNames.contains("webhook.example.com"))
        #expect(reissued.data["ca.crt"] == created.data["ca.crt"])
        #expect(reissued.data["ca.key"] == created.data["ca.key"])
    }
}
