import Foundation

/// A throwaway certificate authority with a server and a client certificate, made with the `openssl` CLI in a
/// temporary directory, for TLS tests on loopback.
///
/// The server certificate is valid for `127.0.0.1`, `localhost` and `kubesim.test` (the last only reachable
/// through a TLS server-name override) plus any `extraServerNames` (e.g. `webhook.default.svc` for an admission
/// webhook service), and the client certificate has the common name `clientName` in organisation
/// `system:masters`, as Kubernetes admin certificates do.
public struct TestCertificates: Sendable {
    /// The directory holding every file.
    public let directory: URL
    public var caCertificatePath: String { path("ca.crt") }
    public var caKeyPath: String { path("ca.key") }
    public var serverCertificatePath: String { path("server.crt") }
    public var serverKeyPath: String { path("server.key") }
    public var clientCertificatePath: String { path("client.crt") }
    public var clientKeyPath: String { path("client.key") }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Generates a CA, a server certificate and a client certificate signed by it; openssl runs while the
    /// calling task is suspended, off the cooperative thread pool.
    public static func create(
        caName: String = "ms2m-test-ca", clientName: String = "ms2m-test-user", extraServerNames: [String] = []
    ) async throws -> TestCertificates {
        let certificates = try prepare(extraServerNames: extraServerNames)
        for arguments in certificates.opensslInvocations(caName: caName, clientName: clientName) {
            try await ProcessRunner.check("/usr/bin/openssl", arguments, currentDirectory: certificates.directory)
        }
        return certificates
    }

    /// Makes the directory and the extension files.
    private static func prepare(extraServerNames: [String]) throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ms2m-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let names = (["IP:127.0.0.1", "DNS:localhost", "DNS:kubesim.test"] + extraServerNames.map { "DNS:\($0)" })
        try "subjectAltName=\(names.joined(separator: ","))\n"
            .write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n"
            .write(to: directory.appendingPathComponent("client.ext"), atomically: true, encoding: .utf8)
        return TestCertificates(directory: directory)
    }

    /// The openssl commands, in order: the CA, then a key, request and signed certificate for server and client.
    private func opensslInvocations(caName: String, clientName: String) -> [[String]] {
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        var invocations = [
            ["req", "-x509"] + ec + ["-keyout", caKeyPath, "-out", caCertificatePath, "-days", "2", "-subj", "/CN=\(caName)"]
        ]
        for (name, subject) in [("server", "/CN=kubesim"), ("client", "/O=system:masters/CN=\(clientName)")] {
            invocations.append(["req"] + ec + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
            invocations.append([
                "x509", "-req", "-in", path("\(name).csr"), "-CA", caCertificatePath, "-CAkey", caKeyPath,
                "-CAcreateserial", "-out", path("\(name).crt"), "-days", "2", "-extfile", path("\(name).ext"),
            ])
        }
        return invocations
    }

    /// Reads one of the generated files.
    public func contents(of path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Removes the directory.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A failure in test scaffolding (not in the code under test).
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
