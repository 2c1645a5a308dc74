import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An OCI image-layout directory (`oci-layout`, `index.json`, `blobs/sha256/…`), the local stand-in for a
/// registry: the simulation and tests push here, and `skopeo`/`podman` read it as `oci:<dir>:<tag>`.
///
/// Writes are crash-safe (blobs and `index.json` are written to a temporary name and renamed), but the
/// directory assumes one writer at a time. Everything here blocks and runs on `BlockingIO`.
public struct OCILayout: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    static let refNameAnnotation = "org.opencontainers.image.ref.name"

    var blobsDirectory: String { directory + "/blobs/sha256" }

    func blobPath(_ digest: OCIDigest) -> String { blobsDirectory + "/" + digest.hex }

    /// Creates the directory structure and `oci-layout` if missing.
    func prepare() throws(RegistryError) {
        do {
            try FileManager.default.createDirectory(atPath: blobsDirectory, withIntermediateDirectories: true)
            let marker = directory + "/oci-layout"
            if !FileManager.default.fileExists(atPath: marker) {
                try Self.writeAtomically(Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: marker)
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .io("cannot prepare the OCI layout \(directory): \(error)")
        }
    }

    /// Whether the layout holds a blob of this digest and size.
    func hasBlob(_ digest: OCIDigest, size: Int64) -> Bool {
        var info = stat()
        return stat(blobPath(digest), &info) == 0 && Int64(info.st_size) == size
    }

    /// Writes a blob held in memory (no-op if present).
    func writeBlob(_ bytes: [UInt8]) throws(RegistryError) -> OCIDigest {
        let digest = OCIDigest.sha256(bytes)
        guard !hasBlob(digest, size: Int64(bytes.count)) else { return digest }
        try Self.writeAtomically(bytes, to: blobPath(digest))
        return digest
    }

    /// Streams the layer from `source` into the blob store, hashing it as it goes.
    func writeLayer(from source: LayerSource) throws(RegistryError) -> (LayerDigests, TarScanner) {
        let temporary = blobsDirectory + "/.upload-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(temporary): \(errnoText())") }
        var completed = false
        defer {
            close(fd)
            if !completed { unlink(temporary) }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try source.read(into: buffer)
            if count == 0 { break }
            var written = 0
            while written < count {
                let result = write(fd, buffer.baseAddress! + written, count - written)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw .io("writing \(temporary) failed: \(errnoText())") }
                written += result
            }
        }
        guard fsync(fd) == 0 else { throw .io("fsync of \(temporary) failed: \(errnoText())") }
        let (digests, scanner) = try source.digests()
        guard rename(temporary, blobPath(digests.digest)) == 0 else {
            throw .io("cannot move the layer into \(blobPath(digests.digest)): \(errnoText())")
        }
        completed = true
        return (digests, scanner)
    }

    /// The layout's index (empty if it has none yet).
    public func index() throws(RegistryError) -> OCIImageIndex {
        let path = directory + "/index.json"
        guard let data = FileManager.default.contents(atPath: path) else { return OCIImageIndex(manifests: []) }
        do {
            return try CanonicalJSON.decode(OCIImageIndex.self, from: Array(data))
        } catch {
            throw .io("\(path) is not an OCI image index: \(error)")
        }
    }

    /// Points `tag` at the manifest (replacing what the tag named before).
    func tag(_ manifest: OCIDescriptor, as tag: String) throws(RegistryError) {
        var index = try index()
        index.manifests.removeAll { $0.annotations?[Self.refNameAnnotation] == tag }
        var entry = manifest
        entry.annotations = [Self.refNameAnnotation: tag]
        index.manifests.append(entry)
        do {
            try Self.writeAtomically(try CanonicalJSON.encode(index), to: directory + "/index.json")
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .io("cannot write \(directory)/index.json: \(error)")
        }
    }

    /// The manifest descriptor tagged `tag`, if any.
    public func manifestDescriptor(tag: String) throws(RegistryError) -> OCIDescriptor? {
        try index().manifests.last { $0.annotations?[Self.refNameAnnotation] == tag }
    }

    /// Reads a blob (manifests and configs; small).
    public func readBlob(_ digest: OCIDigest) throws(RegistryError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: blobPath(digest)) else {
            throw .notFound("blob \(digest) in \(directory)")
        }
        return Array(data)
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(RegistryError) {
        let temporary = path + ".tmp-\(UUID().uuidString.prefix(8))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(temporary): \(errnoText())") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .io("cannot write \(path): \(errnoText())")
        }
    }
}
