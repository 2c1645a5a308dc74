import OperatorCore

/// Declares, binds, unbinds, deletes and queue status: synchronous methods on the admin channel, and passive
/// declares on the scratch channel.
extension AMQPSession {
    func declareExchange(_ name: String, type: ExchangeType, durable: Bool) throws(BrokerError) {
        try onChannel(scratch: false) { connection, channel throws(AMQPFailure) in
            try connection.declareExchange(channel, name: name, type: type, durable: durable)
        }
    }

    func declareQueue(_ name: String, durable: Bool, arguments: [String: BrokerFieldValue]) throws(BrokerError) {
        try onChannel(scratch: false) { connection, channel throws(AMQPFailure) in
            _ = try connection.declareQueue(channel, name: name, passive: false, durable: durable, arguments: arguments)
        }
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String) throws(BrokerError) {
        try onChannel(scratch: false) { connection, channel throws(AMQPFailure) in
            try connection.bindQueue(channel, queue: queue, exchange: exchange, routingKey: routingKey)
        }
    }

    func unbindQueue(_ queue: String, exchange: String, routingKey: String) throws(BrokerError) {
        try onChannel(scratch: false) { connection, channel throws(AMQPFailure) in
            try connection.unbindQueue(channel, queue: queue, exchange: exchange, routingKey: routingKey)
        }
    }

    func deleteQueue(_ name: String, ifUnused: Bool, ifEmpty: Bool) throws(BrokerError) {
        try onChannel(scratch: false) { connection, channel throws(AMQPFailure) in
            try connection.deleteQueue(channel, name: name, ifUnused: ifUnused, ifEmpty: ifEmpty)
        }
    }

    /// A passive declare on the scratch channel; a missing queue (404, which closes only the scratch channel)
    /// is nil.
    func queueStatus(_ name: String) throws(BrokerError) -> QueueStatus? {
        do throws(BrokerError) {
            let counts = try onChannel(scratch: true) { connection, channel throws(AMQPFailure) in
                try connection.declareQueue(channel, name: name, passive: true, durable: false, arguments: [:])
            }
            return QueueStatus(name: name, messageCount: counts.messages, consumerCount: counts.consumers)
        } catch where error.kind == .notFound {
            return nil
        }
    }
}
