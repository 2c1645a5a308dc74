import CurlTransport
import Logging
public import OperatorCore
import RegistryClient

/// Deletes checkpoint images from registries (DELETE by digest, per the OCI distribution spec) and from OCI
/// layout directories: the production adapter of the engine's ``CheckpointImageDeleting`` port.
///
/// A registry that does not allow deletes (405) is reported as an error; the engine records it as an event
/// and completes anyway.
public struct RegistryImageDeleter: CheckpointImageDeleting {
    private let transport: CurlTransport
    private let logger: Logger

    /// A deleter sending requests through `transport` (give it the cluster's registry CA if needed).
    public init(transport: CurlTransport = CurlTransport(configuration: .init(acceptCompressedResponses: false)), logger: Logger = Logger(label: "ms2m.registry")) {
        self.transport = transport
        self.logger = logger
    }

    public func deleteImage(_ reference: String, dockerConfigJSON: [UInt8]?, insecure: Bool) async throws {
        let source = try ImageSource(parsing: reference)
        var credentials: RegistryCredentials?
        if case .registry(let image) = source, let config = dockerConfigJSON {
            credentials = try RegistryCredentials.fromDockerConfig(data: config, registry: image.registry, source: "registry Secret")
        }
        let client = ImageStoreClient(transport: transport, credentials: credentials, plainHTTP: insecure, logger: logger)
        try await client.deleteManifest(source)
    }
}
