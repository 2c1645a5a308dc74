import CurlTransport
import Logging
import RegistryClient

/// One container's image to push: the archive (read through `archivePath`), the container it belongs to, where
/// the image goes and how to send it.
public struct ArchivePush: Sendable {
    /// The path the archive is read from (an `OpenedArchive.readPath`).
    public var archivePath: String
    /// The checkpointed container.
    public var container: String
    public var destination: ImageDestination
    /// Gzip the layer.
    public var compress: Bool
    /// Plain HTTP to the registry.
    public var insecure: Bool
    /// A `.dockerconfigjson` to take the registry's credentials from.
    public var dockerConfig: [UInt8]?

    public init(
        archivePath: String, container: String, destination: ImageDestination, compress: Bool = false,
        insecure: Bool = false, dockerConfig: [UInt8]? = nil
    ) {
        self.archivePath = archivePath
        self.container = container
        self.destination = destination
        self.compress = compress
        self.insecure = insecure
        self.dockerConfig = dockerConfig
    }
}

/// Pushes a checkpoint archive as an OCI image and returns once the image is confirmed (the port the transfer
/// manager pushes through; tests substitute a double).
public protocol CheckpointArchivePusher: Sendable {
    /// Builds, pushes and confirms the image; throws when it is not confirmed. Cancellation stops the push.
    func push(_ push: ArchivePush) async throws -> CheckpointPushResult
}

/// Pushes with `CheckpointImagePusher` over libcurl, as `checkpoint-transfer` does: each push gets its own curl
/// loop (archive reads happen on the loop thread), and the credentials for the destination's registry from the
/// request's `.dockerconfigjson`, else none.
public struct RegistryArchivePusher: CheckpointArchivePusher {
    /// Attempts per registry operation on transient failures.
    public var retry: RetryPolicy
    /// Gzip level with `compress`.
    public var compressionLevel: Int32
    public var logger: Logger

    public init(
        retry: RetryPolicy = .default, compressionLevel: Int32 = 1, logger: Logger = Logger(label: "ms2m.agent.push")
    ) {
        self.retry = retry
        self.compressionLevel = compressionLevel
        self.logger = logger
    }

    public func push(_ push: ArchivePush) async throws -> CheckpointPushResult {
        var credentials: RegistryCredentials?
        if case .registry(let reference) = push.destination, let config = push.dockerConfig {
            credentials = try RegistryCredentials.fromDockerConfig(
                data: config, registry: reference.registry, source: "registry.dockerConfigJSON")
        }
        let loop = CurlEventLoop()
        defer { loop.shutdown() }
        let transport = CurlTransport(
            configuration: .init(userAgent: "ms2m-agent/1", acceptCompressedResponses: false), loop: loop)
        let pusher = CheckpointImagePusher(
            transport: transport, credentials: credentials, plainHTTP: push.insecure, retry: retry, logger: logger)
        return try await pusher.push(CheckpointPushRequest(
            archivePath: push.archivePath, containerName: push.container, destination: push.destination,
            compressionLevel: push.compress ? compressionLevel : nil))
    }
}
