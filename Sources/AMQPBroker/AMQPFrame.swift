import OperatorCore

/// A frame read from the connection, copied out of librabbitmq's buffers into Swift values (the C memory is
/// recycled by the next read).
enum AMQPFrame {
    /// The methods the session acts on.
    enum Method {
        case deliver(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String)
        case ack(deliveryTag: UInt64, multiple: Bool)
        case nack(deliveryTag: UInt64, multiple: Bool)
        case cancel(consumerTag: String)
        case channelClose(code: Int, text: String)
        case connectionClose(code: Int, text: String)
        /// Anything else (basic.return, late RPC replies): ignored.
        case other(UInt32)
    }

    /// The content header: the message's properties and the size of the body frames that follow.
    struct ContentHeader {
        var bodySize: UInt64
        var contentType: String?
        var messageID: String?
        var persistent: Bool
        var headers: [String: BrokerFieldValue]
    }

    case method(channel: UInt16, Method)
    case header(channel: UInt16, ContentHeader)
    case body(channel: UInt16, [UInt8])
}
