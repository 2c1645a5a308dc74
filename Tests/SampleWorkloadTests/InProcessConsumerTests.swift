import Foundation
import InProcessBroker
import OperatorCore
import SampleWorkload
import Testing

/// The consumer contract against the in-process broker: counting, the replay switch, restoring, reconnecting.
@Suite("Counter consumer (in-process broker)")
struct InProcessConsumerTests {
    let connector = InProcessBrokerConnector()
    let url = "amqp://guest:guest@\(uniqueName("broker")):5672/"
    var broker: InProcessBroker { get throws { try connector.broker(for: url) } }

    func configuration(queue: String = "orders", exchange: String? = "orders.fanout")
        -> CounterConsumerConfiguration
    {
        CounterConsumerConfiguration(
            brokerURL: url, queueName: queue, exchangeName: exchange, prefetch: 5)
    }

    func consumer(
        _ configuration: CounterConsumerConfiguration, pod: String, restoring: CounterState? = nil
    ) -> CounterConsumer {
        CounterConsumer(
            configuration: configuration, brokers: connector, hostname: { pod }, restoring: restoring)
    }

    func producer(exchange: String? = "orders.fanout", queue: String? = nil, rate: Double = 2000)
        -> Producer
    {
        Producer(brokers: connector, brokerURL: url, exchange: exchange, queue: queue, rate: rate)
    }

    func sendControl(_ message: MigrationControlMessage, to pod: String) async throws {
        try await broker.publish(
            message.outgoingMessage, toQueue: MigrationControlMessage.controlQueue(forPod: pod))
    }

    @Test("a producer and a consumer: every message is counted once, in either start order")
    func producerAndConsumer() async throws {
        let counter = consumer(configuration(queue: "orders", exchange: nil), pod: "counter-0")
        let producer = producer(exchange: nil, queue: "orders", rate: 5000)
        try await producer.run(count: 120)  // before the consumer: the queue holds them
        #expect(await producer.published == 120)
        let queued = try broker.messages(in: "orders")?.compactMap(\.messageID) ?? []
        #expect(queued.count == 120 && Set(queued) == Set((1...120).map { "msg-\($0)" }))

        let running = start(counter)
        try await waitUntil("120 counted") { counter.status.count == 120 }
        try await producer.run(count: 200)  // while it runs
        try await waitUntil("200 counted") { counter.status.count == 200 }
        await counter.stop()
        try await running.value

        let state = await counter.state
        #expect(state.count == 200)
        #expect(state.duplicatesSkipped == 0)
        #expect((1...200).allSatisfy { state.hasApplied("msg-\($0)") })
        #expect(!state.hasApplied("msg-201"))
        #expect(try await broker.queueStatus("orders")?.messageCount == 0)
        #expect(try await broker.queueStatus("ms2m.control.counter-0") != nil)  // declared durable at start
    }

    @Test(
        "the producer keeps its schedule, ids have no gaps, and failed publishes are retried with the same id"
    )
    func producerSchedule() async throws {
        let broker = try self.broker
        broker.failNext(2, operations: [.publish])
        let producer = producer(exchange: nil, queue: "paced", rate: 100)
        let started = ContinuousClock.now
        try await producer.run(count: 40)
        let elapsed = ContinuousClock.now - started
        // 40 messages at 100/s: the last is due 0.39 s after the first; the retries' backoff is caught up.
        #expect(elapsed >= .milliseconds(390))
        #expect(elapsed < .seconds(3))
        #expect(await producer.published == 40)
        // Messages due together are published together, so the order within a catch-up may vary.
        let ids = broker.messages(in: "paced")?.compactMap(\.messageID) ?? []
        #expect(ids.count == 40 && Set(ids) == Set((1...40).map { "msg-\($0)" }))
        #expect(broker.messages(in: "paced")?.allSatisfy(\.persistent) == true)
    }

    @Test("a replay switch applies each id exactly once although it is in both queues")
    func replaySwitch() async throws {
        let broker = try self.broker
        let config = configuration()
        let replayQueue = MigrationControlMessage.replayQueue(forPrimaryQueue: "orders")
        let producer = producer()
        let source = consumer(config, pod: "counter-0")
        let sourceRun = start(source)
        try await waitUntil("the source is ready") { source.status.isReady }

        try await producer.run(count: 40)
        try await waitUntil("the source counted 40") { source.status.count == 40 }
        // The engine binds the replay queue, then checkpoints.
        try await broker.declareQueue(replayQueue, durable: true)
        try await broker.bindQueue(replayQueue, exchange: "orders.fanout")
        let checkpoint = await source.state
        try await producer.run(count: 60)  // the source applies these after the checkpoint
        try await waitUntil("the source counted 60") { source.status.count == 60 }
        await source.stop()
        try await sourceRun.value
        try await producer.run(count: 80)  // nobody consumes: in the primary and the replay queue

        let target = consumer(
            config, pod: "counter-1", restoring: try CounterState(decoding: checkpoint.encoded()))
        let targetRun = start(target)
        try await waitUntil("the target is ready") { target.status.isReady }
        #expect(target.status.awaitingStartReplay)
        #expect(target.status.count == 40)

        try await sendControl(.startReplay(queue: replayQueue), to: "counter-1")
        try await waitUntil("the target replayed 41…80") { target.status.count == 80 }
        #expect(target.status.mode == .replaying(queue: replayQueue))
        #expect(target.status.countJSON == #"{"count":80,"duplicatesSkipped":0,"mode":"replay"}"#)
        try await producer.run(count: 90)  // during the replay: both queues again
        try await waitUntil("the replay queue is drained") {
            let replayDepth = try await broker.queueStatus(replayQueue)?.messageCount
            return target.status.count == 90 && replayDepth == 0
        }
        #expect(try await broker.queueStatus("orders")?.messageCount == 30)  // 61…90 wait in the primary queue

        try await sendControl(.endReplay, to: "counter-1")
        try await waitUntil("61…90 skipped as duplicates") { target.status.duplicatesSkipped == 30 }
        #expect(target.status.mode == .primary)
        try await producer.run(count: 100)
        try await waitUntil("100 counted") { target.status.count == 100 }
        await target.stop()
        try await targetRun.value

        let state = await target.state
        #expect(state.count == 100)
        #expect(state.duplicatesSkipped == 30)
        #expect((1...100).allSatisfy { state.hasApplied("msg-\($0)") })
        #expect(state.appliedMessageIDs.sparseCount == 0)
        #expect(state.mode == .primary)
        #expect(try await broker.queueStatus("orders")?.messageCount == 0)
        #expect(try await broker.queueStatus("ms2m.control.counter-1")?.messageCount == 0)  // control messages acked
    }

