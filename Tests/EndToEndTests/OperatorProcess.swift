import Foundation
import KubeSim
import TestSupport

/// The `ms2m-operator` executable run against the end-to-end cluster through a kubeconfig, as a separate
/// process that can be sent real signals (SIGKILL: no cancellation handler, no deferred cleanup runs).
final class OperatorProcess: @unchecked Sendable {
    private let process = Process()
    private let directory: String
    let logPath: String

    /// Starts the operator with the test settings (no metrics or probe servers, the test transfer image).
    init(_ e: EndToEnd) throws {
        let executable = try Tools.builtExecutable("ms2m-operator")
        directory = NSTemporaryDirectory() + "ms2m-operator-process-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let kubeconfig = directory + "/kubeconfig"
        try e.server.kubeconfig(namespace: "default").write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        logPath = directory + "/operator.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--kubeconfig", kubeconfig, "--metrics-bind-address", "0", "--health-probe-bind-address", "0",
            "--transfer-image", "ghcr.io/ms2m/checkpoint-transfer:test", "--log-format", "json",
        ]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// The end of its log, for failure messages.
    var logTail: String {
        String((try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(3000) ?? "")
    }

    /// Sends SIGKILL and waits for the process to be gone.
    func kill() async {
        await signal(SIGKILL)
    }

    /// Sends SIGTERM (a graceful stop), then SIGKILL if it is still running after 20 s; removes its files.
    func stop() async {
        await signal(SIGTERM, grace: .seconds(20))
        if process.isRunning { await signal(SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func signal(_ signal: Int32, grace: Duration = .seconds(5)) async {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}
