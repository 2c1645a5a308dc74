import Crypto
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What reading a whole archive established: the layer's digest and size as stored, the uncompressed
/// digest (`diff_id`), and the checkpoint metadata found in its tar headers.
public struct LayerDigests: Sendable, Hashable, Codable {
    public var digest: OCIDigest
    public var size: Int64
    public var diffID: OCIDigest
    public var compressed: Bool
}

/// Streams a checkpoint archive as an image layer: reads the file once, hashes the uncompressed bytes
/// (`diff_id`) and the bytes as sent (the blob digest; the same when not compressed), walks the tar headers
/// with a `TarScanner`, and gzips on the fly when asked.
///
/// `read(into:)` fills the caller's buffer directly (curl's upload buffer), so memory stays constant: one
/// 1 MiB input buffer when compressing, nothing otherwise. It blocks on file reads and is meant to be called
/// from the transport's I/O thread (or `BlockingIO`), one call at a time; the state sits behind a `Mutex`.
final class LayerSource: Sendable {
    /// `@unchecked Sendable` only because swift-crypto's `SHA256` is not marked `Sendable`; the state lives
    /// in the `Mutex` and is never reached outside it.
    private struct State: ~Copyable, @unchecked Sendable {
        var fd: Int32
        var consumed: Int64 = 0
        var produced: Int64 = 0
        var diffHasher = SHA256()
        var layerHasher = SHA256()
        var scanner = TarScanner()
        var gzip: GzipStream?
        var readAhead: ReadAhead?
        var done = false
    }

    let archive: ArchiveFile
    let compressed: Bool
    private let progress: (@Sendable (Int64) -> Void)?
    private let state: Mutex<State>

    static let inputBufferSize = 1 << 20

    /// Opens the archive. `compressionLevel` nil sends it as is; 1…9 gzips it at that level.
    init(archive: ArchiveFile, compressionLevel: Int32?, progress: (@Sendable (Int64) -> Void)? = nil) throws(RegistryError) {
        let fd = open(archive.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .invalidInput("cannot open the archive \(archive.path): \(errnoText())") }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        var initial = State(fd: fd)
        if let level = compressionLevel {
            do {
                initial.gzip = try GzipStream(level: level)
            } catch {
                close(fd)
                throw error
            }
        } else {
            initial.readAhead = ReadAhead(fd: fd, size: archive.size, path: archive.path)
        }
        self.archive = archive
        self.compressed = compressionLevel != nil
        self.progress = progress
        self.state = Mutex(initial)
    }

    deinit {
        state.withLock { state in
            state.readAhead?.stop()
            close(state.fd)
        }
    }

    /// Archive bytes read so far.
    var consumed: Int64 { state.withLock { $0.consumed } }
    /// Layer bytes produced so far.
    var produced: Int64 { state.withLock { $0.produced } }
    /// Whether every layer byte has been produced.
    var isDone: Bool { state.withLock { $0.done } }

    /// Fills `buffer` with the next layer bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RegistryError) -> Int {
        let (count, consumed) = try state.withLock { (state) throws(RegistryError) -> (Int, Int64) in
            let count = try state.gzip == nil ? Self.readPlain(&state, archive, into: buffer) : Self.readCompressed(&state, archive, into: buffer)
            if count > 0 {
                if state.gzip != nil { state.layerHasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
                state.produced += Int64(count)
            }
            return (count, state.consumed)
        }
        progress?(consumed)
        return count
    }

    /// Produces and drops the next `count` layer bytes (hashing them), to resume an upload at an offset.
    func discard(_ count: Int64) throws(RegistryError) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.inputBufferSize, alignment: 16)
        defer { scratch.deallocate() }
        var left = count
        while left > 0 {
            let piece = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<Int(min(left, Int64(scratch.count)))])
            let got = try read(into: piece)
            guard got > 0 else { throw .io("the archive ended before the resume offset \(count)") }
            left -= Int64(got)
        }
    }

    /// The digests, once every byte has been produced.
    func digests() throws(RegistryError) -> (LayerDigests, TarScanner) {
        try state.withLock { (state) throws(RegistryError) -> (LayerDigests, TarScanner) in
            guard state.done else { throw .io("the layer digests were asked for before the archive was read to the end") }
            if let readAhead = state.readAhead {
                let (digest, scanner) = try readAhead.results()
                let diffID = OCIDigest(sha256: digest)
                return (LayerDigests(digest: diffID, size: state.produced, diffID: diffID, compressed: false), scanner)
            }
            let diffID = OCIDigest(sha256: state.diffHasher.finalize())
            let digest = OCIDigest(sha256: state.layerHasher.finalize())
            return (LayerDigests(digest: digest, size: state.produced, diffID: diffID, compressed: true), state.scanner)
        }
    }

    // MARK: - Reading

    /// Reads archive bytes into `buffer`, hashing and scanning them.
    private static func readArchive(_ state: inout State, _ archive: ArchiveFile, into buffer: UnsafeMutableRawBufferPointer) throws(RegistryError) -> Int {
        let want = Int(min(Int64(buffer.count), archive.size - state.consumed))
        guard want > 0 else { return 0 }
        var count: Int
        repeat {
            count = Glibc.read(state.fd, buffer.baseAddress, want)
        } while count < 0 && errno == EINTR
        guard count >= 0 else { throw .io("reading \(archive.path) failed: \(errnoText())") }
        guard count > 0 else {
            throw .io("the archive \(archive.path) shrank while it was being read (\(state.consumed) of \(archive.size) bytes)")
        }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        state.diffHasher.update(bufferPointer: bytes)
        try state.scanner.consume(bytes)
        state.consumed += Int64(count)
        if state.consumed == archive.size { try state.scanner.finish() }
        return count
    }

    /// Uncompressed: copies what the read-ahead thread has read and hashed.
    private static func readPlain(_ state: inout State, _ archive: ArchiveFile, into buffer: UnsafeMutableRawBufferPointer) throws(RegistryError) -> Int {
        guard let readAhead = state.readAhead else { return 0 }
        let count = try readAhead.read(into: buffer)
        state.consumed += Int64(count)
        if state.consumed == archive.size { state.done = true }
        return count
    }

    private static func readCompressed(_ state: inout State, _ archive: ArchiveFile, into buffer: UnsafeMutableRawBufferPointer) throws(RegistryError) -> Int {
        guard let gzip = state.gzip else { return 0 }
        let input = gzip.inputBuffer
        var written = 0
        while written < buffer.count && !gzip.isFinished {
            if gzip.needsInput && state.consumed < archive.size {
                let count = try readArchive(&state, archive, into: input)
                gzip.setInput(UnsafeRawBufferPointer(rebasing: input[0..<count]))
            }
            let finishing = state.consumed == archive.size
            let out = UnsafeMutableRawBufferPointer(rebasing: buffer[written...])
            written += try gzip.compress(into: out, finishing: finishing)
        }
        if gzip.isFinished { state.done = true }
        return written
    }
}
