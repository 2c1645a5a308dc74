public import Logging
public import OperatorCore

/// Publishes the sample workload's messages: `rate` per second, persistent, each confirmed by the broker,
/// with sequential ids `<idPrefix>-1`, `<idPrefix>-2`, … that consumers de-duplicate by.
///
/// Publishing follows a schedule (message n is due `(n - 1) / rate` seconds after the start), not a sleep per
/// message. Every message already due is published at once, up to ``maximumInFlight`` awaiting their
/// confirms together, so the rate holds although each confirm takes a broker round trip, and after a stall
/// (a slow broker, a lost connection) the producer catches up. Messages published together may reach a
/// queue in any order. A publish that fails is retried with the same id after a backoff (those of its batch
/// that were confirmed are not sent again): the broker may have taken it, so consumers can see it twice and
/// skip the second.
public actor Producer {
    /// Publishes awaiting their confirms at once when several messages are due.
    public static let maximumInFlight = 16

    private let brokers: any MessageBrokerConnecting
    private let brokerURL: String
    private let exchange: String?
    private let queue: String?
    private let rate: Double
    private let idPrefix: String
    private let logger: Logger
    private var confirmed = 0
    /// Numbers above `confirmed + 1` the broker has confirmed (a batch whose earlier message failed); they
    /// are not published again.
    private var confirmedAhead = Set<Int>()
    private var stopRequested = false
    private let pause = InterruptibleSleep()

    /// A producer publishing to `exchange` (a durable fan-out exchange, declared; if `queue` is also given it
    /// is declared durable and bound to the exchange) or, without an exchange, to the durable `queue` through
    /// the default exchange.
    public init(
        brokers: any MessageBrokerConnecting, brokerURL: String, exchange: String?, queue: String?,
        rate: Double,
        idPrefix: String = "msg", logger: Logger = Logger(label: "ms2m.sample-producer")
    ) {
        self.brokers = brokers
        self.brokerURL = brokerURL
        self.exchange = exchange.flatMap { $0.isEmpty ? nil : $0 }
        self.queue = queue.flatMap { $0.isEmpty ? nil : $0 }
        self.rate = rate
        self.idPrefix = idPrefix
        self.logger = logger
    }

    /// Messages the broker has confirmed.
    public var published: Int { confirmed }

    /// The id of message `number`: `<idPrefix>-<number>`.
    public nonisolated func messageID(_ number: Int) -> String { "\(idPrefix)-\(number)" }

    /// Publishes until `count` messages are confirmed (nil: until ``stop()`` or the task's cancellation),
    /// reconnecting after a lost connection. Throws ``BrokerError/Kind/invalidArgument`` for a rate that is not
    /// positive or when neither an exchange nor a queue is given, and errors retrying cannot fix (invalid URL,
    /// refused login or permissions, a queue or exchange that exists with other properties).
    public func run(count: Int?) async throws {
        guard rate > 0, rate.isFinite else {
            throw BrokerError(
                .invalidArgument, message: "the rate must be a positive number of messages per second")
        }
        guard exchange != nil || queue != nil else {
            throw BrokerError(.invalidArgument, message: "the producer needs an exchange or a queue")
        }
        let start = ContinuousClock.now
        let first = confirmed
        var broker: (any MessageBroker)?
        var backoff = ReconnectBackoff()
        while !stopRequested, !Task.isCancelled, count.map({ confirmed < $0 }) ?? true {
            let number = confirmed + 1
            let now = ContinuousClock.now
            let due = start + .seconds(Double(number - 1 - first) / rate)
            if now < due {
                await pause.sleep(until: due)
                continue
            }
            // Every message due by now, within the in-flight bound and the count.
            let dueThrough = first + 1 + Int(((now - start) / .seconds(1)) * rate)
            let last = min(dueThrough, number + Self.maximumInFlight - 1, count ?? .max)
            do {
                let target: any MessageBroker
                if let broker {
                    target = broker
                } else {
                    target = try await connect()
                    broker = target
                }
                try await publish(number...max(number, last), to: target)
                backoff.reset()
            } catch let error as BrokerError where !error.isRetryable {
                logger.error("Stopped publishing: broker refused", metadata: ["error": "\(error)"])
                throw error
            } catch {
                if stopRequested || Task.isCancelled { break }
                // Declare the topology again after reconnecting: a restarted broker may have lost it.
                broker = nil
                let delay = backoff.next()
                logger.warning(
                    "Failed to publish; retrying",
                    metadata: [
                        "messageID": "\(messageID(number))", "error": "\(error)", "delay": "\(delay)",
                    ])
                await pause.sleep(for: delay)
            }
        }
        logger.info("Stopped publishing", metadata: ["published": "\(confirmed)"])
    }

    /// Stops after the publish in progress; ``run(count:)`` returns. A stopped producer does not run again.
    public func stop() {
        stopRequested = true
        pause.interrupt()
    }

    /// Publishes `numbers` together (except those already confirmed); ``confirmed`` advances through the
    /// longest confirmed prefix, and the first failure is thrown once all have finished.
    private func publish(_ numbers: ClosedRange<Int>, to broker: any MessageBroker) async throws {
        let exchange = exchange ?? ""
        let routingKey = self.exchange == nil ? queue! : ""
        let messages = numbers.filter { !confirmedAhead.contains($0) }.map { (number: $0, message: message($0)) }
        var succeeded = Set<Int>()
        var failure: (any Error)?
        await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for (number, message) in messages {
                group.addTask {
                    do {
                        try await broker.publish(message, exchange: exchange, routingKey: routingKey)
                        return (number, nil)
                    } catch {
                        return (number, error)
                    }
                }
            }
            for await (number, error) in group {
                if let error {
                    failure = failure ?? error
                } else {
                    succeeded.insert(number)
                }
            }
        }
        confirmedAhead.formUnion(succeeded)
        while confirmedAhead.remove(confirmed + 1) != nil { confirmed += 1 }
        if let failure { throw failure }
    }

    private func connect() async throws -> any MessageBroker {
        let broker = try await brokers.broker(url: brokerURL, credentials: nil)
        if let exchange {
            try await broker.declareExchange(exchange, type: .fanout, durable: true)
            if let queue {
                try await broker.declareQueue(queue, durable: true)
                try await broker.bindQueue(queue, exchange: exchange)
            }
        } else if let queue {
            try await broker.declareQueue(queue, durable: true)
        }
        return broker
    }

    private func message(_ number: Int) -> OutgoingMessage {
        let id = messageID(number)
        return OutgoingMessage(
            body: Array(#"{"id":"\#(id)","sequence":\#(number)}"#.utf8), contentType: "application/json",
            messageID: id, persistent: true)
    }
}
