import Logging
import OperatorCore
public import SampleWorkload

/// The sample counter consumer as a program of the simulated container runtime: started from the pod's
/// environment (`AMQP_URL`, `QUEUE_NAME`, `EXCHANGE_NAME`, …), checkpointed as its ``CounterState``, and
/// restored from that state with the new pod's name as its hostname — as a CRIU-restored process would
/// read it from `/etc/hostname`.
public enum SampleConsumerProgram {
    /// The image matcher for the sample consumer: repository `ms2m-sample-consumer` or ending in it.
    public static let matcher = SimImageMatcher.repositorySuffix("ms2m-sample-consumer")

    /// The program.
    public static func program(logger: Logger = Logger(label: "ms2m.sim.sample-consumer")) -> SimulatedProgram {
        { launch in
            let restored = try launch.restoredState.map { try CounterState(decoding: $0) }
            let configuration = try restored?.configuration ?? CounterConsumerConfiguration.fromEnvironment(launch.environment)
            let hostname = launch.podName
            var log = logger
            log[metadataKey: "pod"] = "\(launch.namespace)/\(launch.podName)"
            let consumer = CounterConsumer(
                configuration: configuration, brokers: launch.brokers, hostname: { hostname }, restoring: restored,
                logger: log)
            return SampleConsumerProcess(consumer: consumer)
        }
    }
}

/// A running sample consumer in a simulated container.
public final class SampleConsumerProcess: SimulatedProcess {
    /// The consumer (tests read its state).
    public let consumer: CounterConsumer

    init(consumer: CounterConsumer) { self.consumer = consumer }

    public func run() async -> Int32 {
        do {
            try await consumer.run()
            return 0
        } catch is CancellationError {
            return 137
        } catch {
            return 1
        }
    }

    public func terminate() async { await consumer.stop() }

    public func checkpoint() async throws -> [UInt8] { await consumer.state.encoded() }

    public func isReady() async -> Bool { await consumer.isReady }
}
