import Foundation

/// The checks a pull makes on what it reads, shared by the registry and OCI-layout paths: blobs against
/// descriptors, index entries against the wanted platform, layers against the config's diff IDs.
enum ImageVerification {
    /// One entry of an image index or Docker manifest list, with its platform.
    private struct IndexEntry: Decodable {
        struct Platform: Decodable {
            var os: String
            var architecture: String
        }

        var mediaType: String?
        var digest: OCIDigest
        var size: Int64
        var platform: Platform?
    }

    /// Just enough of a manifest document to tell an index from an image manifest.
    private struct DocumentProbe: Decodable {
        var mediaType: String?
        var manifests: [IndexEntry]?
    }

    /// Checks a blob's size and digest against its descriptor.
    static func check(_ bytes: [UInt8], against descriptor: OCIDescriptor) throws(RegistryError) {
        guard Int64(bytes.count) == descriptor.size else {
            throw .verificationFailed("the blob \(descriptor.digest) has \(bytes.count) bytes, its descriptor says \(descriptor.size)")
        }
        let digest = OCIDigest.sha256(bytes)
        guard digest == descriptor.digest else {
            throw .verificationFailed("the blob's content hashes to \(digest), not to its digest \(descriptor.digest)")
        }
    }

    /// For an index (or manifest list), the descriptor of the entry for `platform`; nil for anything else.
    /// Throws when the index has no entry for the platform.
    static func platformEntry(_ bytes: [UInt8], mediaType: String, platform: ImagePlatform, image: String) throws(RegistryError) -> OCIDescriptor? {
        guard let probe = try? CanonicalJSON.decode(DocumentProbe.self, from: bytes) else {
            throw .invalidInput("the manifest of \(image) is not valid JSON")
        }
        let type = mediaType.isEmpty ? probe.mediaType ?? "" : mediaType.split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
        let isIndex = type == OCIMediaType.imageIndex || type == OCIMediaType.dockerManifestList || (probe.manifests != nil && type.isEmpty)
        guard isIndex, let entries = probe.manifests else { return nil }
        guard let entry = entries.first(where: { $0.platform?.os == platform.os && $0.platform?.architecture == platform.architecture })
            ?? (entries.count == 1 && entries[0].platform == nil ? entries[0] : nil)
        else {
            let available = entries.compactMap { $0.platform.map { "\($0.os)/\($0.architecture)" } }
            throw .notFound("a \(platform.os)/\(platform.architecture) image in the index \(image) (it has \(available.isEmpty ? "no platforms" : available.joined(separator: ", ")))")
        }
        return OCIDescriptor(mediaType: entry.mediaType ?? OCIMediaType.imageManifest, digest: entry.digest, size: entry.size)
    }

    /// Decodes an OCI image manifest or a Docker schema 2 manifest (same fields).
    static func decodeManifest(_ bytes: [UInt8], image: String) throws(RegistryError) -> OCIImageManifest {
        do {
            return try CanonicalJSON.decode(OCIImageManifest.self, from: bytes)
        } catch {
            throw .invalidInput("the manifest of \(image) is not an image manifest: \(error)")
        }
    }

    /// Checks the layers' uncompressed digests against the config's `rootfs.diff_ids`, when the config lists them.
    static func checkDiffIDs(_ image: PulledImage) throws(RegistryError) {
        guard let diffIDs = image.config?.rootfs.diffIDs, !diffIDs.isEmpty else { return }
        guard diffIDs.count == image.layers.count else {
            throw .verificationFailed("the config lists \(diffIDs.count) diff IDs for \(image.layers.count) layers")
        }
        for (layer, diffID) in zip(image.layers, diffIDs) where layer.diffID != diffID {
            throw .verificationFailed("the layer \(layer.descriptor.digest) unpacks to \(layer.diffID), the config says \(diffID)")
        }
    }
}
