import AMQPBroker
import Foundation
import OperatorCore
import Testing

/// What only a real broker can show: pooled connections, connection loss and recovery, login failures, TLS.
@Suite("RabbitMQ connections")
struct RabbitMQConnectionTests {
    @Test("the pool shares one connection per URL and credentials")
    func poolSharing() async throws {
        let node = try await RabbitMQTestServer.shared.node()
        let pool = RabbitMQBrokerPool()
        async let first = pool.sharedBroker(url: node.url())
        async let second = pool.sharedBroker(url: node.url())
        let (a, b) = try await (first, second)
        #expect(a === b)
        let withCredentials = try await pool.sharedBroker(
            url: node.url(), credentials: BrokerCredentials(username: "guest", password: "guest"))
        #expect(withCredentials === a)  // the same identity as the URL's
        #expect(await pool.connectionCount == 1)

        let refused = await #expect(throws: BrokerError.self) {
            _ = try await pool.broker(url: node.url(), credentials: BrokerCredentials(username: "guest", password: "wrong"))
        }
        #expect(refused?.kind == .authentication)
        #expect(await pool.connectionCount == 1)  // failures are not cached

        await pool.shutdown()
        let closed = await #expect(throws: BrokerError.self) { try await a.declareQueue(uniqueName("late"), durable: false) }
        #expect(closed?.kind == .connection)
    }

    @Test("two users of one pooled connection: one's errors do not affect the other")
    func isolatedUsers() async throws {
        let node = try await RabbitMQTestServer.shared.node()
        let pool = RabbitMQBrokerPool()
        defer { Task { await pool.shutdown() } }
        let careful = try await pool.broker(url: node.url(), credentials: nil)
        let clumsy = try await pool.broker(url: node.url(), credentials: nil)
        let queue = uniqueName("careful"), clash = uniqueName("clash")
        try await careful.declareQueue(queue, durable: true)
        try await clumsy.declareQueue(clash, durable: true)
        defer { Task { try? await careful.deleteQueue(queue); try? await careful.deleteQueue(clash) } }

        var iterator = careful.consume(queue: queue, prefetch: 10).makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<10 {
                    await #expect(throws: BrokerError.self) { try await clumsy.declareQueue(clash, durable: false) }
                    await #expect(throws: BrokerError.self) {
                        try await clumsy.publish(OutgoingMessage(text: "x"), exchange: uniqueName("none"), routingKey: "")
                    }
                    let status = try await clumsy.queueStatus(uniqueName("none"))
                    #expect(status == nil)
                }
            }
            group.addTask {
                for index in 0..<10 {
                    try await careful.publish(OutgoingMessage(text: "\(index)", messageID: "\(index)"), toQueue: queue)
                }
            }
            try await group.waitForAll()
        }
        let deliveries = try await next(10, from: &iterator)
        #expect(deliveries.map(\.messageID) == (0..<10).map { "\($0)" })
        for delivery in deliveries { try await careful.ack(delivery) }
    }

    @Test("a connection closed by the broker is re-established, and consumers can start again")
    func connectionDroppedAndRecovered() async throws {
        let server = RabbitMQTestServer.shared
        let node = try await server.node()
        let vhost = uniqueName("drop")
        try await server.addVirtualHost(vhost)
        let broker = try await RabbitMQBroker.connect(url: node.url(virtualHost: vhost))
        defer { Task { await broker.close() } }
        let queue = uniqueName("survivor")
        try await broker.declareQueue(queue, durable: true)
        try await broker.publish(OutgoingMessage(text: "before", messageID: "m-1"), toQueue: queue)
        var iterator = broker.consume(queue: queue, prefetch: 1).makeAsyncIterator()
        let unacknowledged = try #require(try await next(1, from: &iterator).first)
        #expect(!unacknowledged.redelivered)

        try await server.rabbitmqctl(["close_all_connections", "-p", vhost, "test"])

        // The consumer learns the connection is gone.
        let streamError = await #expect(throws: BrokerError.self) {
            _ = try await nextElement(&iterator, timeout: .seconds(10))
        }
        #expect(streamError?.kind == .connection)
        #expect(streamError?.code == 320)

        // The next operations reconnect and succeed.
        #expect(try await broker.queueStatus(queue)?.messageCount == 1)
        try await broker.publish(OutgoingMessage(text: "after", messageID: "m-2"), toQueue: queue)
        let late = await #expect(throws: BrokerError.self) { try await broker.ack(unacknowledged) }
        #expect(late?.kind == .channelClosed)

        var again = broker.consume(queue: queue, prefetch: 5).makeAsyncIterator()
        let redelivered = try await next(2, from: &again)
        #expect(redelivered.map(\.messageID) == ["m-1", "m-2"])
        #expect(redelivered[0].redelivered)
        for delivery in redelivered { try await broker.ack(delivery) }
        try await broker.deleteQueue(queue)
    }

    @Test("publishes in flight when the connection drops fail with a connection error; later ones succeed")
    func publishesAcrossADrop() async throws {
        let server = RabbitMQTestServer.shared
        let node = try await server.node()
        let vhost = uniqueName("burst")
        try await server.addVirtualHost(vhost)
        let broker = try await RabbitMQBroker.connect(url: node.url(virtualHost: vhost))
        defer { Task { await broker.close() } }
        let queue = uniqueName("burst"), watch = uniqueName("watch")
        try await broker.declareQueue(queue, durable: true)
        try await broker.declareQueue(watch, durable: false)
        var watcher = broker.consume(queue: watch, prefetch: 1).makeAsyncIterator()
        try await broker.publish(OutgoingMessage(text: "ready"), toQueue: watch)
        _ = try await next(1, from: &watcher)

        let publisher = Task {
            var outcomes: [BrokerError.Kind?] = []
            while !Task.isCancelled {
                do {
                    try await broker.publish(OutgoingMessage(text: "x", messageID: "\(outcomes.count)"), toQueue: queue)
                    outcomes.append(nil)
                } catch let error as BrokerError {
                    outcomes.append(error.kind)
                } catch {
                    break  // cancelled
                }
            }
            return outcomes
        }
        try await Task.sleep(for: .milliseconds(300))
        try await server.rabbitmqctl(["close_all_connections", "-p", vhost, "test"])
        // The watching consumer proves the connection really dropped.
        let dropped = await #expect(throws: BrokerError.self) { _ = try await nextElement(&watcher, timeout: .seconds(10)) }
        #expect(dropped?.kind == .connection)
        try await Task.sleep(for: .milliseconds(500))
        publisher.cancel()
        let outcomes = await publisher.value

        let failures = outcomes.compactMap { $0 }
        #expect(failures.count <= 20, "\(failures)")
        #expect(failures.allSatisfy { $0 == .connection }, "\(failures)")
        #expect(outcomes.count > 100)
        #expect(outcomes.suffix(10).allSatisfy { $0 == nil }, "\(outcomes.suffix(10))")
        // Every confirmed publish is in the queue (confirmed means stored).
        let confirmed = outcomes.filter { $0 == nil }.count
        let stored = try #require(try await broker.queueStatus(queue)?.messageCount)
        #expect(stored >= confirmed, "stored \(stored), confirmed \(confirmed)")
        try await broker.deleteQueue(queue)
        try await broker.deleteQueue(watch)
    }

    @Test("wrong credentials are an authentication error; an unreachable broker a connection error")
    func loginFailures() async throws {
        let node = try await RabbitMQTestServer.shared.node()
        let refused = await #expect(throws: BrokerError.self) {
            _ = try await RabbitMQBroker.connect(url: "amqp://guest:nope@127.0.0.1:\(node.amqpPort)/")
        }
        #expect(refused?.kind == .authentication)
        #expect(refused?.code == 403)

        let noVhost = await #expect(throws: BrokerError.self) {
            _ = try await RabbitMQBroker.connect(url: node.url(virtualHost: uniqueName("no-such-vhost")))
        }
        #expect(noVhost?.kind == .accessRefused || noVhost?.kind == .connection, "\(String(describing: noVhost))")

        let port = try RabbitMQTestServer.freePort()
        let started = ContinuousClock.now
        let unreachable = await #expect(throws: BrokerError.self) {
            _ = try await RabbitMQBroker.connect(url: "amqp://127.0.0.1:\(port)/")
        }
        #expect(unreachable?.kind == .connection)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("operations wait for a reconnection, then fail with the reason it was refused")
    func operationsTimeOutWithoutBroker() async throws {
        let node = try await RabbitMQTestServer.shared.node()
        let vhost = uniqueName("gone")
        try await RabbitMQTestServer.shared.addVirtualHost(vhost)
        let broker = try await RabbitMQBroker.connect(
            url: node.url(virtualHost: vhost),
            options: RabbitMQBrokerOptions(operationTimeout: .seconds(2), initialReconnectDelay: .milliseconds(50)))
        defer { Task { await broker.close() } }
        try await RabbitMQTestServer.shared.rabbitmqctl(["delete_vhost", vhost])
        let started = ContinuousClock.now
        let error = await #expect(throws: BrokerError.self) { _ = try await broker.queueStatus("anything") }
        // The broker closed the connection (vhost deleted); reconnecting is refused until the deadline.
        #expect(error?.kind == .accessRefused, "\(String(describing: error))")
        #expect(error?.message.contains("no connection") == true, "\(String(describing: error))")
        let waited = ContinuousClock.now - started
        #expect(waited >= .seconds(1) && waited < .seconds(6), "\(waited)")
    }

    @Test("amqps connects with the broker's CA and verifies the peer by default")
    func tls() async throws {
        let node = try await RabbitMQTestServer.shared.node()
        let trusted = try await RabbitMQBroker.connect(
            url: node.tlsURL, options: RabbitMQBrokerOptions(tls: .init(caCertificateFile: node.caCertificatePath)))
        let queue = uniqueName("tls")
        try await trusted.declareQueue(queue, durable: false)
        try await trusted.publish(OutgoingMessage(text: "secret"), toQueue: queue)
        #expect(try await trusted.queueStatus(queue)?.messageCount == 1)
        var iterator = trusted.consume(queue: queue, prefetch: 1).makeAsyncIterator()
        #expect(try await next(1, from: &iterator).first?.text == "secret")
        try await trusted.deleteQueue(queue)
        await trusted.close()

        // The CA can come from the URL too.
        let viaQuery = try await RabbitMQBroker.connect(
            url: node.tlsURL + "?cacertfile=\(node.caCertificatePath.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
        #expect(try await viaQuery.queueStatus(uniqueName("absent")) == nil)
        await viaQuery.close()

        // Without the test CA the self-made certificate is refused…
        let untrusted = await #expect(throws: BrokerError.self) {
            _ = try await RabbitMQBroker.connect(url: node.tlsURL)
        }
        #expect(untrusted?.kind == .connection)
        // …unless verification is switched off explicitly.
        let unverified = try await RabbitMQBroker.connect(url: node.tlsURL + "?verify=verify_none")
        #expect(try await unverified.queueStatus(uniqueName("absent")) == nil)
        await unverified.close()

        let missingCA = await #expect(throws: BrokerError.self) {
            _ = try await RabbitMQBroker.connect(
                url: node.tlsURL, options: RabbitMQBrokerOptions(tls: .init(caCertificateFile: "/nonexistent/ca.pem")))
        }
        #expect(missingCA?.kind == .invalidArgument)
    }
}
