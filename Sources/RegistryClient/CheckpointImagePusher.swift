import Foundation
import HTTPTransport
import Logging

/// What to push: a kubelet checkpoint archive, the container it belongs to, and where the image goes.
public struct CheckpointPushRequest: Sendable {
    /// The archive path as the kubelet returned it.
    public var archivePath: String
    /// The checkpointed container's name (becomes the checkpoint annotations the runtimes read).
    public var containerName: String
    public var destination: ImageDestination
    /// nil: the layer is the archive as is (`…layer.v1.tar`); 1…9: gzip at that level (`…tar+gzip`).
    public var compressionLevel: Int32?
    public var platform: ImagePlatform
    public var upload: UploadOptions
    /// An upload an earlier run left unfinished (registry destinations only).
    public var resume: UploadSession?

    public init(
        archivePath: String, containerName: String, destination: ImageDestination, compressionLevel: Int32? = nil,
        platform: ImagePlatform = .current, upload: UploadOptions = UploadOptions(), resume: UploadSession? = nil
    ) {
        self.archivePath = archivePath
        self.containerName = containerName
        self.destination = destination
        self.compressionLevel = compressionLevel
        self.platform = platform
        self.upload = upload
        self.resume = resume
    }
}

/// The outcome of a confirmed push: the manifest's digest, the pinned image name, and what was sent.
public struct CheckpointPushResult: Sendable, Codable, Hashable {
    /// The manifest digest (the image's identity).
    public var digest: OCIDigest
    /// `registry/repository@sha256:…` (or `oci:<dir>@sha256:…`).
    public var image: String
    /// The manifest's size in bytes (with `digest`, its OCI descriptor).
    public var size: Int64
    public var layerDigest: OCIDigest
    public var layerSize: Int64
    /// Whether the layer had to be uploaded (false when the destination already had it).
    public var layerUploaded: Bool
    public var annotations: [String: String]
}

/// Turns a checkpoint archive into an OCI image at a registry or in an OCI layout directory, and confirms
/// the result: the push returns only once the manifest is stored and a read-back shows the same digest.
public struct CheckpointImagePusher: Sendable {
    let transport: any HTTPTransport
    let credentials: RegistryCredentials?
    let plainHTTP: Bool
    let retry: RetryPolicy
    let logger: Logger

    /// A pusher sending through `transport` (give it TLS settings; for large archives, its own
    /// `CurlEventLoop`, since file reads happen on the loop thread).
    public init(
        transport: any HTTPTransport, credentials: RegistryCredentials? = nil, plainHTTP: Bool = false,
        retry: RetryPolicy = .default, logger: Logger = Logger(label: "ms2m.checkpoint-transfer")
    ) {
        self.transport = transport
        self.credentials = credentials
        self.plainHTTP = plainHTTP
        self.retry = retry
        self.logger = logger
    }

    /// A registry client for `registry` with this pusher's transport, credentials and retry policy.
    public func client(for registry: String) -> OCIRegistryClient {
        OCIRegistryClient(
            registry: registry, transport: transport, credentials: credentials, plainHTTP: plainHTTP, retry: retry,
            logger: logger)
    }

    /// Builds and pushes the image, then confirms it.
    public func push(_ request: CheckpointPushRequest) async throws(RegistryError) -> CheckpointPushResult {
        let containerName = request.containerName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !containerName.isEmpty else { throw .invalidInput("the container name is empty") }
        let archive: ArchiveFile
        do {
            archive = try await ArchiveFile.load(request.archivePath)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .invalidInput("cannot read the archive \(request.archivePath): \(error)")
        }
        let created = CheckpointImageBuilder.timestamp(nanosecondsSinceEpoch: archive.modifiedNanoseconds)
        switch request.destination {
        case .registry(let reference):
            return try await pushToRegistry(request, reference: reference, archive: archive, containerName: containerName, created: created)
        case .layout(let directory, let tag):
            return try await pushToLayout(request, directory: directory, tag: tag, archive: archive, containerName: containerName, created: created)
        }
    }

