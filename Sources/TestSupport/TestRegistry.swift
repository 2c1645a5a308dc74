import Foundation
import Synchronization

/// A real `docker-registry` (distribution 2.x) on 127.0.0.1 with its storage, config and log in a temporary
/// directory, started by a test and stopped after it.
///
/// `@unchecked Sendable`: the only mutable state is the `Process`, which is started in `start` and afterwards
/// only queried and stopped (both thread-safe in Foundation).
public final class TestRegistry: @unchecked Sendable {
    /// How clients must authenticate.
    public enum Auth: Sendable {
        /// Anonymous access.
        case none
        /// HTTP basic against an htpasswd file with one user.
        case htpasswd(user: String, password: String)
        /// The Docker token flow against a ``TokenServer``.
        case token(TokenServer)
    }

    /// How the registry is configured.
    public struct Options: Sendable {
        /// Serve HTTPS with these certificates' server certificate (nil: plain HTTP).
        public var tls: TestCertificates?
        public var auth: Auth
        /// `storage.delete.enabled`: whether manifests and blobs may be deleted (405 otherwise).
        public var deleteEnabled: Bool

        public init(tls: TestCertificates? = nil, auth: Auth = .none, deleteEnabled: Bool = true) {
            self.tls = tls
            self.auth = auth
            self.deleteEnabled = deleteEnabled
        }
    }

    /// The temporary directory holding the config, the log and the storage (`data/`).
    public let directory: String
    public let port: Int
    public let options: Options
    private let processBox: Mutex<Process>
    private var process: Process { processBox.withLock { $0 } }
    private let binary: String
    private let logPath: String

    /// `127.0.0.1:<port>`, the registry part of image references.
    public var host: String { "127.0.0.1:\(port)" }
    /// `http` or `https`.
    public var scheme: String { options.tls == nil ? "http" : "https" }

    private init(directory: String, port: Int, options: Options, binary: String, process: Process, logPath: String) {
        self.directory = directory
        self.port = port
        self.options = options
        self.binary = binary
        self.processBox = Mutex(process)
        self.logPath = logPath
    }

    /// Writes the config, starts `docker-registry serve` and waits (up to 15 s) until it accepts connections.
    public static func start(_ options: Options = Options()) async throws -> TestRegistry {
        let binary = try Tools.require("docker-registry", package: "docker-registry")
        let directory = try Tools.temporaryDirectory("ms2m-registry")
        let port = try Tools.freePort()
        var config = """
            version: 0.1
            log:
              level: info
              formatter: text
            storage:
              filesystem:
                rootdirectory: \(directory)/data
              delete:
                enabled: \(options.deleteEnabled)
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:\(port)
              secret: ms2m-test-secret

            """
        if let tls = options.tls {
            config += """
                  tls:
                    certificate: \(tls.serverCertificatePath)
                    key: \(tls.serverKeyPath)

                """
        }
        switch options.auth {
        case .none:
            break
        case .htpasswd(let user, let password):
            let htpasswd = try Tools.require("htpasswd", package: "apache2-utils")
            let entry = try await ProcessRunner.check(htpasswd, ["-Bbn", user, password]).output
            try entry.write(toFile: directory + "/htpasswd", atomically: true, encoding: .utf8)
            config += """
                auth:
                  htpasswd:
                    realm: ms2m-test
                    path: \(directory)/htpasswd

                """
        case .token(let server):
            config += """
                auth:
                  token:
                    realm: \(server.realm)
                    service: \(TokenServer.service)
                    issuer: \(TokenServer.issuer)
                    rootcertbundle: \(server.certificatePath)

                """
        }
        try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
        let logPath = directory + "/registry.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = try launch(binary: binary, directory: directory, logPath: logPath)
        let registry = TestRegistry(directory: directory, port: port, options: options, binary: binary, process: process, logPath: logPath)
        try await registry.waitUntilReady()
        return registry
    }

    /// Starts `docker-registry serve` on the configuration in `directory`, appending to the log.
    private static func launch(binary: String, directory: String, logPath: String) throws -> Process {
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", directory + "/config.yml"]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Makes the registry unavailable, as an outage does: the process stops, its data stays.
    public func pause() {
        Tools.stop(process)
    }

    /// Ends an outage begun by ``pause()``: the registry serves the same data on the same port again.
    public func resume() async throws {
        let process = try Self.launch(binary: binary, directory: directory, logPath: logPath)
        processBox.withLock { $0 = process }
        try await waitUntilReady()
    }

    /// Waits until the registry accepts connections (it listens only once its configuration is loaded).
    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        let port = self.port
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestSupportError("docker-registry exited: \(log)") }
            if try await onBlockingThread({ Tools.isListening(port: port) }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("docker-registry did not answer on \(host) within 15 s: \(log)")
    }

    /// The registry's log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// How many access-log lines show `method` requests (e.g. `PATCH`, `POST`).
    public func requestCount(_ method: String) -> Int {
        log.split(separator: "\n").filter { $0.contains("\"\(method) /v2/") }.count
    }

    /// Where the filesystem driver keeps the blob with this hex SHA-256 (tests corrupt it to check verification).
    public func blobDataPath(hex: String) -> String {
        "\(directory)/data/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }

    /// Stops the registry (SIGTERM, then SIGKILL) and removes its directory. Blocks for up to a few seconds.
    public func stop() {
        Tools.stop(process)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