    @Test("a restored consumer leaves the primary queue alone until START_REPLAY")
    func restoredWaits() async throws {
        let broker = try self.broker
        var restored = CounterState(configuration: configuration())
        restored.apply(messageID: "msg-1")
        let target = consumer(configuration(), pod: "counter-1", restoring: restored)
        let running = start(target)
        try await waitUntil("the target is ready") { target.status.isReady }
        try await producer().run(count: 10)
        try await sendControl(.endReplay, to: "someone-else")  // not its control queue
        try await Task.sleep(for: .milliseconds(300))
        #expect(target.status.count == 1)
        #expect(target.status.awaitingStartReplay)
        #expect(
            try await broker.queueStatus("orders")
                == QueueStatus(name: "orders", messageCount: 10, consumerCount: 0))

        // Unknown control messages are acknowledged and change nothing.
        try await broker.publish(
            OutgoingMessage(text: #"{"type":"PAUSE"}"#),
            toQueue: MigrationControlMessage.controlQueue(forPod: "counter-1"))
        try await waitUntil("the unknown control message is acknowledged") {
            try await broker.queueStatus("ms2m.control.counter-1")?.messageCount == 0
        }
        #expect(target.status.awaitingStartReplay)

        // END_REPLAY without a replay (nothing to replay) sends it to the primary queue: msg-1 is a duplicate.
        try await sendControl(.endReplay, to: "counter-1")
        try await waitUntil("the primary queue is consumed") { target.status.count == 10 }
        #expect(target.status.duplicatesSkipped == 1)
        #expect(!target.status.awaitingStartReplay)
        await target.stop()
        try await running.value
    }

    @Test(
        "a restored consumer that gets no START_REPLAY consumes the primary queue after the timeout")
    func restoreTimeout() async throws {
        var config = configuration()
        config.restoreControlTimeout = .milliseconds(400)
        let target = consumer(config, pod: "counter-1", restoring: CounterState(configuration: config))
        let running = start(target)
        try await waitUntil("the target is ready") { target.status.isReady }
        try await producer().run(count: 10)
        let waitingSince = ContinuousClock.now
        try await waitUntil("the primary queue is consumed") { target.status.count == 10 }
        #expect(ContinuousClock.now - waitingSince >= .milliseconds(250))
        #expect(!target.status.awaitingStartReplay)
        await target.stop()
        try await running.value
    }

    @Test(
        "after the broker drops its consumers, it reconnects and redelivered messages are applied once")
    func droppedConnection() async throws {
        let broker = try self.broker
        let counter = consumer(configuration(), pod: "counter-0")
        let running = start(counter)
        try await waitUntil("ready") { counter.status.isReady }
        let producer = producer(rate: 400)
        let publishing = start(producer, count: 400)
        for threshold in [50, 150, 250] {
            try await waitUntil("\(threshold) counted") { counter.status.count >= threshold }
            broker.dropConsumers()
        }
        try await publishing.value
        try await waitUntil("400 counted") { counter.status.count == 400 }
        try await Task.sleep(for: .milliseconds(100))
        await counter.stop()
        try await running.value
        let state = await counter.state
        #expect(state.count == 400)
        #expect((1...400).allSatisfy { state.hasApplied("msg-\($0)") })
        #expect(try await broker.queueStatus("orders")?.messageCount == 0)
        #expect(counter.status.connections == 4)
    }

    @Test("stop() ends run() while it waits to reconnect, and run() cannot run twice")
    func stopWhileReconnecting() async throws {
        let broker = try self.broker
        broker.failNext(1_000, operations: [.declareQueue])
        let counter = consumer(configuration(), pod: "counter-0")
        let running = start(counter)
        try await Task.sleep(for: .milliseconds(300))
        await #expect(throws: CounterConsumerError.alreadyRunning) { try await counter.run() }
        #expect(!counter.status.isReady)
        let stopping = ContinuousClock.now
        await counter.stop()
        try await running.value
        #expect(ContinuousClock.now - stopping < .seconds(1))
    }

    @Test("an invalid broker URL ends run() with the error instead of retrying forever")
    func permanentError() async throws {
        var config = configuration()
        config.brokerURL = "http://not-amqp/"
        let counter = consumer(config, pod: "counter-0")
        let error = await #expect(throws: BrokerError.self) { try await counter.run() }
        #expect(error?.kind == .invalidArgument)
    }
}
