import AMQPBroker
import ArgumentParser
import Foundation
import Logging
import SampleWorkload

/// `consume`: counts the primary queue's messages, following the migration engine's control messages, and
/// serves `/count`, `/status`, `/healthz` and `/readyz`. SIGTERM (or SIGINT) stops it gracefully.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Count the messages of QUEUE_NAME on AMQP_URL, each message id once.",
        discussion: """
            Environment: AMQP_URL (or BROKER_URL), QUEUE_NAME, EXCHANGE_NAME (optional fan-out exchange), \
            PREFETCH (default 10), RESTORE_CONTROL_TIMEOUT_SECONDS (default 60), APPLY_DELAY_MS (simulated \
            processing time per message, default 0), POD_NAME (used when \
            /etc/hostname cannot be read).
            """)

    @Option(help: "The port of the HTTP endpoints /count, /status, /healthz and /readyz.")
    var httpPort: Int = 8080

    @Option(help: "The address the HTTP endpoints listen on.")
    var httpHost: String = "0.0.0.0"

    func validate() throws {
        guard (0...65_535).contains(httpPort) else {
            throw ValidationError("--http-port must be 0…65535")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: CounterConsumerConfiguration
        do {
            configuration = try CounterConsumerConfiguration.fromEnvironment(environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let logger = Logger(label: "ms2m.sample-consumer")
        let fallbackPodName = environment["POD_NAME"]
        let pool = RabbitMQBrokerPool(
            options: RabbitMQBrokerOptions(connectionName: "ms2m-sample-consumer"), logger: logger)
        let consumer = CounterConsumer(
            configuration: configuration, brokers: pool,
            hostname: { PodName.current(fallback: fallbackPodName) }, logger: logger)
        let server = CounterHTTPServer(consumer: consumer, host: httpHost, port: httpPort)
        try await server.start()
        let signals = TerminationSignals { Task { await consumer.stop() } }
        defer { signals.cancel() }

        do {
            try await consumer.run()
        } catch {
            await server.stop()
            await pool.shutdown()
            throw error
        }
        await server.stop()
        await pool.shutdown()
        let state = await consumer.state
        logger.info(
            "Exited",
            metadata: ["count": "\(state.count)", "duplicatesSkipped": "\(state.duplicatesSkipped)"])
    }
}
