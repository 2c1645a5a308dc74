import OperatorCore

/// Consumers: one channel each, with manual acknowledgements and the consumer's prefetch. Deliveries are
/// assembled from their method, header and body frames and yielded to the consumer's stream.
extension AMQPSession {
    /// Opens a channel, sets its prefetch and starts consuming `queue` as `consumerTag`.
    func startConsumer(
        consumerTag: String, queue: String, prefetch: Int,
        continuation: AsyncThrowingStream<Delivery, any Error>.Continuation
    ) throws(BrokerError) {
        let channel = try openChannel()
        do throws(AMQPFailure) {
            let connection = try connectionOrFailure()
            try connection.qos(channel, prefetch: max(1, prefetch))
            try connection.consume(channel, queue: queue, consumerTag: consumerTag)
        } catch let failure {
            let error = absorb(failure)
            if failure.scope == .request { closeQuietly(channel) }
            throw error
        }
        consumers[consumerTag] = Consumer(queue: queue, channel: channel, continuation: continuation)
        consumerTagsByChannel[channel] = consumerTag
    }

    /// Cancels a consumer and closes its channel, which requeues what it had not acknowledged.
    func stopConsumer(consumerTag: String) {
        guard let consumer = consumers.removeValue(forKey: consumerTag) else { return }
        consumerTagsByChannel[consumer.channel] = nil
        partialDeliveries[consumer.channel] = nil
        consumer.continuation.finish()
        guard let connection else { return }
        do throws(AMQPFailure) {
            try connection.cancel(consumer.channel, consumerTag: consumerTag)
        } catch let failure {
            absorb(failure)
            if failure.scope != .request { return }
        }
        closeQuietly(consumer.channel)
    }

    func ack(_ delivery: Delivery) throws(BrokerError) {
        let (connection, channel) = try consumerChannel(for: delivery)
        do throws(AMQPFailure) {
            try connection.ack(channel, deliveryTag: delivery.deliveryTag)
        } catch let failure {
            throw absorb(failure)
        }
    }

    func reject(_ delivery: Delivery, requeue: Bool) throws(BrokerError) {
        let (connection, channel) = try consumerChannel(for: delivery)
        do throws(AMQPFailure) {
            try connection.reject(channel, deliveryTag: delivery.deliveryTag, requeue: requeue)
        } catch let failure {
            throw absorb(failure)
        }
    }

    // MARK: Frames for consumers

    func deliverStarted(
        channel: UInt16, consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String,
        routingKey: String
    ) {
        partialDeliveries[channel] = PartialDelivery(
            consumerTag: consumerTag, deliveryTag: deliveryTag, redelivered: redelivered, exchange: exchange,
            routingKey: routingKey)
    }

    func contentHeaderReceived(channel: UInt16, header: AMQPFrame.ContentHeader) {
        guard partialDeliveries[channel] != nil else { return }
        partialDeliveries[channel]?.header = header
        partialDeliveries[channel]?.body.reserveCapacity(Int(clamping: header.bodySize))
        completeDeliveryIfWhole(channel: channel)
    }

    func contentBodyReceived(channel: UInt16, bytes: [UInt8]) {
        guard partialDeliveries[channel] != nil else { return }
        partialDeliveries[channel]?.body.append(contentsOf: bytes)
        completeDeliveryIfWhole(channel: channel)
    }

    /// The broker cancelled a consumer (its queue was deleted).
    func consumerCancelledByBroker(consumerTag: String) {
        guard let consumer = consumers.removeValue(forKey: consumerTag) else { return }
        consumerTagsByChannel[consumer.channel] = nil
        partialDeliveries[consumer.channel] = nil
        consumer.continuation.finish(throwing: BrokerError(
            .notFound, message: "the broker cancelled the consumer of queue '\(consumer.queue)' (deleted?)"))
        closeQuietly(consumer.channel)
    }

    private func completeDeliveryIfWhole(channel: UInt16) {
        guard let partial = partialDeliveries[channel], let header = partial.header,
            UInt64(partial.body.count) >= header.bodySize
        else { return }
        partialDeliveries[channel] = nil
        guard let consumer = consumers[partial.consumerTag] else { return }  // stopping: the close requeues it
        consumer.continuation.yield(Delivery(
            body: partial.body, messageID: header.messageID, contentType: header.contentType,
            persistent: header.persistent, headers: header.headers, redelivered: partial.redelivered,
            exchange: partial.exchange, routingKey: partial.routingKey, deliveryTag: partial.deliveryTag,
            consumerTag: partial.consumerTag))
    }

    private func consumerChannel(for delivery: Delivery) throws(BrokerError) -> (AMQPConnection, UInt16) {
        guard let consumer = consumers[delivery.consumerTag], let connection else {
            throw BrokerError(
                .channelClosed,
                message: "consumer '\(delivery.consumerTag)' has ended; the broker redelivers its unacknowledged messages")
        }
        return (connection, consumer.channel)
    }

    private func connectionOrFailure() throws(AMQPFailure) -> AMQPConnection {
        guard let connection else { throw AMQPFailure(error: unavailableError, scope: .connection) }
        return connection
    }

    /// Closes a channel the session no longer needs; failures only update the bookkeeping.
    func closeQuietly(_ channel: UInt16) {
        channels.release(channel)
        guard let connection else { return }
        do throws(AMQPFailure) {
            try connection.closeChannel(channel)
        } catch let failure {
            absorb(failure)
        }
        connection.releaseBuffers(channel: channel)
    }
}
