import Glibc
import OperatorCore

/// Reading the connection between operations: waits on the socket and the loop's wake-up pipe, then
/// dispatches every frame that is ready (deliveries, confirms, broker-initiated closes and cancels).
extension AMQPSession {
    /// Waits until the socket is readable, `wakeDescriptor` is signalled or `timeout` passes (nil: no limit),
    /// then handles the frames that arrived.
    func waitAndPump(wakeDescriptor: Int32, timeout: Duration?) {
        var descriptors = [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        var milliseconds: Int32 = timeout.map { Self.milliseconds($0) } ?? -1
        if let connection {
            descriptors.append(pollfd(fd: connection.socketDescriptor, events: Int16(POLLIN), revents: 0))
            if connection.hasBufferedInput { milliseconds = 0 }
        }
        let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        if ready > 0, descriptors[0].revents != 0 { drainWakePipe(wakeDescriptor) }
        guard connection != nil else { return }
        if descriptors.count > 1, descriptors[1].revents != 0 { lastInboundActivity = .now }
        pumpFrames()
        checkHeartbeat()
    }

    /// Handles the frames that can be read without waiting (a bounded batch, so commands are not starved).
    func pumpFrames(limit: Int = 1024) {
        for _ in 0..<limit {
            guard let connection else { return }
            let frame: AMQPFrame?
            do throws(AMQPFailure) {
                frame = try connection.readFrame()
            } catch let failure {
                absorb(failure)
                return
            }
            guard let frame else { return }
            lastInboundActivity = .now
            handle(frame)
        }
    }

    private func handle(_ frame: AMQPFrame) {
        let channel: UInt16
        switch frame {
        case .method(let on, let method):
            channel = on
            handle(method, on: on)
        case .header(let on, let header):
            channel = on
            contentHeaderReceived(channel: on, header: header)
        case .body(let on, let bytes):
            channel = on
            contentBodyReceived(channel: on, bytes: bytes)
        }
        connection?.releaseBuffers(channel: channel)
    }

    private func handle(_ method: AMQPFrame.Method, on channel: UInt16) {
        switch method {
        case .deliver(let consumerTag, let deliveryTag, let redelivered, let exchange, let routingKey):
            deliverStarted(
                channel: channel, consumerTag: consumerTag, deliveryTag: deliveryTag, redelivered: redelivered,
                exchange: exchange, routingKey: routingKey)
        case .ack(let deliveryTag, let multiple):
            confirmReceived(channel: channel, deliveryTag: deliveryTag, multiple: multiple, acknowledged: true)
        case .nack(let deliveryTag, let multiple):
            confirmReceived(channel: channel, deliveryTag: deliveryTag, multiple: multiple, acknowledged: false)
        case .cancel(let consumerTag):
            consumerCancelledByBroker(consumerTag: consumerTag)
        case .channelClose(let code, let text):
            let error = BrokerError.fromReply(code: code, text: text)
            do throws(AMQPFailure) {
                try connection?.sendChannelCloseOk(channel)
                channelClosedByBroker(channel, error: error)
            } catch let failure {
                absorb(failure)
            }
        case .connectionClose(let code, let text):
            connection?.sendConnectionCloseOk()
            connectionLost(BrokerError.fromReply(code: code, text: text))
        case .other:
            break  // basic.return (never mandatory), replies to abandoned requests
        }
    }

    /// librabbitmq only notices missed heartbeats while blocked in a read, which this loop never is; check
    /// here: the broker sends one every half interval, so two silent intervals mean the peer is gone.
    private func checkHeartbeat() {
        guard let connection, connection.heartbeatSeconds > 0 else { return }
        let allowed = Duration.seconds(connection.heartbeatSeconds * 2) + .seconds(1)
        if ContinuousClock.now - lastInboundActivity > allowed {
            connectionLost(BrokerError(
                .connection, message: "no heartbeat from \(url) for \(connection.heartbeatSeconds * 2) seconds"))
        }
    }

    private func drainWakePipe(_ descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(descriptor, &buffer, buffer.count) > 0 {}
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, total + (attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0)))
    }
}
