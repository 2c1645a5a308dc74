import CurlTransport
import Foundation
import RegistryClient

/// Restores a container from a checkpoint image as CRI-O does: pulls the image, checks from the manifest
/// annotation `io.kubernetes.cri-o.annotations.checkpoint.name` that it is a checkpoint of the container being
/// created, unpacks the archive layer and hands back the program image (`rootfsImageName` from `config.dump`)
/// and the program state the archive holds.
public struct CheckpointImageRestorer: Sendable {
    /// Largest program state accepted from an archive.
    static let stateLimit = 1 << 30

    public let source: SimImageSource
    private let store: ImageStoreClient

    public init(source: SimImageSource) {
        self.source = source
        switch source {
        case .registry(let plainHTTP, let caFile, let username, let password):
            let credentials = username.flatMap { user in password.map { RegistryCredentials(username: user, password: $0) } }
            let transport = CurlTransport(configuration: .init(
                tls: caFile.map { TLSOptions(caFile: $0) }, userAgent: "ms2m-sim-runtime/1", acceptCompressedResponses: false))
            store = ImageStoreClient(transport: transport, credentials: credentials, plainHTTP: plainHTTP, retry: RetryPolicy(maxAttempts: 3))
        case .ociLayout:
            store = ImageStoreClient(transport: CurlTransport(), retry: .none)
        }
    }

    /// Pulls `image` and restores `containerName` from it. Throws `SimRuntimeError.imagePull` when the image
    /// cannot be pulled, and `.createContainerError` when it is not a checkpoint image (no runnable program),
    /// is the checkpoint of another container, or its archive lacks the state or the rootfs image name.
    public func restore(image: String, containerName: String) async throws -> (programImage: String, state: [UInt8]) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-restore-\(UUID().uuidString)").path
        defer { Task.detached { _ = try? await RuntimeBlockingIO.run { try? FileManager.default.removeItem(atPath: scratch) } } }
        let pulled = try await pull(image, into: scratch)

        guard let checkpointOf = pulled.annotations[CheckpointAnnotation.crioName] else {
            throw SimRuntimeError.createContainerError(
                "image \(image) is not a checkpoint image (no \(CheckpointAnnotation.crioName) annotation) and has no runnable program")
        }
        guard checkpointOf == containerName else {
            throw SimRuntimeError.createContainerError(
                "checkpoint image \(image) is a checkpoint of container '\(checkpointOf)', not of '\(containerName)'")
        }
        guard pulled.layers.count == 1, let archive = pulled.layers.first?.path else {
            throw SimRuntimeError.createContainerError("checkpoint image \(image) has \(pulled.layers.count) layers, expected the archive as its only layer")
        }
        let members = try await RuntimeBlockingIO.run { try Self.readMembers(of: archive) }
        guard let state = members[CheckpointArchiveWriter.stateFileName] else {
            throw SimRuntimeError.createContainerError("checkpoint image \(image) holds no program state (\(CheckpointArchiveWriter.stateFileName))")
        }
        let metadata = CheckpointMetadata(configDump: members["config.dump"], specDump: members["spec.dump"])
        guard let programImage = metadata.rootfsImageName ?? pulled.annotations[CheckpointAnnotation.crioRootfsImageName] else {
            throw SimRuntimeError.createContainerError("checkpoint image \(image) names no rootfs image in config.dump")
        }
        return (programImage, state)
    }

    /// Pulls the image from the configured source, mapping failures to `SimRuntimeError.imagePull`.
    private func pull(_ image: String, into directory: String) async throws(SimRuntimeError) -> PulledImage {
        do throws(RegistryError) {
            if image.hasPrefix("oci:") { return try await store.pull(image, into: directory) }
            let reference = try ImageReference(parsing: image)
            switch source {
            case .registry:
                return try await store.pull(.registry(reference), into: directory)
            case .ociLayout(let layout):
                return try await pullFromLayout(layout, image: image, reference: reference, into: directory)
            }
        } catch {
            throw .imagePull("pulling \(image) failed: \(error)")
        }
    }

    /// The layout stands in for the registry: the full reference as the ref name, else its tag or digest.
    private func pullFromLayout(
        _ layout: String, image: String, reference: ImageReference, into directory: String
    ) async throws(RegistryError) -> PulledImage {
        do {
            return try await store.pull(.layout(directory: layout, reference: .tag(image)), into: directory)
        } catch {
            guard case .notFound = error else { throw error }
        }
        let fallback: ImageSource.LayoutReference = reference.digest.map { .digest($0) } ?? .tag(reference.tag ?? "latest")
        return try await store.pull(.layout(directory: layout, reference: fallback), into: directory)
    }

    /// The archive's `config.dump`, `spec.dump` and state file, read with `TarScanner` (blocking).
    static func readMembers(of archive: String) throws -> [String: [UInt8]] {
        guard let handle = FileHandle(forReadingAtPath: archive) else {
            throw SimRuntimeError.createContainerError("cannot read the checkpoint archive \(archive)")
        }
        defer { try? handle.close() }
        var scanner = TarScanner(capturing: ["config.dump", "spec.dump", CheckpointArchiveWriter.stateFileName], captureLimit: stateLimit)
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { raw in try scanner.consume(raw) }
            }
            try scanner.finish()
        } catch let error as RegistryError {
            throw SimRuntimeError.createContainerError("the checkpoint archive is unreadable: \(error)")
        }
        return scanner.captured
    }
}
