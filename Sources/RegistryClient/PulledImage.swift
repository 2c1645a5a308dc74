/// An image read back from a registry or an OCI layout, checked against its digests: the manifest (the
/// single-platform one when the reference named an index), its config, and each layer as a local,
/// uncompressed file.
public struct PulledImage: Sendable {
    /// The image as it was asked for.
    public var source: ImageSource
    /// The digest of `manifest` (for an index: of the platform's entry, not of the index).
    public var manifestDigest: OCIDigest
    public var manifest: OCIImageManifest
    /// The config blob exactly as stored (its digest is `manifest.config.digest`).
    public var configBytes: [UInt8]
    /// The layers, bottom first, in manifest order.
    public var layers: [PulledLayer]

    public init(source: ImageSource, manifestDigest: OCIDigest, manifest: OCIImageManifest, configBytes: [UInt8], layers: [PulledLayer]) {
        self.source = source
        self.manifestDigest = manifestDigest
        self.manifest = manifest
        self.configBytes = configBytes
        self.layers = layers
    }

    /// The manifest's annotations (the checkpoint annotations of a checkpoint image).
    public var annotations: [String: String] { manifest.annotations ?? [:] }

    /// The config decoded as an OCI image config, if it is one.
    public var config: OCIImageConfig? { try? CanonicalJSON.decode(OCIImageConfig.self, from: configBytes) }
}

/// One layer of a pulled image, stored uncompressed in a local file.
public struct PulledLayer: Sendable, Hashable {
    /// The layer as the manifest lists it (digest and size of the blob as stored, compressed or not).
    public var descriptor: OCIDescriptor
    /// The local file holding the layer's uncompressed tar.
    public var path: String
    /// The SHA-256 of the uncompressed contents (the config's `rootfs.diff_ids` entry).
    public var diffID: OCIDigest
    /// The size of the local file.
    public var size: Int64

    public init(descriptor: OCIDescriptor, path: String, diffID: OCIDigest, size: Int64) {
        self.descriptor = descriptor
        self.path = path
        self.diffID = diffID
        self.size = size
    }
}

/// What deleting an image did.
public enum ManifestDeletion: Hashable, Sendable {
    /// The manifest with this digest was deleted.
    case deleted(OCIDigest)
    /// There was nothing to delete (the tag or digest was not there).
    case alreadyGone
}
