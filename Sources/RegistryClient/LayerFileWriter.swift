import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a layer blob to a local file as its bytes arrive: hashes the bytes as stored (checked against the
/// manifest's descriptor: digest and size), gunzips `+gzip` layers on the way, and hashes what lands on disk
/// (the layer's diff ID). The file appears under its final name only once everything checked out.
///
/// Every method blocks (file writes); callers run them on `BlockingIO`. `@unchecked Sendable`: the writer's
/// state is touched by one thread at a time, each call completing before the next is made.
final class LayerFileWriter: @unchecked Sendable {
    let destination: String
    let descriptor: OCIDescriptor
    private let temporary: String
    private let gunzip: Bool
    private var fd: Int32
    private var blobHasher = SHA256()
    private var fileHasher = SHA256()
    private var inflater: GzipInflater?
    private var received: Int64 = 0
    private var written: Int64 = 0
    private var finished = false

    /// Whether layers of this media type are gzip-compressed (OCI `+gzip`, Docker `rootfs.diff.tar.gzip`);
    /// throws for compressions this client cannot undo (zstd).
    static func isGzip(_ mediaType: String) throws(RegistryError) -> Bool {
        if mediaType.hasSuffix("+gzip") || mediaType.hasSuffix(".tar.gzip") { return true }
        if mediaType.hasSuffix("+zstd") || mediaType.hasSuffix(".zstd") {
            throw .invalidInput("the layer's media type \(mediaType) is zstd-compressed, which this client does not read")
        }
        return false
    }

    /// A writer for the blob `descriptor` ending up (uncompressed) at `destination`.
    init(destination: String, descriptor: OCIDescriptor) throws(RegistryError) {
        self.destination = destination
        self.descriptor = descriptor
        self.gunzip = try Self.isGzip(descriptor.mediaType)
        self.temporary = destination + ".part-\(UUID().uuidString.prefix(8))"
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(temporary): \(errnoText())") }
        inflater = gunzip ? try GzipInflater() : nil
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !finished { unlink(temporary) }
    }

    /// Starts over (a retried download): empties the file and resets the hashes.
    func restart() throws(RegistryError) {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw .io("cannot truncate \(temporary): \(errnoText())") }
        blobHasher = SHA256()
        fileHasher = SHA256()
        received = 0
        written = 0
        inflater = gunzip ? try GzipInflater() : nil
    }

    /// Takes the next bytes of the blob as stored.
    func append(_ bytes: UnsafeRawBufferPointer) throws(RegistryError) {
        guard bytes.count > 0 else { return }
        received += Int64(bytes.count)
        guard received <= descriptor.size else {
            throw .verificationFailed("the blob \(descriptor.digest) is longer than the \(descriptor.size) bytes its descriptor gives")
        }
        blobHasher.update(bufferPointer: bytes)
        if let inflater {
            try inflater.inflate(bytes) { (piece) throws(RegistryError) in try writeToFile(piece) }
        } else {
            try writeToFile(bytes)
        }
    }

    /// Takes the next bytes of the blob as stored.
    func append(_ bytes: [UInt8]) throws(RegistryError) {
        var failure: RegistryError?
        bytes.withUnsafeBytes { raw in
            do throws(RegistryError) { try append(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Checks size and digest, syncs and moves the file to `destination`; returns the layer.
    func finish() throws(RegistryError) -> PulledLayer {
        guard received == descriptor.size else {
            throw .verificationFailed("the blob \(descriptor.digest) has \(received) bytes, its descriptor says \(descriptor.size)")
        }
        let digest = OCIDigest(sha256: blobHasher.finalize())
        guard digest == descriptor.digest else {
            throw .verificationFailed("the blob's content hashes to \(digest), not to its digest \(descriptor.digest)")
        }
        try inflater?.finish()
        guard fsync(fd) == 0 else { throw .io("fsync of \(temporary) failed: \(errnoText())") }
        close(fd)
        fd = -1
        guard rename(temporary, destination) == 0 else { throw .io("cannot move the layer to \(destination): \(errnoText())") }
        finished = true
        return PulledLayer(descriptor: descriptor, path: destination, diffID: OCIDigest(sha256: fileHasher.finalize()), size: written)
    }

    private func writeToFile(_ bytes: UnsafeRawBufferPointer) throws(RegistryError) {
        fileHasher.update(bufferPointer: bytes)
        var offset = 0
        while offset < bytes.count {
            let result = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw .io("writing \(temporary) failed: \(errnoText())") }
            offset += result
        }
        written += Int64(bytes.count)
    }
}
