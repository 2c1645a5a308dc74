internal import CRabbitMQ
internal import CShims
import Glibc
import OperatorCore

/// The one owner of a librabbitmq connection (`amqp_connection_state_t`): opens the socket (TCP or TLS) and
/// logs in in its throwing initializer, destroys the connection in `deinit`, and wraps each C call it makes in
/// typed Swift that throws ``AMQPFailure``.
///
/// Not `Sendable`, on purpose: librabbitmq connections are not thread-safe and their reads block, so an
/// `AMQPConnection` is created, used and released only on its ``AMQPConnectionLoop``'s dedicated thread.
/// Pointers librabbitmq returns (RPC replies, frames) point into per-channel pools that the next call may
/// recycle, so every method copies what it needs into Swift values before returning.
final class AMQPConnection {
    private let state: amqp_connection_state_t
    /// The negotiated heartbeat interval in seconds (0: none).
    private(set) var heartbeatSeconds: Int = 0

    /// Connects to `url` and logs in; blocks for up to `options.connectTimeout` (socket and TLS) plus the
    /// login round trip.
    init(url: AMQPURL, options: RabbitMQBrokerOptions) throws(AMQPFailure) {
        guard let state = amqp_new_connection() else {
            throw AMQPFailure(error: BrokerError(.connection, message: "out of memory"), scope: .connection)
        }
        self.state = state
        // From here on `deinit` destroys `state`, whatever fails below.
        try open(url: url, options: options)
    }

    deinit {
        amqp_destroy_connection(state)
    }

