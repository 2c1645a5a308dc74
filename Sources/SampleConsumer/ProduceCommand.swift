import AMQPBroker
import ArgumentParser
import Foundation
import Logging
import SampleWorkload

/// `produce`: publishes sequentially numbered, persistent, confirmed messages at a steady rate.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Publish messages with ids <prefix>-1, <prefix>-2, … at a steady rate.")

    @Option(help: "Messages per second.")
    var rate: Double

    @Option(help: "Stop after this many confirmed messages (default: until SIGTERM).")
    var count: Int?

    @Option(help: "A durable fan-out exchange to publish to (declared).")
    var exchange: String?

    @Option(
        help: "A durable queue: published to through the default exchange, or bound to --exchange.")
    var queue: String?

    @Option(name: .customLong("amqp-url"), help: "The broker URL (default: AMQP_URL or BROKER_URL).")
    var amqpURL: String?

    @Option(help: "The message id prefix.")
    var idPrefix: String = "msg"

    func validate() throws {
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        guard exchange?.isEmpty == false || queue?.isEmpty == false else {
            throw ValidationError("give --exchange or --queue")
        }
        guard resolvedURL != nil else {
            throw ValidationError("give --amqp-url, or set AMQP_URL or BROKER_URL")
        }
    }

    private var resolvedURL: String? {
        let environment = ProcessInfo.processInfo.environment
        return [amqpURL, environment["AMQP_URL"], environment["BROKER_URL"]].compactMap { $0 }.first {
            !$0.isEmpty
        }
    }

    func run() async throws {
        let logger = Logger(label: "ms2m.sample-producer")
        let pool = RabbitMQBrokerPool(
            options: RabbitMQBrokerOptions(connectionName: "ms2m-sample-producer"), logger: logger)
        let producer = Producer(
            brokers: pool, brokerURL: resolvedURL ?? "", exchange: exchange, queue: queue, rate: rate,
            idPrefix: idPrefix,
            logger: logger)
        let signals = TerminationSignals { Task { await producer.stop() } }
        defer { signals.cancel() }
        do {
            try await producer.run(count: count)
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }
}
