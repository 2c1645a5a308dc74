import Foundation

/// A throwaway certificate authority with a server and a client certificate, made with the `openssl` CLI in a
/// temporary directory, for TLS tests on loopback.
///
/// The server certificate is valid for `127.0.0.1`, `localhost` and `kubesim.test` (the last only reachable
/// through a TLS server-name override), and the client certificate has the common name `clientName` in
/// organisation `system:masters`, as Kubernetes admin certificates do.
public struct TestCertificates: Sendable {
    /// The directory holding every file.
    public let directory: URL
    public var caCertificatePath: String { directory.appendingPathComponent("ca.crt").path }
    public var caKeyPath: String { directory.appendingPathComponent("ca.key").path }
    public var serverCertificatePath: String { directory.appendingPathComponent("server.crt").path }
    public var serverKeyPath: String { directory.appendingPathComponent("server.key").path }
    public var clientCertificatePath: String { directory.appendingPathComponent("client.crt").path }
    public var clientKeyPath: String { directory.appendingPathComponent("client.key").path }

    /// Generates a CA, a server certificate and a client certificate signed by it.
    public static func generate(caName: String = "ms2m-test-ca", clientName: String = "ms2m-test-user") throws
        -> TestCertificates
    {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ms2m-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        let extensions = directory.appendingPathComponent("server.ext")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubesim.test\n"
            .write(to: extensions, atomically: true, encoding: .utf8)
        let clientExtensions = directory.appendingPathComponent("client.ext")
        try "extendedKeyUsage=clientAuth\n".write(to: clientExtensions, atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + ec + [
            "-keyout", certificates.caKeyPath, "-out", certificates.caCertificatePath, "-days", "2",
            "-subj", "/CN=\(caName)",
        ], in: directory)
        try certificates.issue(
            name: "server", subject: "/CN=kubesim", extensionsFile: extensions.path, ec: ec)
        try certificates.issue(
            name: "client", subject: "/O=system:masters/CN=\(clientName)", extensionsFile: clientExtensions.path,
            ec: ec)
        return certificates
    }

    private func issue(name: String, subject: String, extensionsFile: String, ec: [String]) throws {
        let key = directory.appendingPathComponent("\(name).key").path
        let request = directory.appendingPathComponent("\(name).csr").path
        let certificate = directory.appendingPathComponent("\(name).crt").path
        try Self.openssl(["req"] + ec + ["-keyout", key, "-out", request, "-subj", subject], in: directory)
        try Self.openssl([
            "x509", "-req", "-in", request, "-CA", caCertificatePath, "-CAkey", caKeyPath, "-CAcreateserial",
            "-out", certificate, "-days", "2", "-extfile", extensionsFile,
        ], in: directory)
    }

    /// Reads one of the generated files.
    public func contents(of path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Removes the directory.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func openssl(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSupportError("openssl \(arguments.first ?? "") failed: \(String(decoding: output, as: UTF8.self))")
        }
    }
}

/// A failure in test scaffolding (not in the code under test).
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