    private func open(url: AMQPURL, options: RabbitMQBrokerOptions) throws(AMQPFailure) {
        let operation = "connecting to \(url)"
        let socket: OpaquePointer?
        if url.usesTLS {
            socket = amqp_ssl_socket_new(state)
            guard let socket else {
                throw AMQPFailure(error: BrokerError(.connection, message: "\(operation): cannot create a TLS socket"),
                                  scope: .connection)
            }
            let caFile = options.tls.caCertificateFile ?? Self.systemCABundle
            if let caFile {
                let status = amqp_ssl_socket_set_cacert(socket, caFile)
                guard status == AMQP_STATUS_OK.rawValue else {
                    throw AMQPFailure(
                        error: BrokerError(
                            .invalidArgument, code: Int(status),
                            message: "\(operation): cannot load CA certificates from \(caFile)"),
                        scope: .connection)
                }
            }
            if let certificate = options.tls.clientCertificateFile, let key = options.tls.clientKeyFile {
                let status = amqp_ssl_socket_set_key(socket, certificate, key)
                guard status == AMQP_STATUS_OK.rawValue else {
                    throw AMQPFailure(
                        error: BrokerError(
                            .invalidArgument, code: Int(status),
                            message: "\(operation): cannot load the client certificate \(certificate) and key \(key)"),
                        scope: .connection)
                }
            }
            amqp_ssl_socket_set_verify_peer(socket, options.tls.verifyPeer ? 1 : 0)
            amqp_ssl_socket_set_verify_hostname(socket, options.tls.verifyHostname ? 1 : 0)
        } else {
            socket = amqp_tcp_socket_new(state)
            guard socket != nil else {
                throw AMQPFailure(error: BrokerError(.connection, message: "\(operation): cannot create a socket"),
                                  scope: .connection)
            }
        }

        var connectTimeout = Self.timeval(options.connectTimeout)
        var operationTimeout = Self.timeval(options.operationTimeout)
        _ = amqp_set_handshake_timeout(state, &connectTimeout)
        _ = amqp_set_rpc_timeout(state, &operationTimeout)

        let status = amqp_socket_open_noblock(socket, url.host, Int32(url.port), &connectTimeout)
        guard status == AMQP_STATUS_OK.rawValue else { throw .status(status, operation: operation) }

        let heartbeat = Int32(clamping: options.heartbeat.components.seconds)
        let reply = withAMQPScratch { scratch in
            var properties = scratch.table(
                options.connectionName.map { ["connection_name": .string($0)] } ?? [:],
                nested: "capabilities", ["consumer_cancel_notify": true])
            return ms2m_amqp_login_plain_with_properties(
                state, url.virtualHost, 0, Int32(clamping: options.frameMax), heartbeat, &properties, url.username,
                url.password)
        }
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            var failure = AMQPFailure.reply(reply, channel: 0, operation: operation, duringLogin: true)
            if failure.error.kind == .connection, failure.error.code == nil {
                failure.error.message += " (wrong virtual host or credentials?)"
            }
            throw failure
        }
        heartbeatSeconds = Int(amqp_get_heartbeat(state))
    }

    /// The socket to poll for readability.
    var socketDescriptor: Int32 { amqp_get_sockfd(state) }

    /// Whether a frame may be read without touching the socket.
    var hasBufferedInput: Bool { amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0 }

    /// Lets librabbitmq recycle a channel's memory once nothing refers to it.
    func releaseBuffers(channel: UInt16) {
        amqp_maybe_release_buffers_on_channel(state, channel)
    }

    // MARK: Channels

    func openChannel(_ channel: UInt16) throws(AMQPFailure) {
        try rpc("opening channel \(channel)", channel: channel) { amqp_channel_open(state, channel) }
    }

    /// Closes a channel the client no longer needs (the broker requeues its unacknowledged deliveries).
    func closeChannel(_ channel: UInt16) throws(AMQPFailure) {
        let reply = amqp_channel_close(state, channel, Int32(AMQP_REPLY_SUCCESS))
        try check(reply, channel: channel, operation: "closing channel \(channel)")
    }

    func confirmSelect(_ channel: UInt16) throws(AMQPFailure) {
        try rpc("enabling publisher confirms", channel: channel) { amqp_confirm_select(state, channel) }
    }

    func qos(_ channel: UInt16, prefetch: Int) throws(AMQPFailure) {
        try rpc("setting prefetch", channel: channel) {
            amqp_basic_qos(state, channel, 0, UInt16(clamping: prefetch), 0)
        }
    }

    /// Answers a broker's channel.close.
    func sendChannelCloseOk(_ channel: UInt16) throws(AMQPFailure) {
        var closeOk = amqp_channel_close_ok_t(dummy: 0)
        let status = amqp_send_method(state, channel, AMQPMethodID.channelCloseOk, &closeOk)
        guard status == AMQP_STATUS_OK.rawValue else { throw .status(status, operation: "answering channel.close") }
    }

    /// Answers a broker's connection.close; the connection is unusable afterwards.
    func sendConnectionCloseOk() {
        var closeOk = amqp_connection_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, 0, AMQPMethodID.connectionCloseOk, &closeOk)
    }

    /// Closes the connection politely (best effort; the socket is destroyed in `deinit` either way).
    func close() {
        _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
    }

    // MARK: Exchanges and queues

    func declareExchange(_ channel: UInt16, name: String, type: ExchangeType, durable: Bool) throws(AMQPFailure) {
        try withAMQPScratch { scratch throws(AMQPFailure) in
            try rpc("declaring exchange '\(name)'", channel: channel) {
                amqp_exchange_declare(
                    state, channel, scratch.bytes(name), scratch.bytes(type.rawValue), 0, durable ? 1 : 0, 0, 0,
                    amqp_empty_table)
            }
        }
    }

    /// Declares (or, `passive`, looks up) a queue; returns its ready-message and consumer counts.
    func declareQueue(
        _ channel: UInt16, name: String, passive: Bool, durable: Bool, arguments: [String: BrokerFieldValue]
    ) throws(AMQPFailure) -> (messages: Int, consumers: Int) {
        try withAMQPScratch { scratch throws(AMQPFailure) in
            let ok = try rpc("declaring queue '\(name)'", channel: channel) {
                amqp_queue_declare(
                    state, channel, scratch.bytes(name), passive ? 1 : 0, durable ? 1 : 0, 0, 0,
                    scratch.table(arguments))
            }
            return (Int(ok?.message_count ?? 0), Int(ok?.consumer_count ?? 0))
        }
    }

    func bindQueue(_ channel: UInt16, queue: String, exchange: String, routingKey: String) throws(AMQPFailure) {
        try withAMQPScratch { scratch throws(AMQPFailure) in
            try rpc("binding queue '\(queue)' to exchange '\(exchange)'", channel: channel) {
                amqp_queue_bind(
                    state, channel, scratch.bytes(queue), scratch.bytes(exchange), scratch.bytes(routingKey),
                    amqp_empty_table)
            }
        }
    }

    func unbindQueue(_ channel: UInt16, queue: String, exchange: String, routingKey: String) throws(AMQPFailure) {
        try withAMQPScratch { scratch throws(AMQPFailure) in
            try rpc("unbinding queue '\(queue)' from exchange '\(exchange)'", channel: channel) {
                amqp_queue_unbind(
                    state, channel, scratch.bytes(queue), scratch.bytes(exchange), scratch.bytes(routingKey),
                    amqp_empty_table)
            }
        }
    }

    func deleteQueue(_ channel: UInt16, name: String, ifUnused: Bool, ifEmpty: Bool) throws(AMQPFailure) {
        try withAMQPScratch { scratch throws(AMQPFailure) in
            try rpc("deleting queue '\(name)'", channel: channel) {
                amqp_queue_delete(state, channel, scratch.bytes(name), ifUnused ? 1 : 0, ifEmpty ? 1 : 0)
            }
        }
    }

    // MARK: Publishing and consuming

    /// Sends basic.publish with the message's properties and body (the confirm arrives later as a frame).
    func publish(_ channel: UInt16, message: OutgoingMessage, exchange: String, routingKey: String)
        throws(AMQPFailure)
    {
        let status = withAMQPScratch { scratch in
            var properties = amqp_basic_properties_t()
            properties._flags = Self.deliveryModeFlag
            properties.delivery_mode = message.persistent ? 2 : 1
            if let contentType = message.contentType {
                properties._flags |= Self.contentTypeFlag
                properties.content_type = scratch.bytes(contentType)
            }
            if let messageID = message.messageID {
                properties._flags |= Self.messageIDFlag
                properties.message_id = scratch.bytes(messageID)
            }
            if !message.headers.isEmpty {
                properties._flags |= Self.headersFlag
                properties.headers = scratch.table(message.headers)
            }
            return amqp_basic_publish(
                state, channel, scratch.bytes(exchange), scratch.bytes(routingKey), 0, 0, &properties,
                scratch.bytes(message.body))
        }
        guard status == AMQP_STATUS_OK.rawValue else { throw .status(status, operation: "publishing") }
    }

    func consume(_ channel: UInt16, queue: String, consumerTag: String) throws(AMQPFailure) {
        try withAMQPScratch { scratch throws(AMQPFailure) in
            try rpc("consuming from queue '\(queue)'", channel: channel) {
                amqp_basic_consume(
                    state, channel, scratch.bytes(queue), scratch.bytes(consumerTag), 0, 0, 0, amqp_empty_table)
            }
        }
    }

    func cancel(_ channel: UInt16, consumerTag: String) throws(AMQPFailure) {
        try withAMQPScratch { scratch throws(AMQPFailure) in
            try rpc("cancelling consumer '\(consumerTag)'", channel: channel) {
                amqp_basic_cancel(state, channel, scratch.bytes(consumerTag))
            }
        }
    }

    func ack(_ channel: UInt16, deliveryTag: UInt64) throws(AMQPFailure) {
        let status = amqp_basic_ack(state, channel, deliveryTag, 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw .status(status, operation: "acknowledging") }
    }

    func reject(_ channel: UInt16, deliveryTag: UInt64, requeue: Bool) throws(AMQPFailure) {
        let status = amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw .status(status, operation: "rejecting") }
    }

    // MARK: Frames

    /// The next frame if one is complete without waiting, else nil. Also sends a heartbeat when one is due.
    func readFrame() throws(AMQPFailure) -> AMQPFrame? {
        var frame = amqp_frame_t()
        var immediately = Glibc.timeval(tv_sec: 0, tv_usec: 0)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &immediately)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        guard status == AMQP_STATUS_OK.rawValue else { throw .status(status, operation: "reading from the broker") }
        let channel = frame.channel
        switch Int32(frame.frame_type) {
        case AMQP_FRAME_METHOD:
            return .method(channel: channel, Self.decode(frame.payload.method))
        case AMQP_FRAME_HEADER:
            let properties = frame.payload.properties.decoded.assumingMemoryBound(
                to: amqp_basic_properties_t.self
            ).pointee
            let flags = properties._flags
            return .header(channel: channel, AMQPFrame.ContentHeader(
                bodySize: frame.payload.properties.body_size,
                contentType: flags & Self.contentTypeFlag != 0 ? properties.content_type.string : nil,
                messageID: flags & Self.messageIDFlag != 0 ? properties.message_id.string : nil,
                persistent: flags & Self.deliveryModeFlag != 0 && properties.delivery_mode == 2,
                headers: flags & Self.headersFlag != 0 ? decodeFieldTable(properties.headers) : [:]))
        case AMQP_FRAME_BODY:
            return .body(channel: channel, frame.payload.body_fragment.array)
        default:
            return .method(channel: channel, .other(UInt32(frame.frame_type)))
        }
    }

    private static func decode(_ method: amqp_method_t) -> AMQPFrame.Method {
        switch method.id {
        case AMQPMethodID.basicDeliver:
            let deliver = method.decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            return .deliver(
                consumerTag: deliver.consumer_tag.string, deliveryTag: deliver.delivery_tag,
                redelivered: deliver.redelivered != 0, exchange: deliver.exchange.string,
                routingKey: deliver.routing_key.string)
        case AMQPMethodID.basicAck:
            let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            return .ack(deliveryTag: ack.delivery_tag, multiple: ack.multiple != 0)
        case AMQPMethodID.basicNack:
            let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            return .nack(deliveryTag: nack.delivery_tag, multiple: nack.multiple != 0)
        case AMQPMethodID.basicCancel:
            let cancel = method.decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            return .cancel(consumerTag: cancel.consumer_tag.string)
        case AMQPMethodID.channelClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return .channelClose(code: Int(close.reply_code), text: close.reply_text.string)
        case AMQPMethodID.connectionClose:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            return .connectionClose(code: Int(close.reply_code), text: close.reply_text.string)
        default:
            return .other(method.id)
        }
    }

    // MARK: RPC plumbing

    /// Runs a synchronous librabbitmq method and returns a copy of its decoded reply. A server channel.close
    /// or connection.close is answered with close-ok here, so the caller only updates its bookkeeping.
    @discardableResult
    private func rpc<Reply>(
        _ operation: String, channel: UInt16, _ call: () -> UnsafeMutablePointer<Reply>?
    ) throws(AMQPFailure) -> Reply? {
        let result = call()
        try check(amqp_get_rpc_reply(state), channel: channel, operation: operation)
        return result?.pointee
    }

    private func check(_ reply: amqp_rpc_reply_t, channel: UInt16, operation: String) throws(AMQPFailure) {
        guard reply.reply_type != AMQP_RESPONSE_NORMAL else { return }
        var failure = AMQPFailure.reply(reply, channel: channel, operation: operation)
        switch failure.scope {
        case .channel(let closed):
            do {
                try sendChannelCloseOk(closed)
            } catch {
                failure.scope = .connection
            }
        case .connection:
            if reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION { sendConnectionCloseOk() }
        case .request:
            break
        }
        throw failure
    }

    // MARK: Constants

    /// `AMQP_BASIC_*_FLAG` (macros with shifts, spelled out here).
    private static let contentTypeFlag: amqp_flags_t = 1 << 15
    private static let headersFlag: amqp_flags_t = 1 << 13
    private static let deliveryModeFlag: amqp_flags_t = 1 << 12
    private static let messageIDFlag: amqp_flags_t = 1 << 7

    /// Debian's CA bundle, used for `amqps` when no CA file is configured.
    private static let systemCABundle: String? = {
        let path = "/etc/ssl/certs/ca-certificates.crt"
        return access(path, R_OK) == 0 ? path : nil
    }()

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
