import Foundation
import KubeModel
import RegistryClient
import SimCluster
import Testing
import TestSupport

/// The real `checkpoint-transfer` binary run through `TransferProgram`, and `CheckpointImageRestorer` reading
/// what it pushed; serialized because some tests start a real `docker-registry`.
@Suite("Simulated runtime: transfer and restore", .serialized)
struct RuntimeTransferTests {
    /// A scratch directory with a checkpoint archive of `container` written by the simulated runtime.
    private struct Checkpoint {
        let directory: String
        let archive: String
        let state: [UInt8]

        init(container: String = "counter", stateSize: Int = 300_000, seed: UInt64) throws {
            directory = try Tools.temporaryDirectory("ms2m-runtime")
            archive = directory + "/checkpoint-\(container).tar"
            state = RuntimeFixture.state(count: stateSize, seed: seed)
            try CheckpointArchiveWriter(runtimeName: "cri-o", runtimeVersion: "1.31.2").write(
                to: archive, pod: RuntimeFixture.pod(container: container), containerName: container,
                programImage: "quay.io/ms2m/counter:1.4.2", state: state)
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Pushes `checkpoint` with the real binary; returns the digest from the termination message.
    private func transfer(_ checkpoint: Checkpoint, container: String, to destination: String, extra: [String] = []) async throws -> String {
        let message = checkpoint.directory + "/termination-log"
        let launch = RuntimeFixture.transferLaunch(
            ["--archive", checkpoint.archive, "--container", container, "--destination", destination, "--quiet"] + extra,
            messageFile: message)
        let (status, logs) = try await RuntimeFixture.runToExit(TransferProgram.program(binary: try TransferProgram.locateBinary()), launch)
        #expect(status == 0, "checkpoint-transfer failed: \(logs)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: message))) as? [String: Any]
        let digest = try #require(result?["digest"] as? String)
        #expect(logs.contains(digest), "the digest is printed on stdout")
        return digest
    }

    @Test("archive → checkpoint-transfer → OCI layout → restorer gives back the program image and state")
    func throughLayout() async throws {
        let checkpoint = try Checkpoint(seed: 11)
        defer { checkpoint.remove() }
        let layout = checkpoint.directory + "/layout"
        let digest = try await transfer(checkpoint, container: "counter", to: "oci:\(layout):cp1")
        let restorer = CheckpointImageRestorer(source: .ociLayout(directory: layout))
        for image in ["oci:\(layout):cp1", "oci:\(layout)@\(digest)", "registry.local/shop/counter-0:cp1"] {
            let restored = try await restorer.restore(image: image, containerName: "counter")
            #expect(restored.programImage == "quay.io/ms2m/counter:1.4.2", "\(image)")
            #expect(restored.state == checkpoint.state, "\(image)")
        }
    }

    @Test("archive → checkpoint-transfer → docker-registry → restorer gives back the program image and state")
    func throughRegistry() async throws {
        let checkpoint = try Checkpoint(stateSize: 600_000, seed: 12)
        defer { checkpoint.remove() }
        let registry = try await TestRegistry.start()
        defer { registry.stop() }
        let image = "\(registry.host)/shop/counter-0:cp1"
        let digest = try await transfer(checkpoint, container: "counter", to: image, extra: ["--insecure", "--compress"])
        let restorer = CheckpointImageRestorer(source: .registry(plainHTTP: true, caFile: nil, username: nil, password: nil))
        for reference in [image, "\(registry.host)/shop/counter-0@\(digest)"] {
            let restored = try await restorer.restore(image: reference, containerName: "counter")
            #expect(restored.programImage == "quay.io/ms2m/counter:1.4.2")
            #expect(restored.state == checkpoint.state)
        }
        await #expect(throws: SimRuntimeError.self) {
            try await restorer.restore(image: "\(registry.host)/shop/absent:cp1", containerName: "counter")
        }
        let missing = await runtimeError { try await restorer.restore(image: "\(registry.host)/shop/absent:cp1", containerName: "counter") }
        #expect(missing?.isImagePull == true, "\(String(describing: missing))")
    }

    @Test("a checkpoint of another container is a CreateContainerError")
    func otherContainer() async throws {
        let checkpoint = try Checkpoint(container: "sidecar", stateSize: 2_000, seed: 13)
        defer { checkpoint.remove() }
        let layout = checkpoint.directory + "/layout"
        _ = try await transfer(checkpoint, container: "sidecar", to: "oci:\(layout):cp1")
        let error = await runtimeError {
            try await CheckpointImageRestorer(source: .ociLayout(directory: layout)).restore(image: "oci:\(layout):cp1", containerName: "counter")
        }
        #expect(error?.isCreateContainerError == true, "\(String(describing: error))")
        #expect(error?.description.contains("sidecar") == true)
    }

