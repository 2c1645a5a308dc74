import Foundation
import KubeModel
import RegistryClient
import SimCluster
import Testing
import TestSupport

@Suite("Simulated runtime: checkpoint archives")
struct RuntimeArchiveTests {
    /// The members of an archive, read with the scanner the pusher uses.
    private func scan(_ path: String, capturing: Set<String>) throws -> TarScanner {
        var scanner = TarScanner(capturing: capturing, captureLimit: 16 << 20)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try bytes.withUnsafeBytes { try scanner.consume($0) }
        try scanner.finish()
        return scanner
    }

    @Test("CheckpointMetadata parses the container, rootfs image, pod and engine of a written archive", arguments: [
        ("cri-o", "cri-o"), ("containerd", "containerd"),
    ])
    func metadata(runtime: String, engine: String) throws {
        let directory = try Tools.temporaryDirectory("ms2m-archive")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/checkpoint-counter-0_shop-counter.tar"
        let state = RuntimeFixture.state(count: 70_000, seed: 1)
        try CheckpointArchiveWriter(runtimeName: runtime, runtimeVersion: "1.31.2")
            .write(to: path, pod: RuntimeFixture.pod(), containerName: "counter", programImage: "quay.io/ms2m/counter:1.4.2", state: state)

        let scanner = try scan(path, capturing: ["config.dump", "spec.dump", CheckpointArchiveWriter.stateFileName])
        let metadata = CheckpointMetadata(configDump: scanner.captured["config.dump"], specDump: scanner.captured["spec.dump"])
        #expect(metadata.containerName == "counter")
        #expect(metadata.rootfsImageName == "quay.io/ms2m/counter:1.4.2")
        #expect(metadata.rootfsImageRef?.hasPrefix("sha256:") == true)
        #expect(metadata.runtimeName == "runc")
        #expect(metadata.podName == "counter-0")
        #expect(metadata.podNamespace == "shop")
        #expect(metadata.engine == engine)
        #expect(metadata.engineVersion == "1.31.2")
        #expect(scanner.captured[CheckpointArchiveWriter.stateFileName] == state)
        #expect(Set(scanner.names).isSuperset(of: ["config.dump", "spec.dump", "checkpoint/", CheckpointArchiveWriter.inventoryFileName]))
    }

    @Test("GNU tar reads the archive and extracts the state byte for byte")
    func gnuTarReadsIt() async throws {
        let tar = try Tools.require("tar", package: "tar")
        let directory = try Tools.temporaryDirectory("ms2m-archive")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = RuntimeFixture.state(count: 5_000, seed: 2)
        try CheckpointArchiveWriter(runtimeName: "cri-o", runtimeVersion: "1.31.2")
            .write(to: directory + "/a.tar", pod: RuntimeFixture.pod(), containerName: "counter", programImage: "ms2m/counter:1", state: state)
        let listing = try await ProcessRunner.check(tar, ["-tf", directory + "/a.tar"]).output
        #expect(listing.split(separator: "\n").contains("checkpoint/ms2m-sim-state.bin"))
        try FileManager.default.createDirectory(atPath: directory + "/x", withIntermediateDirectories: true)
        try await ProcessRunner.check(tar, ["-xf", directory + "/a.tar", "-C", directory + "/x"])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/x/checkpoint/ms2m-sim-state.bin"))) == state)
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/x/spec.dump"))) as? [String: Any]
        let annotations = spec?["annotations"] as? [String: String] ?? [:]
        #expect(annotations["io.kubernetes.container.name"] == "counter")
        #expect(annotations["io.kubernetes.cri-o.ContainerType"] == "container")
    }

    @Test("transfer arguments drop argv[0] and gain the termination message path only when missing")
    func transferArguments() async throws {
        let binary = "/bin/echo"
        let without = RuntimeFixture.transferLaunch(["--archive", "/a.tar"], messageFile: "/tmp/msg")
        let process = try await TransferProgram.program(binary: binary)(without) as? TransferProcess
        #expect(process?.arguments == ["--archive", "/a.tar", "--termination-message-path", "/tmp/msg"])
        let with = RuntimeFixture.transferLaunch(["--termination-message-path", "/rewritten", "--archive", "/a.tar"], messageFile: "/tmp/msg")
        let kept = try await TransferProgram.program(binary: binary)(with) as? TransferProcess
        #expect(kept?.arguments == ["--termination-message-path", "/rewritten", "--archive", "/a.tar"])
        #expect(kept?.environment == ["HOME": "/tmp"])
    }
}
