import CurlTransport
import Foundation
import KubeClient
import Testing

/// A temporary directory with helpers to write files into it.
struct Scratch {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-kc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path) }
        return file.path
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

@Suite("Kubeconfig")
struct KubeconfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nTUlJQ2Zha2U=\n-----END CERTIFICATE-----\n"

    @Test("inline certificate data is base64-decoded into TLS options")
    func inlineData() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let ca = Data(Self.caPEM.utf8).base64EncodedString()
        let cert = Data("CERT".utf8).base64EncodedString()
        let key = Data("KEY".utf8).base64EncodedString()
        let path = try scratch.write("config", """
            apiVersion: v1
            kind: Config
            current-context: prod
            clusters:
            - name: prod-cluster
              cluster:
                server: https://10.0.0.1:6443/
                certificate-authority-data: \(ca)
                tls-server-name: api.prod.internal
                proxy-url: http://proxy.local:3128
            users:
            - name: admin
              user:
                client-certificate-data: \(cert)
                client-key-data: \(key)
            contexts:
            - name: prod
              context: {cluster: prod-cluster, user: admin, namespace: payments}
            """)
        let config = try ClientConfiguration.fromKubeconfig(paths: [path])
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.namespace == "payments")
        #expect(config.tls?.caCertificatesPEM == Array(Self.caPEM.utf8))
        #expect(config.tls?.clientCertificatePEM == Array("CERT".utf8))
        #expect(config.tls?.clientKeyPEM == Array("KEY".utf8))
        #expect(config.tls?.serverName == "api.prod.internal")
        #expect(config.tls?.insecureSkipVerify == false)
        #expect(config.proxyURL == "http://proxy.local:3128")
        #expect(config.credentials == .none)
    }

    @Test("file paths are resolved against the kubeconfig's directory")
    func relativePaths() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("sub/ca.crt", Self.caPEM)
        try scratch.write("sub/token", "tok-from-file\n")
        let path = try scratch.write("sub/config", """
            clusters: [{name: c, cluster: {server: "https://k:6443", certificate-authority: ca.crt}}]
            users: [{name: u, user: {tokenFile: token}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """)
        let config = try ClientConfiguration.fromKubeconfig(paths: [path])
        #expect(config.tls?.caCertificatesPEM == Array(Self.caPEM.utf8))
        #expect(config.credentials == .bearerTokenFile(scratch.path("sub/token")))
        #expect(config.namespace == "default")
    }

    @Test("merged files: the first file to define a name or current-context wins")
    func merging() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let first = try scratch.write("a", """
            clusters: [{name: shared, cluster: {server: "https://first:6443", insecure-skip-tls-verify: true}}]
            users: [{name: alice, user: {token: alice-token}}]
            contexts: [{name: one, context: {cluster: shared, user: alice}}]
            """)
        let second = try scratch.write("b", """
            current-context: two
            clusters:
            - {name: shared, cluster: {server: "https://second:6443"}}
            - {name: other, cluster: {server: "https://other:6443"}}
            users: [{name: bob, user: {username: bob, password: secret}}]
            contexts:
            - {name: one, context: {cluster: other, user: bob}}
            - {name: two, context: {cluster: shared, user: bob, namespace: team}}
            """)
        let config = try ClientConfiguration.fromKubeconfig(paths: [first, scratch.path("missing"), second])
        // current-context comes from the second file (the first sets none); `shared` from the first.
        #expect(config.server == "https://first:6443")
        #expect(config.tls?.insecureSkipVerify == true)
        #expect(config.credentials == .basic(username: "bob", password: "secret"))
        #expect(config.namespace == "team")
        // Context `one` is the first file's.
        let one = try ClientConfiguration.fromKubeconfig(paths: [first, second], context: "one")
        #expect(one.credentials == .bearerToken("alice-token"))
    }

    @Test("KUBECONFIG is split on colons; HOME/.kube/config is the default")
    func defaultPaths() {
        #expect(Kubeconfig.defaultPaths(environment: ["KUBECONFIG": "/a:/b", "HOME": "/h"]) == ["/a", "/b"])
        #expect(Kubeconfig.defaultPaths(environment: ["HOME": "/h"]) == ["/h/.kube/config"])
    }

    @Test("exec stanzas keep their settings and learn the cluster")
    func execStanza() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try scratch.write("config", """
            clusters: [{name: c, cluster: {server: "https://k:6443"}}]
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./bin/plugin
                  args: [get-token, --cluster, c]
                  env: [{name: REGION, value: eu}]
                  provideClusterInfo: true
                  interactiveMode: Never
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """)
        let config = try ClientConfiguration.fromKubeconfig(paths: [path])
        guard case .exec(let exec) = config.credentials else {
            Issue.record("expected exec credentials, got \(config.credentials)")
            return
        }
        #expect(exec.command == scratch.path("bin/plugin"))
        #expect(exec.args == ["get-token", "--cluster", "c"])
        #expect(exec.env == [.init(name: "REGION", value: "eu")])
        #expect(exec.cluster?.server == "https://k:6443")
    }

    @Test("bad kubeconfigs fail with a message that says what is wrong", arguments: [
        ("", "no context chosen"),
        ("current-context: nope\ncontexts: [{name: x, context: {cluster: c}}]", #"context "nope" not found"#),
        ("current-context: x\ncontexts: [{name: x, context: {cluster: c}}]", #"cluster "c" of context "x" not found"#),
        ("current-context: x\nclusters: [{name: c, cluster: {}}]\ncontexts: [{name: x, context: {cluster: c}}]", "has no server"),
        ("current-context: x\nclusters: [{name: c, cluster: {server: \"https://k\", certificate-authority-data: \"%%%\"}}]\ncontexts: [{name: x, context: {cluster: c}}]", "not valid base64"),
        ("current-context: x\nclusters: [{name: c, cluster: {server: \"https://k\", certificate-authority: /nonexistent/ca}}]\ncontexts: [{name: x, context: {cluster: c}}]", "/nonexistent/ca does not exist"),
        ("current-context: x\nclusters: [{name: c, cluster: {server: \"https://k\"}}]\nusers: [{name: u, user: {token: t, username: a}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]", "not both"),
        ("current-context: x\nclusters: [{name: c, cluster: {server: \"https://k\"}}]\nusers: [{name: u, user: {auth-provider: {name: gcp}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]", "removed auth-provider"),
        ("current-context: x\nclusters: [{name: c, cluster: {server: \"https://k\"}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]", "not supported"),
        ("clusters: [a: b: c]", "cannot read kubeconfig"),
        ("kind: Pod", "expected Config"),
    ])
    func invalid(text: String, expected: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try scratch.write("config", text)
        let error = #expect(throws: KubeClientError.self) { try ClientConfiguration.fromKubeconfig(paths: [path]) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    @Test("no existing kubeconfig file is a clear error")
    func missingFiles() {
        let error = #expect(throws: KubeClientError.self) {
            try ClientConfiguration.fromKubeconfig(paths: ["/nonexistent/a", "/nonexistent/b"])
        }
        #expect(error?.description.contains("no kubeconfig file found") == true)
    }
}

@Suite("In-cluster configuration")
struct InClusterConfigurationTests {
    @Test("reads the service-account directory and the service environment")
    func serviceAccount() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("sa/token", "sa-token\n")
        try scratch.write("sa/ca.crt", KubeconfigTests.caPEM)
        try scratch.write("sa/namespace", "ms2m-system\n")
        let config = try ClientConfiguration.inCluster(
            serviceAccountDirectory: scratch.path("sa"),
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "ms2m-system")
        #expect(config.tls?.caCertificatesPEM == Array(KubeconfigTests.caPEM.utf8))
        #expect(config.credentials == .bearerTokenFile(scratch.path("sa/token")))
        let v6 = try ClientConfiguration.inCluster(
            serviceAccountDirectory: scratch.path("sa"),
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"])
        #expect(v6.server == "https://[fd00::1]:443")
    }

    @Test("outside a pod, or without a token, it fails clearly")
    func failures() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let outside = #expect(throws: KubeClientError.self) {
            try ClientConfiguration.inCluster(serviceAccountDirectory: scratch.path("sa"), environment: [:])
        }
        #expect(outside?.description.contains("KUBERNETES_SERVICE_HOST") == true)
        let noToken = #expect(throws: KubeClientError.self) {
            try ClientConfiguration.inCluster(
                serviceAccountDirectory: scratch.path("sa"),
                environment: ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"])
        }
        #expect(noToken?.description.contains("token") == true)
    }
}