    private func pushToRegistry(
        _ request: CheckpointPushRequest, reference: ImageReference, archive: ArchiveFile, containerName: String, created: String
    ) async throws(RegistryError) -> CheckpointPushResult {
        let client = client(for: reference.registry)
        let repository = reference.repository
        let level = request.compressionLevel

        var layer: LayerDigests
        var metadata: CheckpointMetadata
        var uploaded = false
        let cached = try? await BlockingIO.run { DigestCache.lookup(archive, compressionLevel: level) }
        if let entry = cached ?? nil, try await client.blobExists(repository: repository, digest: entry.layer.digest) {
            logger.info("Registry already has the layer", metadata: ["digest": "\(entry.layer.digest)"])
            layer = entry.layer
            metadata = entry.metadata
        } else {
            let scanner: TarScanner
            (layer, scanner) = try await client.uploadLayer(
                repository: repository, archive: archive, compressionLevel: level, options: request.upload,
                resume: request.resume)
            metadata = CheckpointMetadata(configDump: scanner.captured["config.dump"], specDump: scanner.captured["spec.dump"])
            uploaded = true
            let entry = DigestCache.Entry(archive: archive, compressionLevel: level, layer: layer, metadata: metadata)
            _ = try? await BlockingIO.run { DigestCache.store(entry) }
        }

        let image: CheckpointImage
        do {
            image = try CheckpointImageBuilder.build(
                containerName: containerName, metadata: metadata, layer: layer, platform: request.platform, created: created)
        } catch {
            throw .io("cannot encode the image: \(error)")
        }
        if let pinned = reference.digest, pinned != image.manifestDigest {
            throw .verificationFailed("the destination names \(pinned), but the image's manifest digest is \(image.manifestDigest)")
        }
        _ = try await client.pushBlob(repository: repository, bytes: image.config, digest: image.configDescriptor.digest)
        let stored = try await client.putManifest(image.manifestBytes, repository: repository, reference: reference.tag ?? image.manifestDigest.description)
        guard stored == image.manifestDigest else {
            throw .verificationFailed("the registry stored the manifest as \(stored), expected \(image.manifestDigest)")
        }
        // Read back by digest: only a manifest the registry serves under its digest counts as pushed.
        guard let descriptor = try await client.manifestDescriptor(reference.pinned(to: image.manifestDigest)),
            descriptor.digest == image.manifestDigest
        else { throw .verificationFailed("the registry does not serve \(repository)@\(image.manifestDigest) after the push") }
        logger.info("Pushed checkpoint image", metadata: ["image": "\(reference)", "digest": "\(image.manifestDigest)"])
        return CheckpointPushResult(
            digest: image.manifestDigest, image: reference.pinned(to: image.manifestDigest).description,
            size: Int64(image.manifestBytes.count), layerDigest: layer.digest, layerSize: layer.size, layerUploaded: uploaded,
            annotations: image.manifest.annotations ?? [:])
    }

    private func pushToLayout(
        _ request: CheckpointPushRequest, directory: String, tag: String, archive: ArchiveFile, containerName: String, created: String
    ) async throws(RegistryError) -> CheckpointPushResult {
        let layout = OCILayout(directory: directory)
        let level = request.compressionLevel
        let progress = request.upload.progress
        let platform = request.platform
        do {
            return try await BlockingIO.run { () throws(RegistryError) -> CheckpointPushResult in
                try layout.prepare()
                var layer: LayerDigests
                var metadata: CheckpointMetadata
                var uploaded = false
                if let entry = DigestCache.lookup(archive, compressionLevel: level), layout.hasBlob(entry.layer.digest, size: entry.layer.size) {
                    layer = entry.layer
                    metadata = entry.metadata
                } else {
                    let source = try LayerSource(archive: archive, compressionLevel: level, progress: progress)
                    let scanner: TarScanner
                    (layer, scanner) = try layout.writeLayer(from: source)
                    metadata = CheckpointMetadata(configDump: scanner.captured["config.dump"], specDump: scanner.captured["spec.dump"])
                    uploaded = true
                    DigestCache.store(DigestCache.Entry(archive: archive, compressionLevel: level, layer: layer, metadata: metadata))
                }
                let image: CheckpointImage
                do {
                    image = try CheckpointImageBuilder.build(
                        containerName: containerName, metadata: metadata, layer: layer, platform: platform, created: created)
                } catch {
                    throw .io("cannot encode the image: \(error)")
                }
                _ = try layout.writeBlob(image.config)
                let manifestDigest = try layout.writeBlob(image.manifestBytes)
                let descriptor = OCIDescriptor(
                    mediaType: OCIMediaType.imageManifest, digest: manifestDigest, size: Int64(image.manifestBytes.count))
                try layout.tag(descriptor, as: tag)
                guard try layout.manifestDescriptor(tag: tag)?.digest == manifestDigest,
                    try layout.readBlob(manifestDigest) == image.manifestBytes,
                    layout.hasBlob(layer.digest, size: layer.size)
                else { throw .verificationFailed("the OCI layout \(directory) does not hold the image after writing it") }
                return CheckpointPushResult(
                    digest: manifestDigest, image: "oci:\(directory)@\(manifestDigest)", size: Int64(image.manifestBytes.count),
                    layerDigest: layer.digest, layerSize: layer.size, layerUploaded: uploaded,
                    annotations: image.manifest.annotations ?? [:])
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .io("writing the OCI layout \(directory) failed: \(error)")
        }
    }
}
