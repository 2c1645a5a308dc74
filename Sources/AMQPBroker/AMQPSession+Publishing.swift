import OperatorCore

/// Publishing with publisher confirms. Each publisher channel carries at most one unconfirmed message, so a
/// refused publish (404 for a missing exchange closes the channel) fails only its own caller; up to
/// ``AMQPSession/maximumPublisherChannels`` publishes await confirms at once and later ones queue.
extension AMQPSession {
    /// Sends `request` now if a publisher channel is free, else queues it; its completion runs when the broker
    /// confirms (basic.ack), refuses (basic.nack, channel.close) or the connection goes.
    func publish(_ request: PublishRequest) {
        queuedPublishes.append(request)
        sendQueuedPublishes()
    }

    /// Sends queued publishes while publisher channels are free.
    func sendQueuedPublishes() {
        while !queuedPublishes.isEmpty, let connection {
            let channel: UInt16
            if let idle = channels.idlePublishers.popLast() {
                channel = idle
            } else if channels.publishers.count < Self.maximumPublisherChannels {
                do throws(BrokerError) {
                    channel = try openPublisherChannel()
                } catch {
                    if connection !== self.connection { return }  // lost: every request already failed
                    queuedPublishes.removeFirst().completion(.failure(error))
                    continue
                }
            } else {
                return  // all busy: the next confirm sends the next message
            }
            let request = queuedPublishes.removeFirst()
            do throws(AMQPFailure) {
                try connection.publish(
                    channel, message: request.message, exchange: request.exchange, routingKey: request.routingKey)
                channels.publishers[channel]?.published += 1
                let tag = channels.publishers[channel]?.published ?? 0
                pendingConfirms[channel] = PendingConfirm(deliveryTag: tag, request: request)
            } catch let failure {
                request.completion(.failure(failure.error))
                absorb(failure)
            }
        }
    }

    /// Handles basic.ack / basic.nack on a publisher channel.
    func confirmReceived(channel: UInt16, deliveryTag: UInt64, multiple: Bool, acknowledged: Bool) {
        guard let pending = pendingConfirms[channel],
            pending.deliveryTag == deliveryTag || (multiple && pending.deliveryTag <= deliveryTag)
        else { return }
        pendingConfirms[channel] = nil
        channels.idlePublishers.append(channel)
        if acknowledged {
            pending.request.completion(.success(()))
        } else {
            pending.request.completion(.failure(BrokerError(
                .preconditionFailed,
                message: "the broker refused the message (basic.nack), for example because a queue is full")))
        }
        sendQueuedPublishes()
    }

    /// Fails publishes whose confirm is overdue, and retires their channels (a late confirm there must not
    /// be credited to a later message).
    func expireConfirms(now: ContinuousClock.Instant) {
        let overdue = pendingConfirms.filter { $0.value.request.deadline <= now }.map(\.key)
        for channel in overdue {
            // Closing a channel can lose the connection, which fails the rest; take each one only once.
            guard let pending = pendingConfirms.removeValue(forKey: channel) else { continue }
            pending.request.completion(.failure(BrokerError(
                .timeout, message: "the broker did not confirm the message within \(options.operationTimeout)")))
            channels.release(channel)
            if let connection {
                do throws(AMQPFailure) { try connection.closeChannel(channel) } catch let failure { absorb(failure) }
            }
        }
        for request in queuedPublishes where request.deadline <= now {
            request.completion(.failure(BrokerError(
                .timeout, message: "no publisher channel became free within \(options.operationTimeout)")))
        }
        queuedPublishes.removeAll { $0.deadline <= now }
    }

    /// The earliest confirm deadline, to bound the loop's wait.
    var nextConfirmDeadline: ContinuousClock.Instant? {
        (pendingConfirms.values.map(\.request.deadline) + queuedPublishes.map(\.deadline)).min()
    }

    private func openPublisherChannel() throws(BrokerError) -> UInt16 {
        let channel = try openChannel()
        do throws(AMQPFailure) {
            try requireConnectionForFailure().confirmSelect(channel)
        } catch let failure {
            throw absorb(failure)
        }
        channels.publishers[channel] = AMQPChannelTable.Publisher(channel: channel)
        return channel
    }

    private func requireConnectionForFailure() throws(AMQPFailure) -> AMQPConnection {
        guard let connection else { throw AMQPFailure(error: unavailableError, scope: .connection) }
        return connection
    }
}
