import AMQPBroker
import OperatorCore
import SampleWorkload
import TestSupport
import Testing

/// The consumer contract against a real RabbitMQ node on loopback (TestSupport's shared server); each test
/// has its own virtual host, so dropping its connections disturbs nobody else.
@Suite("Counter consumer (RabbitMQ)", .serialized)
struct RabbitMQConsumerTests {
    /// A fresh virtual host and a pool of connections to it.
    func makeVirtualHost(_ name: String) async throws -> (
        url: String, vhost: String, pool: RabbitMQBrokerPool
    ) {
        let server = RabbitMQTestServer.shared
        let vhost = uniqueName(name)
        try await server.addVirtualHost(vhost)
        let url = try await server.node().url(virtualHost: vhost)
        return (
            url, vhost,
            RabbitMQBrokerPool(options: RabbitMQBrokerOptions(connectionName: "ms2m-sample-tests"))
        )
    }

    @Test(
        "a restored consumer replays, switches back, and counts every produced message exactly once")
    func replaySwitch() async throws {
        let (url, vhost, pool) = try await makeVirtualHost("replay")
        defer {
            Task {
                await pool.shutdown()
                _ = try? await RabbitMQTestServer.shared.rabbitmqctl(["delete_vhost", vhost])
            }
        }
        let broker = try await pool.broker(url: url, credentials: nil)
        let config = CounterConsumerConfiguration(
            brokerURL: url, queueName: "orders", exchangeName: "orders.fanout")
        let replayQueue = MigrationControlMessage.replayQueue(forPrimaryQueue: "orders")
        let producer = Producer(
            brokers: pool, brokerURL: url, exchange: "orders.fanout", queue: nil, rate: 2000)

        let source = CounterConsumer(configuration: config, brokers: pool, hostname: { "counter-0" })
        let sourceRun = start(source)
        try await waitUntil("the source is ready") { source.status.isReady }
        try await producer.run(count: 50)
        try await waitUntil("the source counted 50") { source.status.count == 50 }
        try await broker.declareQueue(replayQueue, durable: true)
        try await broker.bindQueue(replayQueue, exchange: "orders.fanout")
        let checkpoint = try CounterState(decoding: await source.state.encoded())
        try await producer.run(count: 80)
        try await waitUntil("the source counted 80") { source.status.count == 80 }
        await source.stop()
        try await sourceRun.value
        try await producer.run(count: 100)

        let target = CounterConsumer(
            configuration: config, brokers: pool, hostname: { "counter-1" }, restoring: checkpoint)
        let targetRun = start(target)
        try await waitUntil("the target is ready") { target.status.isReady }
        #expect(try await broker.queueStatus("orders")?.messageCount == 20)  // it waits for START_REPLAY
        try await broker.publish(
            MigrationControlMessage.startReplay(queue: replayQueue).outgoingMessage,
            toQueue: MigrationControlMessage.controlQueue(forPod: "counter-1"))
        try await waitUntil("the target replayed 51…100") { target.status.count == 100 }
        try await waitUntil("the replay queue is drained") {
            try await broker.queueStatus(replayQueue)?.messageCount == 0
        }
        try await broker.publish(
            MigrationControlMessage.endReplay.outgoingMessage,
            toQueue: MigrationControlMessage.controlQueue(forPod: "counter-1"))
        try await waitUntil("81…100 skipped in the primary queue") {
            target.status.duplicatesSkipped == 20
        }
        try await producer.run(count: 120)
        try await waitUntil("120 counted") { target.status.count == 120 }
        await target.stop()
        try await targetRun.value

        let state = await target.state
        #expect(state.count == 120)
        #expect(state.duplicatesSkipped == 20)
        #expect((1...120).allSatisfy { state.hasApplied("msg-\($0)") })
        #expect(state.mode == .primary)
        #expect(try await broker.queueStatus("orders")?.messageCount == 0)
        #expect(try await broker.queueStatus("ms2m.control.counter-1")?.messageCount == 0)
    }

    @Test(
        "connections closed by the broker: consumer and producer reconnect, every message counted once")
    func droppedConnection() async throws {
        let (url, vhost, pool) = try await makeVirtualHost("drop")
        defer {
            Task {
                await pool.shutdown()
                _ = try? await RabbitMQTestServer.shared.rabbitmqctl(["delete_vhost", vhost])
            }
        }
        let config = CounterConsumerConfiguration(
            brokerURL: url, queueName: "orders", exchangeName: "orders.fanout")
        let counter = CounterConsumer(configuration: config, brokers: pool, hostname: { "counter-0" })
        let running = start(counter)
        try await waitUntil("ready") { counter.status.isReady }
        let producer = Producer(
            brokers: pool, brokerURL: url, exchange: "orders.fanout", queue: nil, rate: 300)
        let publishing = start(producer, count: 600)
        for threshold in [60, 300] {
            try await waitUntil("\(threshold) counted") { counter.status.count >= threshold }
            let connections = counter.status.connections
            try await RabbitMQTestServer.shared.rabbitmqctl([
                "close_all_connections", "-p", vhost, "test drop",
            ])
            try await waitUntil("the consumer reconnected") {
                counter.status.connections == connections + 1
            }
        }
        try await publishing.value
        #expect(await producer.published == 600)
        try await waitUntil("600 counted", timeout: .seconds(20)) { counter.status.count == 600 }
        await counter.stop()
        try await running.value
        let state = await counter.state
        #expect(state.count == 600)
        #expect((1...600).allSatisfy { state.hasApplied("msg-\($0)") })
        #expect(state.appliedMessageIDs.sparseCount == 0)
        #expect(counter.status.connections == 3)
    }
}
