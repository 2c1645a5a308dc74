import CurlTransport
import Foundation
import HTTPTransport
import KubeSim
import TestSupport
import Testing
import Unstructured

@Suite("KubeSim faults, authentication, TLS")
struct FaultAndAuthTests {
    // API Concepts → 429 Too Many Requests with Retry-After (API Priority and Fairness).
    @Test("injected 429 carries Retry-After and details.retryAfterSeconds")
    func injected429() async throws {
        try await withSim { server, client in
            server.faults.inject(status: 429, retryAfterSeconds: 1, method: .get, pathPrefix: "/api/v1/pods", times: 2)
            for _ in 0..<2 {
                let r = try await client.get("/api/v1/pods")
                #expect(r.status == 429)
                #expect(r.headers["Retry-After"] == "1")
                #expect(r.json["reason"] == "TooManyRequests")
                #expect(r.json[path: ["details", "retryAfterSeconds"]] == 1)
            }
            #expect(try await client.get("/api/v1/pods").status == 200)
            server.faults.delay(.milliseconds(300), pathPrefix: "/version")
            let start = ContinuousClock.now
            #expect(try await client.get("/version").status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(250))
        }
    }

    // Authenticating: bearer tokens and basic auth; failures are 401 Status.
    @Test("authentication")
    func authentication() async throws {
        try await withSim({ $0.authentication = .init(bearerTokens: ["good"], basicUsers: ["admin": "pw"]) }) {
            server, client in
            let anon = try await client.get("/api/v1/namespaces")
            #expect(anon.status == 401)
            #expect(anon.json["reason"] == "Unauthorized")
            var bearer = client
            bearer.headers = ["Authorization": "Bearer good"]
            #expect(try await bearer.get("/api/v1/namespaces").status == 200)
            var wrong = client
            wrong.headers = ["Authorization": "Bearer bad"]
            #expect(try await wrong.get("/api/v1/namespaces").status == 401)
            var basic = client
            basic.headers = ["Authorization": "Basic " + Data("admin:pw".utf8).base64EncodedString()]
            #expect(try await basic.get("/api/v1/namespaces").status == 200)
            #expect(server.requests.all.contains { $0.header("Authorization") == "Bearer good" })
        }
    }

    // TLS serving with a test CA; with a client CA, client certificates are required and verified.
    @Test("HTTPS with server and client certificates")
    func tls() async throws {
        let certs = try await TestCertificates.create(clientName: "kubesim-test-user")
        defer { certs.remove() }
        try await withSim({
            $0.tls = .init(certificateChainFile: certs.serverCertificatePath, privateKeyFile: certs.serverKeyPath)
        }) { server, _ in
            #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
            let r = try await curlCLI(["--cacert", certs.caCertificatePath, server.baseURL + "/version"])
            #expect(r.status == 200)
            #expect(r.body.contains("gitVersion"))
            let client = SimClient(baseURL: server.baseURL, tls: TLSOptions(caFile: certs.caCertificatePath))
            #expect(try await client.get("/api/v1/namespaces").status == 200)
        }
        try await withSim({
            $0.tls = .init(
                certificateChainFile: certs.serverCertificatePath, privateKeyFile: certs.serverKeyPath,
                clientCAFile: certs.caCertificatePath)
            $0.authentication = .init(acceptClientCertificates: true)
        }) { server, _ in
            let without = try await curlCLI(["--cacert", certs.caCertificatePath, server.baseURL + "/version"])
            #expect(without.status == 0)  // handshake refused
            let with = try await curlCLI([
                "--cacert", certs.caCertificatePath, "--cert", certs.clientCertificatePath, "--key",
                certs.clientKeyPath,
                server.baseURL + "/api/v1/namespaces",
            ])
            #expect(with.status == 200)
            let subject = server.requests.all.last?.clientCertificateSubject
            #expect(subject?.contains("CN=kubesim-test-user") == true)
            #expect(subject?.contains("O=system:masters") == true)
        }
    }
}
