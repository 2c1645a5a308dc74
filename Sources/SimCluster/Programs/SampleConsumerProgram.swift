import Logging
import OperatorCore
public import SampleWorkload

/// The sample counter consumer as a program of the simulated container runtime: started from the pod's
/// environment (`AMQP_URL`, `QUEUE_NAME`, `EXCHANGE_NAME`, …), checkpointed as its ``CounterState``, and
/// restored from that state with the new pod's name as its hostname — as a CRIU-restored process would
/// read it from `/etc/hostname`. While it runs it serves the real binary's endpoints (`/count`, `/status`,
/// `/healthz`, `/readyz`, ``CounterHTTPRoutes``) on port ``httpPort`` of the pod's loopback interface
/// (``ContainerLaunch/localhost``), where the pod's other containers (``SampleLedgerProgram``) reach it.
public enum SampleConsumerProgram {
    /// The image matcher for the sample consumer: repository `ms2m-sample-consumer` or ending in it.
    public static let matcher = SimImageMatcher.repositorySuffix("ms2m-sample-consumer")

    /// The loopback port of its HTTP endpoints (the binary's default `--http-port`).
    public static let httpPort = 8080

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
            return SampleConsumerProcess(consumer: consumer, localhost: launch.localhost)
        }
    }
}

/// A running sample consumer in a simulated container.
public final class SampleConsumerProcess: SimulatedProcess {
    /// The consumer (tests read its state).
    public let consumer: CounterConsumer
    private let localhost: PodLocalhost

    init(consumer: CounterConsumer, localhost: PodLocalhost) {
        self.consumer = consumer
        self.localhost = localhost
    }

    public func run() async -> Int32 {
        let consumer = self.consumer
        let port = SampleConsumerProgram.httpPort
        do {
            try localhost.serve(port: port) { path in
                let answer = CounterHTTPRoutes.response(method: "GET", path: path, status: consumer.status)
                return (answer.status, answer.body)
            }
        } catch {
            // The port is taken: the endpoints are missing, as with a failed bind; counting goes on.
        }
        defer { localhost.stopServing(port: port) }
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
