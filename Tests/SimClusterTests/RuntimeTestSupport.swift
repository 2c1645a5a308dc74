import Foundation
import InProcessBroker
import KubeModel
import RegistryClient
import SimCluster
import TestSupport

/// Scaffolding for the simulated container-runtime tests: a pod, a scratch directory, a transfer launch.
enum RuntimeFixture {
    static func pod(name: String = "counter-0", namespace: String = "shop", container: String = "counter") -> Pod {
        Pod(
            metadata: ObjectMeta(name: name, namespace: namespace, uid: "0f6a1c2e-77aa-4d1b-9e0c-5b0c2f3a9d11"),
            spec: PodSpec(containers: [Container(name: container, image: "quay.io/ms2m/counter:1.4.2")]))
    }

    /// Pseudo-random bytes standing in for a program's serialised state.
    static func state(count: Int, seed: UInt64) -> [UInt8] {
        var value = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            value ^= value << 13
            value ^= value >> 7
            value ^= value << 17
            return UInt8(truncatingIfNeeded: value)
        }
    }

    /// A transfer Job container's launch: `checkpoint-transfer` (as argv[0]) with `arguments`.
    static func transferLaunch(_ arguments: [String], messageFile: String) -> ContainerLaunch {
        ContainerLaunch(
            namespace: "shop", podName: "counter-0-transfer", nodeName: "node-a", containerName: "transfer",
            image: "ghcr.io/ms2m/checkpoint-transfer:1", programImage: "ghcr.io/ms2m/checkpoint-transfer:1",
            arguments: ["/usr/local/bin/checkpoint-transfer"] + arguments, environment: ["HOME": "/tmp"],
            terminationMessageFile: messageFile, restoredState: nil, brokers: InProcessBrokerConnector())
    }

    /// Runs `program` for `launch` to completion and returns its exit status and logs.
    static func runToExit(_ program: SimulatedProgram, _ launch: ContainerLaunch) async throws -> (status: Int32, logs: String) {
        let process = try await program(launch)
        let status = await process.run()
        return (status, (process as? TransferProcess)?.logs ?? "")
    }
}
