import Foundation

/// OCI media types used by checkpoint images.
public enum OCIMediaType {
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let imageIndex = "application/vnd.oci.image.index.v1+json"
    public static let imageConfig = "application/vnd.oci.image.config.v1+json"
    public static let layerTar = "application/vnd.oci.image.layer.v1.tar"
    public static let layerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"

    /// The `Accept` header for manifest reads: every manifest kind a registry may hold.
    public static let manifestAccept = [imageManifest, imageIndex, dockerManifest, dockerManifestList].joined(separator: ", ")
}

/// An OCI content descriptor: what a blob is, how big, and its digest.
public struct OCIDescriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: OCIDigest
    public var size: Int64
    public var annotations: [String: String]?

    public init(mediaType: String, digest: OCIDigest, size: Int64, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }
}

/// An OCI image manifest (`schemaVersion` 2).
public struct OCIImageManifest: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: OCIDescriptor
    public var layers: [OCIDescriptor]
    public var annotations: [String: String]?

    public init(config: OCIDescriptor, layers: [OCIDescriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = OCIMediaType.imageManifest
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// The parts of an OCI image configuration a checkpoint image needs.
public struct OCIImageConfig: Codable, Hashable, Sendable {
    /// `rootfs`: the layers' uncompressed digests, bottom first.
    public struct RootFS: Codable, Hashable, Sendable {
        public var type: String
        public var diffIDs: [OCIDigest]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }

    /// One `history` entry.
    public struct History: Codable, Hashable, Sendable {
        public var created: String?
        public var createdBy: String?
        public var comment: String?

        enum CodingKeys: String, CodingKey {
            case created
            case createdBy = "created_by"
            case comment
        }
    }

    public var created: String?
    public var architecture: String
    public var os: String
    public var rootfs: RootFS
    public var history: [History]?

    public init(created: String?, architecture: String, os: String, diffIDs: [OCIDigest], history: [History]? = nil) {
        self.created = created
        self.architecture = architecture
        self.os = os
        self.rootfs = RootFS(type: "layers", diffIDs: diffIDs)
        self.history = history
    }
}

/// An OCI image index (used for `index.json` in an image layout).
public struct OCIImageIndex: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [OCIDescriptor]

    public init(manifests: [OCIDescriptor]) {
        self.schemaVersion = 2
        self.mediaType = OCIMediaType.imageIndex
        self.manifests = manifests
    }
}

/// Canonical JSON for the documents we hash: sorted keys, no escaped slashes, so the same image always
/// has the same digest.
enum CanonicalJSON {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
