internal import CZlib

/// A streaming gzip compressor over zlib's `deflate` (`deflateInit2` with windowBits 31: a gzip wrapper).
///
/// Input is handed over in pieces with `setInput`; `compress(into:finishing:)` writes as much compressed
/// output as fits into the caller's buffer (curl's upload buffer, so nothing is copied twice). Memory is
/// bounded by zlib's state (about 256 KiB at the default memory level), whatever the input size.
///
/// `@unchecked Sendable`: the z_stream and the input buffer are mutable C state; a `GzipStream` is owned by
/// one `LayerSource` and touched only while that source's lock is held.
final class GzipStream: @unchecked Sendable {
    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false
    /// Where the owner reads archive bytes before handing them to `setInput`.
    let inputBuffer: UnsafeMutableRawBufferPointer = .allocate(byteCount: 1 << 20, alignment: 16)

    /// A compressor at `level` (1 fastest … 9 smallest).
    init(level: Int32) throws(RegistryError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            inputBuffer.deallocate()
            throw .io("zlib deflateInit2 failed (status \(status))")
        }
    }

    deinit {
        inputBuffer.deallocate()
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Whether the input still pending has all been taken by zlib.
    var needsInput: Bool { stream.pointee.avail_in == 0 }

    /// Whether the gzip trailer has been written.
    var isFinished: Bool { finished }

    /// Hands zlib the next input. The bytes must stay valid until `needsInput` is true again.
    func setInput(_ input: UnsafeRawBufferPointer) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
    }

    /// Compresses pending input into `output`; with `finishing`, flushes and writes the gzip trailer once
    /// the input is exhausted. Returns how many bytes were written.
    func compress(into output: UnsafeMutableRawBufferPointer, finishing: Bool) throws(RegistryError) -> Int {
        guard !finished, let base = output.baseAddress, output.count > 0 else { return 0 }
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let status = deflate(stream, finishing ? Z_FINISH : Z_NO_FLUSH)
        let written = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_STREAM_END:
            finished = true
        case Z_OK, Z_BUF_ERROR:
            break
        default:
            throw .io("zlib deflate failed (status \(status))")
        }
        stream.pointee.next_out = nil
        stream.pointee.avail_out = 0
        return written
    }
}
