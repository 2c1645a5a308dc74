import HTTPTransport
import Logging

/// Reads images from, and deletes them in, wherever checkpoint images are kept: a registry (reached with
/// the same transport, credentials, plain-HTTP switch and retry policy a `CheckpointImagePusher` uses) or
/// an OCI layout directory (`oci:<dir>:<tag>`, `oci:<dir>@sha256:…`).
public struct ImageStoreClient: Sendable {
    let transport: any HTTPTransport
    let credentials: RegistryCredentials?
    let plainHTTP: Bool
    let retry: RetryPolicy
    let platform: ImagePlatform
    let logger: Logger

    /// A client sending registry requests through `transport` (give it the TLS settings, and
    /// `acceptCompressedResponses: false` so blob bytes arrive as stored). An index is resolved to its
    /// `platform` entry.
    public init(
        transport: any HTTPTransport, credentials: RegistryCredentials? = nil, plainHTTP: Bool = false,
        retry: RetryPolicy = .default, platform: ImagePlatform = .current, logger: Logger = Logger(label: "ms2m.registry")
    ) {
        self.transport = transport
        self.credentials = credentials
        self.plainHTTP = plainHTTP
        self.retry = retry
        self.platform = platform
        self.logger = logger
    }

    /// A registry client for `registry` with this client's transport, credentials and retry policy.
    public func client(for registry: String) -> OCIRegistryClient {
        OCIRegistryClient(
            registry: registry, transport: transport, credentials: credentials, plainHTTP: plainHTTP, retry: retry, logger: logger)
    }

    /// Pulls the image (see `OCIRegistryClient.pullImage` and `OCILayout.pullImage`), its layers stored
    /// uncompressed in `directory`.
    public func pull(_ source: ImageSource, into directory: String) async throws(RegistryError) -> PulledImage {
        switch source {
        case .registry(let reference):
            return try await client(for: reference.registry).pullImage(reference, into: directory, platform: platform)
        case .layout(let layoutDirectory, let reference):
            return try await OCILayout(directory: layoutDirectory).pullImage(reference, into: directory, platform: platform)
        }
    }

    /// Parses `reference` (any `ImageSource` text form) and pulls it.
    public func pull(_ reference: String, into directory: String) async throws(RegistryError) -> PulledImage {
        try await pull(try ImageSource(parsing: reference), into: directory)
    }

    /// Deletes the image's manifest (registry: `DELETE` by digest; layout: out of `index.json`, unreferenced
    /// blobs removed). `RegistryError.deletionDisabled` when the registry refuses deletes (HTTP 405).
    @discardableResult
    public func deleteManifest(_ source: ImageSource) async throws(RegistryError) -> ManifestDeletion {
        switch source {
        case .registry(let reference):
            return try await client(for: reference.registry).deleteManifest(reference)
        case .layout(let directory, let reference):
            return try await OCILayout(directory: directory).deleteManifest(reference)
        }
    }
}
