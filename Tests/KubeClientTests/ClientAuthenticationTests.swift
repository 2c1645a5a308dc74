import Foundation
import KubeClient
import KubeModel
import KubeSim
import TestSupport
import Testing

@Suite("KubeClient authentication against the emulator")
struct ClientAuthenticationTests {
    @Test("bearer tokens and basic credentials are sent; wrong ones are Unauthorized")
    func staticCredentials() async throws {
        try await withEmulator({ $0.authentication = .init(bearerTokens: ["good"], basicUsers: ["admin": "pw"]) }) { server, _ in
            for credentials in [Credentials.bearerToken("good"), .basic(username: "admin", password: "pw")] {
                let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, credentials: credentials))
                _ = try await client.list(ConfigMap.self, namespace: "default")
            }
            let wrong = KubeClient(configuration: ClientConfiguration(server: server.baseURL, credentials: .bearerToken("bad")))
            let error = await #expect(throws: KubeAPIError.self) { try await wrong.list(ConfigMap.self, namespace: "default") }
            #expect(error?.isUnauthorized == true)
            #expect(server.requests.all.contains { $0.header("Authorization") == "Bearer good" })
        }
    }

    @Test("a rotated token file is re-read after a 401")
    func tokenFileRotation() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let tokenPath = try scratch.write("token", "old-token\n")
        try await withEmulator({ $0.authentication = .init(bearerTokens: ["new-token"]) }) { server, _ in
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, credentials: .bearerTokenFile(tokenPath)))
            let error = await #expect(throws: KubeAPIError.self) { try await client.list(ConfigMap.self, namespace: "default") }
            #expect(error?.isUnauthorized == true)
            try scratch.write("token", "new-token\n")
            _ = try await client.list(ConfigMap.self, namespace: "default")
        }
    }

    /// A credential plugin script: counts its runs, saves KUBERNETES_EXEC_INFO, prints token `tok-N`.
    private func plugin(in scratch: Scratch, expiresIn seconds: Int, apiVersion: String = "client.authentication.k8s.io/v1") throws -> String {
        let expiry = Time(Date().addingTimeInterval(TimeInterval(seconds))).rfc3339String
        return try scratch.write("bin/plugin", """
            #!/bin/sh
            n=$(cat "\(scratch.path("count"))" 2>/dev/null || echo 0)
            n=$((n+1))
            echo $n > "\(scratch.path("count"))"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(scratch.path("info.json"))"
            echo "region=$REGION" > "\(scratch.path("env.txt"))"
            printf '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"tok-%s","expirationTimestamp":"\(expiry)"}}' "$n"
            """, executable: true)
    }

    private func runs(_ scratch: Scratch) -> Int {
        Int((try? String(contentsOfFile: scratch.path("count"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    @Test("an exec plugin from kubeconfig runs once while its credential is valid, with cluster info and env")
    func execPlugin() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try plugin(in: scratch, expiresIn: 3600)
        try await withEmulator({ $0.authentication = .init(bearerTokens: ["tok-1"]) }) { server, _ in
            let kubeconfig = try scratch.write("config", """
                clusters: [{name: sim, cluster: {server: "\(server.baseURL)"}}]
                users:
                - name: u
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: ./bin/plugin
                      env: [{name: REGION, value: eu-west}]
                      provideClusterInfo: true
                      interactiveMode: IfAvailable
                contexts: [{name: sim, context: {cluster: sim, user: u}}]
                current-context: sim
                """)
            var configuration = try ClientConfiguration.fromKubeconfig(paths: [kubeconfig])
            configuration.rateLimit = nil
            let client = KubeClient(configuration: configuration)
            for _ in 0..<3 { _ = try await client.list(ConfigMap.self, namespace: "default") }
            #expect(runs(scratch) == 1)
            let info = try String(contentsOfFile: scratch.path("info.json"), encoding: .utf8)
            #expect(info.contains(#""kind":"ExecCredential""#))
            #expect(info.contains(#""interactive":false"#))
            #expect(info.contains(server.baseURL.replacingOccurrences(of: "/", with: "\\/")) || info.contains(server.baseURL))
            #expect(try String(contentsOfFile: scratch.path("env.txt"), encoding: .utf8) == "region=eu-west\n")
        }
    }

    @Test("an expired exec credential is fetched again, and a 401 re-runs the plugin once")
    func execRefresh() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let command = try plugin(in: scratch, expiresIn: -60)
        try await withEmulator({ $0.authentication = .init(bearerTokens: ["tok-2", "tok-3", "tok-4"]) }) { server, _ in
            let exec = ExecCredentialConfig(apiVersion: "client.authentication.k8s.io/v1", command: command)
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, credentials: .exec(exec), rateLimit: nil))
            // tok-1 is refused: the 401 makes the client run the plugin again and retry with tok-2.
            _ = try await client.list(ConfigMap.self, namespace: "default")
            #expect(runs(scratch) == 2)
            // The credential is already expired, so every request runs the plugin.
            _ = try await client.list(ConfigMap.self, namespace: "default")
            #expect(runs(scratch) == 3)
        }
    }

    @Test("a failing or misbehaving exec plugin is a clear credentials error")
    func execFailures() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let failing = try scratch.write("fail", "#!/bin/sh\necho 'token expired, run login' >&2\nexit 3\n", executable: true)
        let wrongVersion = try plugin(in: scratch, expiresIn: 60, apiVersion: "client.authentication.k8s.io/v1beta1")
        try await withEmulator { server, _ in
            let cases: [(ExecCredentialConfig, String)] = [
                (.init(apiVersion: "client.authentication.k8s.io/v1", command: failing), "exited with status 3: token expired, run login"),
                (.init(apiVersion: "client.authentication.k8s.io/v1", command: wrongVersion), "expected client.authentication.k8s.io/v1"),
                (.init(apiVersion: "client.authentication.k8s.io/v1", command: scratch.path("nope"), installHint: "install it with apt"), "install it with apt"),
            ]
            for (exec, expected) in cases {
                let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, credentials: .exec(exec)))
                let error = await #expect(throws: KubeClientError.self) { try await client.list(ConfigMap.self, namespace: "default") }
                #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
            }
        }
    }

    @Test("over TLS, kubeconfig CA and client certificate data authenticate the user")
    func clientCertificates() async throws {
        let certificates = try await TestCertificates.create()
        defer { certificates.remove() }
        let scratch = try Scratch()
        defer { scratch.remove() }
        func base64(_ path: String) throws -> String { Data(try certificates.contents(of: path)).base64EncodedString() }
        try await withEmulator({
            $0.tls = .init(certificateChainFile: certificates.serverCertificatePath, privateKeyFile: certificates.serverKeyPath, clientCAFile: certificates.caCertificatePath)
            $0.authentication = .init(acceptClientCertificates: true)
        }) { server, _ in
            #expect(server.baseURL.hasPrefix("https://"))
            let kubeconfig = try scratch.write("config", """
                clusters: [{name: sim, cluster: {server: "\(server.baseURL)", certificate-authority-data: \(try base64(certificates.caCertificatePath))}}]
                users: [{name: admin, user: {client-certificate-data: \(try base64(certificates.clientCertificatePath)), client-key-data: \(try base64(certificates.clientKeyPath))}}]
                contexts: [{name: sim, context: {cluster: sim, user: admin}}]
                current-context: sim
                """)
            let client = KubeClient(configuration: try ClientConfiguration.fromKubeconfig(paths: [kubeconfig]))
            _ = try await client.create(configMap("over-tls"))
            #expect(server.requests.all.last?.clientCertificateSubject?.contains("ms2m-test-user") == true)

            let anonymous = KubeClient(configuration: ClientConfiguration(
                server: server.baseURL, tls: .init(caCertificatesPEM: try certificates.contents(of: certificates.caCertificatePath))))
            await #expect(throws: (any Error).self) { try await anonymous.get(ConfigMap.self, name: "over-tls") }
        }
    }
}
