internal import CZlib

/// A streaming gzip decompressor over zlib's `inflate` (`inflateInit2` with windowBits 31: gzip wrapper only),
/// for `…tar+gzip` layers. Concatenated gzip members (as `pigz` and some tools write) are inflated in turn.
///
/// `@unchecked Sendable`: the z_stream is mutable C state; an inflater is owned by one `LayerFileWriter` and
/// used by one thread at a time.
final class GzipInflater: @unchecked Sendable {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer = .allocate(byteCount: 1 << 18, alignment: 16)
    /// Whether the last member's trailer has been read and no input followed it.
    private(set) var isAtEnd = false

    init() throws(RegistryError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, 31, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            output.deallocate()
            throw .io("zlib inflateInit2 failed (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    /// Inflates all of `input`, handing each piece of decompressed output to `sink` in order.
    func inflate(_ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws(RegistryError) -> Void) throws(RegistryError) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        while true {
            if isAtEnd {
                guard stream.pointee.avail_in > 0 else { return }
                // Another gzip member follows the one that ended.
                guard inflateReset(stream) == Z_OK else { throw .io("zlib inflateReset failed") }
                isAtEnd = false
            }
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            switch status {
            case Z_STREAM_END:
                isAtEnd = true
            case Z_OK:
                break
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                return  // no progress possible until more input arrives
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw .verificationFailed("the layer is not valid gzip data: \(message)")
            }
            // Done once every input byte is taken and zlib had room to spare (no output left pending).
            if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 && !isAtEnd { return }
            if stream.pointee.avail_in == 0 && isAtEnd { return }
        }
    }

    /// Checks that the compressed data ended with a complete gzip member.
    func finish() throws(RegistryError) {
        guard isAtEnd else { throw .verificationFailed("the gzip layer is truncated (no gzip trailer)") }
    }
}
