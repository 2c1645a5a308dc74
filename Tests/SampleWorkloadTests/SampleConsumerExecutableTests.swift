import Foundation
import TestSupport
import Testing

/// The `ms2m-sample-consumer` executable end to end against the real RabbitMQ node: `produce`, `consume`,
/// `/count`, and a graceful SIGTERM.
@Suite("ms2m-sample-consumer executable")
struct SampleConsumerExecutableTests {
    /// The executable next to the test bundle (`swift build --build-tests` builds it).
    var executable: String {
        get throws { try Tools.builtExecutable("ms2m-sample-consumer") }
    }

    @Test("consume counts what produce published, serves /count, and exits 0 on SIGTERM")
    func produceAndConsume() async throws {
        let executable = try self.executable
        let server = RabbitMQTestServer.shared
        let vhost = uniqueName("cli")
        try await server.addVirtualHost(vhost)
        defer { Task { try? await server.rabbitmqctl(["delete_vhost", vhost]) } }
        let url = try await server.node().url(virtualHost: vhost)
        let httpPort = try RabbitMQTestServer.freePort()

        // The queue exists once the producer declares it; messages wait there for the consumer.
        try await ProcessRunner.check(
            executable,
            ["produce", "--rate", "500", "--count", "50", "--queue", "orders", "--amqp-url", url])

        let consumer = Process()
        consumer.executableURL = URL(fileURLWithPath: executable)
        consumer.arguments = ["consume", "--http-port", "\(httpPort)", "--http-host", "127.0.0.1"]
        consumer.environment = [
            "AMQP_URL": url, "QUEUE_NAME": "orders", "POD_NAME": "counter-0", "PATH": "/usr/bin:/bin",
        ]
        consumer.standardOutput = FileHandle.nullDevice
        consumer.standardError = FileHandle.nullDevice
        try consumer.run()
        defer {
            if consumer.isRunning {
                consumer.interrupt()
                kill(consumer.processIdentifier, SIGKILL)
            }
        }

        try await waitUntil("/count reports 50", timeout: .seconds(20)) {
            let result = try? await ProcessRunner.run(
                "/usr/bin/curl", ["-sf", "http://127.0.0.1:\(httpPort)/count"])
            return result?.output == #"{"count":50,"duplicatesSkipped":0,"mode":"primary"}"#
        }
        let ready = try await ProcessRunner.run(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(httpPort)/readyz"])
        #expect(ready.output == "200")

        kill(consumer.processIdentifier, SIGTERM)
        try await waitUntil("the consumer exits", timeout: .seconds(10)) { !consumer.isRunning }
        #expect(consumer.terminationReason == .exit)
        #expect(consumer.terminationStatus == 0)
    }

    @Test("consume without QUEUE_NAME fails with a message naming it")
    func missingConfiguration() async throws {
        let result = try await ProcessRunner.run(
            try executable, ["consume"], environment: ["AMQP_URL": "amqp://localhost/"])
        #expect(result.status != 0)
        #expect(result.errorOutput.contains("QUEUE_NAME"))
    }
}
