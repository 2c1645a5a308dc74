internal import CRabbitMQ
import OperatorCore

/// A failed librabbitmq call: the ``BrokerError`` to report, and what the failure closed.
struct AMQPFailure: Error {
    /// What is no longer usable after the failure.
    enum Scope: Equatable {
        /// Nothing: the request was refused before it reached the broker.
        case request
        /// The broker closed this channel (close-ok already sent); reopen before reuse.
        case channel(UInt16)
        /// The connection is gone (socket error, connection.close, timeout); reconnect.
        case connection
    }

    var error: BrokerError
    var scope: Scope
}

extension BrokerError {
    /// The error for an AMQP reply code and text from a channel.close or connection.close.
    static func fromReply(code: Int, text: String, duringLogin: Bool = false) -> BrokerError {
        let kind: Kind
        switch code {
        case 403 where duringLogin: kind = .authentication
        case 403, 530, 405: kind = .accessRefused
        case 404: kind = .notFound
        case 406: kind = .preconditionFailed
        case 320, 506: kind = .connection
        case 501...505, 540, 541: kind = .protocolError
        default: kind = .channelClosed
        }
        return BrokerError(kind, code: code, message: text)
    }

    /// The error for a librabbitmq status code (`amqp_status_enum`), from `operation`.
    static func fromStatus(_ status: Int32, operation: String) -> BrokerError {
        let text = String(cString: amqp_error_string2(status))
        let kind: Kind
        switch amqp_status_enum(rawValue: status) {
        case AMQP_STATUS_TIMEOUT: kind = .timeout
        case AMQP_STATUS_BAD_AMQP_DATA, AMQP_STATUS_UNKNOWN_CLASS, AMQP_STATUS_UNKNOWN_METHOD,
            AMQP_STATUS_INCOMPATIBLE_AMQP_VERSION, AMQP_STATUS_WRONG_METHOD, AMQP_STATUS_UNEXPECTED_STATE,
            AMQP_STATUS_TABLE_TOO_BIG:
            kind = .protocolError
        case AMQP_STATUS_BAD_URL, AMQP_STATUS_INVALID_PARAMETER, AMQP_STATUS_UNSUPPORTED:
            kind = .invalidArgument
        case AMQP_STATUS_BROKER_UNSUPPORTED_SASL_METHOD: kind = .authentication
        default: kind = .connection  // socket, TCP, TLS, heartbeat, closed connection, resolution
        }
        return BrokerError(kind, code: Int(status), message: "\(operation): \(text)")
    }
}

extension AMQPFailure {
    /// A request that failed at the library level.
    static func status(_ status: Int32, operation: String) -> AMQPFailure {
        let error = BrokerError.fromStatus(status, operation: operation)
        return AMQPFailure(error: error, scope: error.kind == .invalidArgument ? .request : .connection)
    }

    /// Decodes a non-normal RPC reply. A server channel.close or connection.close is answered with close-ok by
    /// the caller (see ``AMQPConnection``); this only classifies it.
    static func reply(
        _ reply: amqp_rpc_reply_t, channel: UInt16, operation: String, duringLogin: Bool = false
    ) -> AMQPFailure {
        switch reply.reply_type {
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            switch reply.reply.id {
            case AMQPMethodID.channelClose:
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                return AMQPFailure(
                    error: .fromReply(code: Int(close.reply_code), text: close.reply_text.string),
                    scope: .channel(channel))
            case AMQPMethodID.connectionClose:
                let close = reply.reply.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                return AMQPFailure(
                    error: .fromReply(
                        code: Int(close.reply_code), text: close.reply_text.string, duringLogin: duringLogin),
                    scope: .connection)
            default:
                return AMQPFailure(
                    error: BrokerError(
                        .protocolError, message: "\(operation): unexpected method 0x\(String(reply.reply.id, radix: 16))"),
                    scope: .connection)
            }
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return .status(reply.library_error, operation: operation)
        default:  // AMQP_RESPONSE_NONE: EOF from the socket
            return AMQPFailure(
                error: BrokerError(.connection, message: "\(operation): the broker closed the connection"),
                scope: .connection)
        }
    }
}

/// AMQP 0-9-1 method ids (class << 16 | method), as in `amqp_framing.h`.
enum AMQPMethodID {
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionCloseOk: amqp_method_number_t = 0x000A_0033
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOk: amqp_method_number_t = 0x0014_0029
    static let basicCancel: amqp_method_number_t = 0x003C_001E
    static let basicCancelOk: amqp_method_number_t = 0x003C_001F
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicDeliver: amqp_method_number_t = 0x003C_003C
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicNack: amqp_method_number_t = 0x003C_0078
}

extension amqp_bytes_t {
    /// The bytes as a string (UTF-8, invalid sequences replaced); empty for a null buffer.
    var string: String {
        guard let bytes, len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }

    /// A copy of the bytes.
    var array: [UInt8] {
        guard let bytes, len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }
}
