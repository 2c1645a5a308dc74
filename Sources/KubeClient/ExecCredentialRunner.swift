import Dispatch
import Foundation
import KubeModel

/// Runs a client-go credential plugin and parses its `ExecCredential` answer.
///
/// The plugin gets `KUBERNETES_EXEC_INFO` (an ExecCredential with `spec.interactive: false` and, when asked
/// for, `spec.cluster`), plus the configured env on top of this process's environment. It runs on a Dispatch
/// queue, never on Swift's cooperative pool, since waiting for a process blocks.
enum ExecCredentialRunner {
    static let v1 = "client.authentication.k8s.io/v1"
    static let v1beta1 = "client.authentication.k8s.io/v1beta1"

    /// What a plugin returned.
    struct Result: Sendable, Equatable {
        var token: String?
        var clientCertificatePEM: [UInt8]?
        var clientKeyPEM: [UInt8]?
        var expiration: Date?
    }

    struct ExecCredential: Codable {
        struct Spec: Codable {
            var interactive: Bool?
            var cluster: ExecCredentialConfig.ClusterInfo?
        }
        struct StatusBody: Codable {
            var token: String?
            var clientCertificateData: String?
            var clientKeyData: String?
            var expirationTimestamp: String?
        }
        var apiVersion: String?
        var kind: String?
        var spec: Spec?
        var status: StatusBody?
    }

    private static let queue = DispatchQueue(label: "ms2m.exec-credential", attributes: .concurrent)

    static func run(_ config: ExecCredentialConfig) async throws(KubeClientError) -> Result {
        if config.interactiveMode == "Always" {
            throw .credentials("exec plugin \(config.command) requires an interactive terminal (interactiveMode: Always)")
        }
        let output: (status: Int32, stdout: Data, stderr: Data)
        do {
            output = try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    do {
                        continuation.resume(returning: try execute(config))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } catch let error as KubeClientError {
            throw error
        } catch {
            throw .credentials("\(error)")
        }
        let stderr = String(decoding: output.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard output.status == 0 else {
            throw .credentials("exec plugin \(config.command) exited with status \(output.status)\(stderr.isEmpty ? "" : ": \(stderr)")")
        }
        let credential: ExecCredential
        do {
            credential = try JSONDecoder().decode(ExecCredential.self, from: output.stdout)
        } catch {
            throw .credentials("exec plugin \(config.command) printed no valid ExecCredential JSON: \(JSONCoding.describe(error))")
        }
        guard credential.kind == "ExecCredential" else {
            throw .credentials("exec plugin \(config.command) returned kind \(credential.kind ?? "none"), expected ExecCredential")
        }
        guard credential.apiVersion == config.apiVersion else {
            throw .credentials("exec plugin \(config.command) returned apiVersion \(credential.apiVersion ?? "none"), expected \(config.apiVersion)")
        }
        guard let status = credential.status else {
            throw .credentials("exec plugin \(config.command) returned an ExecCredential without status")
        }
        var result = Result()
        result.token = status.token.flatMap { $0.isEmpty ? nil : $0 }
        if let cert = status.clientCertificateData, !cert.isEmpty { result.clientCertificatePEM = Array(cert.utf8) }
        if let key = status.clientKeyData, !key.isEmpty { result.clientKeyPEM = Array(key.utf8) }
        if (result.clientCertificatePEM == nil) != (result.clientKeyPEM == nil) {
            throw .credentials("exec plugin \(config.command) returned a client certificate without a key, or a key without a certificate")
        }
        if result.token == nil && result.clientCertificatePEM == nil {
            throw .credentials("exec plugin \(config.command) returned neither a token nor a client certificate")
        }
        if let stamp = status.expirationTimestamp {
            guard let date = Time(rfc3339: stamp)?.date else {
                throw .credentials("exec plugin \(config.command) returned an invalid expirationTimestamp \"\(stamp)\"")
            }
            result.expiration = date
        }
        return result
    }

    private static func execute(_ config: ExecCredentialConfig) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let process = Process()
        if config.command.contains("/") {
            process.executableURL = URL(fileURLWithPath: config.command)
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        }
        process.arguments = (config.command.contains("/") ? [] : [config.command]) + (config.args ?? [])
        var environment = ProcessInfo.processInfo.environment
        for variable in config.env ?? [] { environment[variable.name] = variable.value }
        let info = ExecCredential(
            apiVersion: config.apiVersion, kind: "ExecCredential",
            spec: .init(interactive: false, cluster: config.provideClusterInfo == true ? config.cluster : nil),
            status: nil)
        environment["KUBERNETES_EXEC_INFO"] = String(decoding: try JSONEncoder().encode(info), as: UTF8.self)
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            let hint = config.installHint.map { "\n\($0)" } ?? ""
            throw KubeClientError.credentials("cannot run exec plugin \(config.command): \(error.localizedDescription)\(hint)")
        }
        // Read both pipes concurrently so a chatty plugin cannot fill one and deadlock.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        queue.async {
            errorData = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, outputData, errorData)
    }
}
