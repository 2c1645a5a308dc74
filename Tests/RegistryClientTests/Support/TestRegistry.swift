import CurlTransport
import Foundation
import HTTPTransport
import TestSupport

/// A real `docker-registry` (distribution 2.x) on 127.0.0.1 with its storage, config and log in a temporary
/// directory, started by the test and stopped after it.
final class TestRegistry: @unchecked Sendable {
    enum Auth {
        case none
        case htpasswd(user: String, password: String)
        case token(TokenServer)
    }

    struct Options {
        var tls: TestCertificates?
        var auth: Auth = .none
        var deleteEnabled = true
    }

    let directory: String
    let port: Int
    let options: Options
    private let process: Process
    private let logPath: String

    var host: String { "127.0.0.1:\(port)" }
    var scheme: String { options.tls == nil ? "http" : "https" }

    private init(directory: String, port: Int, options: Options, process: Process, logPath: String) {
        self.directory = directory
        self.port = port
        self.options = options
        self.process = process
        self.logPath = logPath
    }

    static func start(_ options: Options = Options()) async throws -> TestRegistry {
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
            let entry = try Tools.run(htpasswd, ["-Bbn", user, password]).text
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
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", directory + "/config.yml"]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try log.close()
        let registry = TestRegistry(directory: directory, port: port, options: options, process: process, logPath: logPath)
        try await registry.waitUntilReady()
        return registry
    }

    private func waitUntilReady() async throws {
        let transport = CurlTransport(configuration: .init(tls: TLSOptions(insecureSkipVerify: true), connectTimeout: .seconds(1)))
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestSupportError("docker-registry exited: \(log)") }
            if let response = try? await transport.send(HTTPRequest(method: .get, url: "\(scheme)://\(host)/v2/", timeout: .seconds(1))),
                response.status == 200 || response.status == 401
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("docker-registry did not answer on \(host) within 15 s: \(log)")
    }

    /// The registry's log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// How many access-log lines show `method` requests (e.g. `PATCH`, `POST`).
    func requestCount(_ method: String) -> Int {
        log.split(separator: "\n").filter { $0.contains("\"\(method) /v2/") }.count
    }

    func stop() {
        Tools.stop(process)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
