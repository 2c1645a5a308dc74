import Foundation
import KubeClient
import KubeModel
import KubeSim
import TestSupport
import Testing

/// The `ms2m-operator` executable as a process, against KubeSim through a kubeconfig: it elects itself
/// leader, reports ready once its caches are synced, and on a real SIGTERM releases its lease and exits 0.
@Suite("ms2m-operator executable", .serialized)
struct OperatorProcessTests {
    static let identity = "ms2m-operator-process-test"
    static let leaseName = "ms2m-operator-leader"

    @Test("leads, serves /readyz once synced, and on SIGTERM releases the lease and exits 0")
    func sigtermReleasesLease() async throws {
        let executable = try Tools.builtExecutable("ms2m-operator")
        try await withKubeSim { server in
            try installMigrationCRDs(on: server)
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil))
            let work = NSTemporaryDirectory() + "ms2m-operator-process-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: work) }
            let kubeconfig = work + "/kubeconfig"
            try server.kubeconfig(namespace: "default").write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            let healthPort = try RabbitMQTestServer.freePort()
            let logPath = work + "/operator.log"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            defer { try? log.close() }
            func logTail() -> String {
                String((try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(2000) ?? "")
            }

            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "--kubeconfig", kubeconfig, "--leader-elect", "--leader-election-namespace", "default",
                "--metrics-bind-address", "0", "--health-probe-bind-address", "127.0.0.1:\(healthPort)",
                "--log-format", "json",
            ]
            process.environment = ["POD_NAME": Self.identity, "PATH": "/usr/bin:/bin"]
            process.standardOutput = log
            process.standardError = log
            try process.run()
            defer {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }

            func holder() async -> String? {
                (try? await client.get(Lease.self, name: Self.leaseName, namespace: "default"))?.spec?.holderIdentity
            }
            func readyz() async -> Bool {
                let result = try? await ProcessRunner.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(healthPort)/readyz"])
                return result?.output == "200"
            }
            let ready = await poll(timeout: .seconds(30)) {
                guard await holder() == Self.identity else { return false }
                return await readyz()
            }
            #expect(ready, "the operator did not lead and become ready; log: \(logTail())")
            guard ready else { return }
            #expect(process.isRunning)

            kill(process.processIdentifier, SIGTERM)
            let stopped = await poll(timeout: .seconds(20)) { !process.isRunning }
            #expect(stopped, "still running 20 s after SIGTERM; log: \(logTail())")
            guard stopped else { return }
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "log: \(logTail())")
            let after = await holder()
            #expect(after == nil || after == "", "the lease still names \(after ?? "")")
        }
    }

    /// Whether `condition` held within `timeout`, checked every 100 ms.
    private func poll(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
