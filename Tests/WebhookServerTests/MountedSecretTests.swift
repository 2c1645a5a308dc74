import ControllerRuntime
import Foundation
import Testing
@testable import WebhookServer

@Suite("WebhookCertificateManager, mounted Secret (cert-manager)")
struct MountedSecretTests {
    /// A directory laid out as the kubelet mounts a Secret: the files live in a timestamped directory,
    /// `..data` links to it, and `tls.crt`/`tls.key` link through `..data`; an update writes a new timestamped
    /// directory and renames a new `..data` link over the old one.
    struct MountedSecret {
        let root: URL
        private var generation = 0

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-mounted-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }

        mutating func write(_ serving: ServingCertificate) throws {
            generation += 1
            let files = FileManager.default
            let version = "..2025_01_01_00_00_0\(generation).\(generation)"
            try files.createDirectory(at: root.appendingPathComponent(version), withIntermediateDirectories: false)
            try serving.certificateChainPEM.write(
                to: root.appendingPathComponent(version).appendingPathComponent("tls.crt"), atomically: false, encoding: .utf8)
            try serving.privateKeyPEM.write(
                to: root.appendingPathComponent(version).appendingPathComponent("tls.key"), atomically: false, encoding: .utf8)
            let newLink = root.appendingPathComponent("..data_tmp").path
            try files.createSymbolicLink(atPath: newLink, withDestinationPath: version)
            guard rename(newLink, root.appendingPathComponent("..data").path) == 0 else {
                throw CocoaError(.fileWriteUnknown)
            }
            for name in ["tls.crt", "tls.key"] where generation == 1 {
                try files.createSymbolicLink(atPath: root.appendingPathComponent(name).path, withDestinationPath: "..data/\(name)")
            }
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    @Test("loads tls.crt/tls.key from the mounted directory and reloads them after the kubelet swaps ..data")
    func reloadsAfterSwap() async throws {
        var mounted = try MountedSecret()
        defer { mounted.remove() }
        let first = try makeTestIdentity()
        try mounted.write(first.serving)

        let logs = LogCapture()
        let certificates = ServingCertificateSource()
        let manager = WebhookCertificateManager(
            mode: .mountedSecret(directory: mounted.root.path), certificates: certificates,
            resyncInterval: .milliseconds(50), logger: logs.logger)
        let server = AdmissionWebhookServer(
            configuration: .init(address: BindAddress(host: "127.0.0.1", port: 0)),
            routes: ["/validate-eviction": { _ in .json(Array("{}".utf8)) }],
            certificates: certificates, logger: quietLogger)

        try await whileRunning([manager.run, server.run]) {
            let port = try #require(await server.waitUntilListening())
            #expect(certificates.current == first.serving)
            #expect(try await presentedCertificate(port: port) == leafPEM(first.serving))

            let second = try makeTestIdentity()
            try mounted.write(second.serving)
            #expect(await eventually { certificates.current == second.serving })
            #expect(try await presentedCertificate(port: port) == leafPEM(second.serving))
            let https = TestClient(caPEM: try second.ca.certificatePEM)
            defer { https.shutdown() }
            #expect(try await https.post(port: port, path: "/validate-eviction").status == 200)
            #expect(logs.all.filter { $0.message == "Serving a new webhook certificate" }.count == 2)
        }
    }

    @Test("a mismatched pair is refused with a warning and the previous certificate stays in use")
    func mismatchedPairKeepsPrevious() async throws {
        var mounted = try MountedSecret()
        defer { mounted.remove() }
        let first = try makeTestIdentity()
        try mounted.write(first.serving)
        let certificates = ServingCertificateSource()
        let manager = WebhookCertificateManager(
            mode: .mountedSecret(directory: mounted.root.path), certificates: certificates, logger: quietLogger)
        try await manager.reconcile()
        #expect(certificates.current == first.serving)

        let other = try makeTestIdentity()
        try other.serving.privateKeyPEM.write(
            to: mounted.root.appendingPathComponent("..data").appendingPathComponent("tls.key"), atomically: false, encoding: .utf8)
        await #expect(throws: WebhookCertificateError.self) { try await manager.reconcile() }
        #expect(certificates.current == first.serving)

        let missing = WebhookCertificateManager(
            mode: .mountedSecret(directory: mounted.root.appendingPathComponent("nowhere").path),
            certificates: ServingCertificateSource(), logger: quietLogger)
        await #expect(throws: WebhookCertificateError.self) { try await missing.reconcile() }
    }
}
