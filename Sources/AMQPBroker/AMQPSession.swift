import Logging
import OperatorCore

/// Everything one broker connection knows, confined to its ``AMQPConnectionLoop`` thread: the live
/// ``AMQPConnection`` (or when to try reconnecting), which channel does what, the consumers and their
/// half-read deliveries, and the publishes waiting for a confirm.
///
/// Operations here run one at a time on the loop's thread and may block on the broker's reply (bounded by
/// the RPC timeout). A failure is classified by what it closed: a channel error closes only that channel
/// (reopened on next use) and fails only its caller; a connection error fails what was in flight on the
/// connection, ends every consumer's stream, and makes the next operation reconnect.
final class AMQPSession {
    struct Consumer {
        var queue: String
        var channel: UInt16
        var continuation: AsyncThrowingStream<Delivery, any Error>.Continuation
    }

    struct PartialDelivery {
        var consumerTag: String
        var deliveryTag: UInt64
        var redelivered: Bool
        var exchange: String
        var routingKey: String
        var header: AMQPFrame.ContentHeader?
        var body: [UInt8] = []
    }

    struct PublishRequest {
        var message: OutgoingMessage
        var exchange: String
        var routingKey: String
        var deadline: ContinuousClock.Instant
        var completion: @Sendable (Result<Void, BrokerError>) -> Void
    }

    struct PendingConfirm {
        var deliveryTag: UInt64
        var request: PublishRequest
    }

    /// At most this many publisher channels, so that many publishes can await confirms at once.
    static let maximumPublisherChannels = 16

    let url: AMQPURL
    let options: RabbitMQBrokerOptions
    let logger: Logger

    var connection: AMQPConnection?
    var channels = AMQPChannelTable()
    var consumers: [String: Consumer] = [:]
    var consumerTagsByChannel: [UInt16: String] = [:]
    var partialDeliveries: [UInt16: PartialDelivery] = [:]
    var pendingConfirms: [UInt16: PendingConfirm] = [:]
    var queuedPublishes: [PublishRequest] = []

    /// When the next connection attempt may start.
    private(set) var nextConnectAttempt = ContinuousClock.now
    private var consecutiveConnectFailures = 0
    /// Why the last connection attempt failed, or why the connection was lost.
    private(set) var lastConnectionError: BrokerError?
    /// When the socket last had something to read (heartbeats included).
    var lastInboundActivity = ContinuousClock.now

    init(url: AMQPURL, options: RabbitMQBrokerOptions, logger: Logger) {
        self.url = url
        self.options = options
        var logger = logger
        logger[metadataKey: "broker"] = "\(url)"
        self.logger = logger
    }

    var isConnected: Bool { connection != nil }

    /// The error for an operation that waited for a connection and did not get one.
    var unavailableError: BrokerError {
        if let lastConnectionError {
            var error = lastConnectionError
            error.message = "no connection to \(url) (last error: \(error.message))"
            return error
        }
        return BrokerError(.timeout, message: "no connection to \(url) within \(options.operationTimeout)")
    }

    // MARK: Connection lifecycle

    /// Tries to connect now; on failure records the error and schedules the next attempt with capped
    /// exponential backoff.
    func connect() {
        guard connection == nil else { return }
        do throws(AMQPFailure) {
            connection = try AMQPConnection(url: url, options: options)
            if lastConnectionError != nil {
                logger.info("Reconnected to the broker", metadata: ["attempts": "\(consecutiveConnectFailures + 1)"])
            }
            consecutiveConnectFailures = 0
            lastConnectionError = nil
            lastInboundActivity = .now
        } catch let failure {
            lastConnectionError = failure.error
            let exponent = min(consecutiveConnectFailures, 16)
            var delay = options.initialReconnectDelay * (1 << exponent)
            if delay > options.maximumReconnectDelay { delay = options.maximumReconnectDelay }
            consecutiveConnectFailures += 1
            nextConnectAttempt = .now + delay
            logger.log(
                level: consecutiveConnectFailures == 1 ? .warning : .debug, "Failed to connect to the broker",
                metadata: ["error": "\(failure.error)", "retryIn": "\(delay)"])
        }
    }

