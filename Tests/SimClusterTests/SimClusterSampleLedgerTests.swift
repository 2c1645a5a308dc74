import CurlTransport
import Foundation
import InProcessBroker
import KubeClient
import KubeModel
import Logging
import RegistryClient
import SampleWorkload
@testable import SimCluster
import Testing
import TestSupport
import Unstructured

/// The sample consumer with its status-ledger sidecar in one simulated pod: the ledger reads the consumer
/// over the pod's loopback, and both are checkpointed through the kubelet API and restored from their
/// checkpoint images into a new pod.
@Suite("SimulatedCluster sample ledger sidecar")
struct SimClusterSampleLedgerTests {
    static let consumerImage = "registry.local:5000/ms2m/ms2m-sample-consumer:v1"
    static let ledgerImage = "registry.local:5000/ms2m/ms2m-sample-ledger:v1"

    /// A pod running the consumer (app container) with the ledger as its sidecar.
    static func pod(_ name: String, brokerURL: String, consumerImage: String = consumerImage, ledgerImage: String = ledgerImage) -> Pod {
        var spec = PodSpec(containers: [
            Container(
                name: "consumer", image: consumerImage,
                env: [EnvVar(name: "AMQP_URL", value: brokerURL), EnvVar(name: "QUEUE_NAME", value: "orders")])
        ])
        spec.initContainers = [
            Container(
                name: "ledger", image: ledgerImage,
                args: ["ledger", "--status-url", "http://127.0.0.1:8080/status", "--interval-ms", "40"],
                restartPolicy: "Always")
        ]
        return Pod(metadata: ObjectMeta(name: name, namespace: SimClusterHarness.namespace), spec: spec)
    }

    /// The running ledger of `pod`, once it runs.
    func ledger(_ h: SimClusterHarness, pod: String) async throws -> SampleLedgerProcess {
        var found: SampleLedgerProcess?
        try await h.waitUntil("the ledger of \(pod) runs") {
            found = await h.cluster.process(namespace: "default", pod: pod, container: "ledger") as? SampleLedgerProcess
            return found != nil
        }
        return try #require(found)
    }

    /// Checkpoints `container` of `pod` through the node proxy; returns the archive's local path.
    func checkpoint(_ h: SimClusterHarness, pod: String, container: String) async throws -> String {
        let response = try await h.client.nodeProxy(node: "node-a", method: .post, path: "checkpoint/default/\(pod)/\(container)")
        #expect(response.status == 200)
        let item = try #require(try JSONValue.parse(response.body)["items"]?.arrayValue?.first?.stringValue)
        return h.cluster.localPath(item, on: "node-a")
    }

    /// The program state inside a checkpoint archive.
    func state(inArchive path: String) throws -> [UInt8] {
        var scanner = TarScanner(capturing: [CheckpointArchiveWriter.stateFileName], captureLimit: 16 << 20)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try bytes.withUnsafeBytes { try scanner.consume($0) }
        try scanner.finish()
        return try #require(scanner.captured[CheckpointArchiveWriter.stateFileName])
    }

    @Test("the ledger follows the consumer over the pod's loopback, and keeps its state through checkpoint and restore")
    func ledgerFollowsAndMigrates() async throws {
        let scratch = try Tools.temporaryDirectory("ms2m-ledger")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let layout = scratch + "/layout"
        let connector = InProcessBrokerConnector()
        let brokerURL = "amqp://ledger-\(UUID().uuidString.prefix(8).lowercased()):5672/"
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        try await SimClusterHarness.run(configure: { configuration in
            configuration.programs += SimProgramBinding.samplePrograms(logger: quiet)
            configuration.brokers = connector
            configuration.imageSource = .ociLayout(directory: layout)
        }) { h in
            try await h.create(Self.pod("shop-0", brokerURL: brokerURL))
            try await h.waitForPod("shop-0") { $0.isReady }
            let source = try await ledger(h, pod: "shop-0")
            let consumer = try #require(
                await h.cluster.process(namespace: "default", pod: "shop-0", container: "consumer") as? SampleConsumerProcess)

            try await Producer(brokers: connector, brokerURL: brokerURL, exchange: nil, queue: "orders", rate: 1000).run(count: 5)
            try await h.waitUntil("the consumer applied 5") { consumer.consumer.status.count == 5 }
            try await h.waitUntil("the ledger saw 5 applied") { source.ledger.state.lastApplied == 5 }
            let seen = source.ledger.state
            #expect(seen.maxApplied == 5)
            #expect(seen.regressions == 0)
            #expect(seen.samples > 0)

            // Both containers are checkpointed; the ledger's archive holds its encoded state.
            let ledgerArchive = try await checkpoint(h, pod: "shop-0", container: "ledger")
            let consumerArchive = try await checkpoint(h, pod: "shop-0", container: "consumer")
            let checkpointed = try StatusLedgerState(decoding: try state(inArchive: ledgerArchive))
            #expect(checkpointed.instanceID == seen.instanceID)
            #expect(checkpointed.lastApplied == 5)
            #expect(checkpointed.samples >= seen.samples)

            // Each archive becomes a checkpoint image; a new pod restores both containers from them.
            let pusher = CheckpointImagePusher(transport: CurlTransport(), retry: .none)
            for (archive, container) in [(ledgerArchive, "ledger"), (consumerArchive, "consumer")] {
                _ = try await pusher.push(
                    CheckpointPushRequest(archivePath: archive, containerName: container, destination: .layout(directory: layout, tag: container)))
            }
            try await h.create(
                Self.pod("shop-1", brokerURL: brokerURL, consumerImage: "oci:\(layout):consumer", ledgerImage: "oci:\(layout):ledger"))
            let restored = try await ledger(h, pod: "shop-1")
            try await h.waitUntil("the restored ledger samples on") { restored.ledger.state.samples > checkpointed.samples }
            let after = restored.ledger.state
            #expect(after.instanceID == checkpointed.instanceID, "a restored ledger keeps its identity")
            #expect(after.startedAt == checkpointed.startedAt)
            #expect(after.lastApplied == 5, "the restored consumer kept its count")
            #expect(after.regressions == 0)
            let pod = try await h.waitForPod("shop-1") { $0.status?.containerStatus(named: "ledger")?.ready == true }
            #expect(pod.status?.containerStatus(named: "ledger")?.imageID?.isEmpty == false)
        }
    }

    @Test("a ledger polling a pod without a consumer counts failed polls and is not ready")
    func ledgerWithoutConsumer() async throws {
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        try await SimClusterHarness.run(configure: { $0.programs += SimProgramBinding.samplePrograms(logger: quiet) }) { h in
            let pod = SimClusterHarness.counterPod("lonely") { spec in
                spec.initContainers = [
                    Container(name: "ledger", image: Self.ledgerImage, args: ["ledger", "--interval-ms=20"], restartPolicy: "Always")
                ]
            }
            try await h.create(pod)
            let ledger = try await ledger(h, pod: "lonely")
            try await h.waitUntil("polls fail") { ledger.ledger.state.failedPolls >= 3 }
            #expect(ledger.ledger.state.samples == 0)
            #expect(await ledger.isReady() == false)
            let running = try await h.waitForPod("lonely") { $0.status?.containerStatus(named: "counter")?.ready == true }
            #expect(running.status?.condition(.ready)?.status == .false, "the pod waits for its sidecar's readiness")
        }
    }
}