    @Test("an image without the checkpoint annotation is a CreateContainerError; a missing one is ErrImagePull")
    func notACheckpoint() async throws {
        let directory = try Tools.temporaryDirectory("ms2m-plain")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try PlainImage.write(layout: directory, tag: "app")
        let restorer = CheckpointImageRestorer(source: .ociLayout(directory: directory))
        let plain = await runtimeError { try await restorer.restore(image: "oci:\(directory):app", containerName: "counter") }
        #expect(plain?.isCreateContainerError == true, "\(String(describing: plain))")
        let missing = await runtimeError { try await restorer.restore(image: "oci:\(directory):nope", containerName: "counter") }
        #expect(missing?.isImagePull == true, "\(String(describing: missing))")
        let elsewhere = await runtimeError {
            try await CheckpointImageRestorer(source: .ociLayout(directory: directory + "/none")).restore(image: "shop/counter:v1", containerName: "counter")
        }
        #expect(elsewhere?.isImagePull == true, "\(String(describing: elsewhere))")
    }

    @Test("terminate() sends SIGTERM: a retrying push stops and run() returns a failure status")
    func terminate() async throws {
        let checkpoint = try Checkpoint(stateSize: 1_000, seed: 14)
        defer { checkpoint.remove() }
        let launch = RuntimeFixture.transferLaunch(
            ["--archive", checkpoint.archive, "--container", "counter", "--destination", "127.0.0.1:1/shop/x:v1", "--insecure", "--retries", "1000"],
            messageFile: checkpoint.directory + "/termination-log")
        let process = try await TransferProgram.program(binary: try TransferProgram.locateBinary())(launch)
        let running = Task { await process.run() }
        let started = ContinuousClock.now
        while await !process.isReady(), ContinuousClock.now - started < .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await process.isReady())
        try await Task.sleep(for: .milliseconds(300))
        await process.terminate()
        let status = await running.value
        #expect(status != 0)
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(await !process.isReady())
        #expect(FileManager.default.fileExists(atPath: checkpoint.archive), "a stopped transfer keeps the archive")
    }

    @Test("cancelling run() kills the child (SIGKILL → 137)")
    func cancel() async throws {
        let launch = RuntimeFixture.transferLaunch([], messageFile: "/dev/null")
        let process = try await TransferProgram.program(binary: "/bin/sh")(
            ContainerLaunch(
                namespace: launch.namespace, podName: launch.podName, nodeName: launch.nodeName, containerName: launch.containerName,
                image: launch.image, programImage: launch.programImage, arguments: ["-c", "exec sleep 30", "sh", "--termination-message-path", "x"],
                environment: [:], terminationMessageFile: "/dev/null", restoredState: nil, brokers: launch.brokers))
        let running = Task { await process.run() }
        let started = ContinuousClock.now
        while await !process.isReady(), ContinuousClock.now - started < .seconds(10) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await process.isReady())
        running.cancel()
        #expect(await running.value == 137)
    }
}

/// The `SimRuntimeError` a call threw, if any.
func runtimeError(_ body: () async throws -> Any) async -> SimRuntimeError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? SimRuntimeError
    }
}

extension SimRuntimeError {
    var isImagePull: Bool {
        if case .imagePull = self { return true }
        return false
    }

    var isCreateContainerError: Bool {
        if case .createContainerError = self { return true }
        return false
    }
}

/// Writes an ordinary (non-checkpoint) single-layer image into an OCI layout by hand.
enum PlainImage {
    static func write(layout: String, tag: String) throws {
        let blobs = layout + "/blobs/sha256"
        try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        func store(_ bytes: [UInt8]) throws -> OCIDigest {
            let digest = OCIDigest.sha256(bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(blobs)/\(digest.hex)"))
            return digest
        }
        let layer = [UInt8](repeating: 0, count: 1024)  // an empty tar: two zero blocks
        let layerDigest = try store(layer)
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(layerDigest)"]}}"#.utf8)
        let configDigest = try store(config)
        let manifest = Array("""
            {"schemaVersion":2,"mediaType":"\(OCIMediaType.imageManifest)",\
            "config":{"mediaType":"\(OCIMediaType.imageConfig)","digest":"\(configDigest)","size":\(config.count)},\
            "layers":[{"mediaType":"\(OCIMediaType.layerTar)","digest":"\(layerDigest)","size":\(layer.count)}]}
            """.utf8)
        let manifestDigest = try store(manifest)
        let index = """
            {"schemaVersion":2,"manifests":[{"mediaType":"\(OCIMediaType.imageManifest)","digest":"\(manifestDigest)",\
            "size":\(manifest.count),"annotations":{"org.opencontainers.image.ref.name":"\(tag)"}}]}
            """
        try index.write(toFile: layout + "/index.json", atomically: true, encoding: .utf8)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: layout + "/oci-layout", atomically: true, encoding: .utf8)
    }
}