    /// Connects unless connected, and throws why not (the first connection of a broker).
    func connectNow() throws(BrokerError) {
        guard connection == nil else { return }
        connect()
        if connection == nil, let lastConnectionError { throw lastConnectionError }
    }

    /// The connection is gone: fail what was in flight on it, end every consumer, and let the next operation
    /// reconnect at once.
    func connectionLost(_ error: BrokerError) {
        guard connection != nil else { return }
        connection = nil  // deinit destroys the C connection and its socket
        var reported = error
        if reported.kind != .connection, reported.kind != .timeout, reported.kind != .protocolError {
            reported = BrokerError(.connection, code: error.code, message: error.message)
        }
        lastConnectionError = reported
        nextConnectAttempt = .now
        logger.warning("Lost the broker connection", metadata: ["error": "\(reported)"])
        failAllPublishes(with: reported)
        for (_, consumer) in consumers {
            consumer.continuation.finish(throwing: reported)
        }
        consumers = [:]
        consumerTagsByChannel = [:]
        partialDeliveries = [:]
        channels.reset()
    }

    /// Closes the connection for good: consumers' streams end normally, pending publishes fail.
    func shutdown() {
        let error = BrokerError(.connection, message: "the broker connection to \(url) was closed")
        failAllPublishes(with: error)
        for (_, consumer) in consumers { consumer.continuation.finish() }
        consumers = [:]
        consumerTagsByChannel = [:]
        connection?.close()
        connection = nil
        channels.reset()
    }

    /// Updates the bookkeeping after a failed call and returns the error to report.
    @discardableResult
    func absorb(_ failure: AMQPFailure) -> BrokerError {
        switch failure.scope {
        case .request:
            break
        case .channel(let channel):
            channelClosedByBroker(channel, error: failure.error)
        case .connection:
            connectionLost(failure.error)
        }
        return failure.error
    }

    /// The broker closed `channel` (close-ok already sent): whoever used it learns why.
    func channelClosedByBroker(_ channel: UInt16, error: BrokerError) {
        if let pending = pendingConfirms.removeValue(forKey: channel) {
            pending.request.completion(.failure(error))
        }
        if let tag = consumerTagsByChannel.removeValue(forKey: channel),
            let consumer = consumers.removeValue(forKey: tag)
        {
            consumer.continuation.finish(throwing: error)
        }
        partialDeliveries[channel] = nil
        channels.release(channel)
        connection?.releaseBuffers(channel: channel)
    }

    /// The live connection, or the error that explains why there is none.
    func requireConnection() throws(BrokerError) -> AMQPConnection {
        guard let connection else { throw unavailableError }
        return connection
    }

    /// Opens a fresh channel; the caller gives it a role.
    func openChannel() throws(BrokerError) -> UInt16 {
        let connection = try requireConnection()
        guard let channel = channels.allocate() else {
            throw BrokerError(.channelClosed, message: "no free channel on the connection to \(url)")
        }
        do throws(AMQPFailure) {
            try connection.openChannel(channel)
        } catch let failure {
            channels.release(channel)
            throw absorb(failure)
        }
        return channel
    }

    /// Runs `body` on the admin (or scratch) channel, opening it first when needed.
    func onChannel<Result>(
        scratch: Bool, _ body: (AMQPConnection, UInt16) throws(AMQPFailure) -> Result
    ) throws(BrokerError) -> Result {
        let connection = try requireConnection()
        let channel: UInt16
        if let open = scratch ? channels.scratch : channels.admin {
            channel = open
        } else {
            channel = try openChannel()
            if scratch { channels.scratch = channel } else { channels.admin = channel }
        }
        do throws(AMQPFailure) {
            return try body(connection, channel)
        } catch let failure {
            throw absorb(failure)
        }
    }

    private func failAllPublishes(with error: BrokerError) {
        let pending = pendingConfirms.values.map(\.request) + queuedPublishes
        pendingConfirms = [:]
        queuedPublishes = []
        for request in pending { request.completion(.failure(error)) }
    }
}
