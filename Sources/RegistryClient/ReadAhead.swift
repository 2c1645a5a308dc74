import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads an archive ahead of the uploader on its own thread, hashing and tar-scanning each block as it is
/// read, so SHA-256 runs in parallel with sending instead of stalling the transfer thread.
///
/// The file is read once into a small ring of blocks (`depth` × `blockSize`, 8 MiB by default, enough to
/// ride out the scheduling gaps of a busy machine between the hashing reader and the sender): the reader
/// thread fills free blocks (read, hash, scan), the consumer (curl's read callback) copies ready blocks out
/// and hands them back. Memory is constant whatever the archive size.
///
/// `@unchecked Sendable`: the queues and flags are guarded by `condition`; the hasher, scanner and offset are
/// touched only by the reader thread until it publishes `finished` under the lock, after which only
/// `results()` reads them.
final class ReadAhead: @unchecked Sendable {
    private struct Block {
        var buffer: UnsafeMutableRawBufferPointer
        var count: Int
        var offset = 0
    }

    private let fd: Int32
    private let size: Int64
    private let path: String
    private let condition = NSCondition()
    private let exited = DispatchSemaphore(value: 0)
    private let buffers: [UnsafeMutableRawBufferPointer]

    // Guarded by `condition`.
    private var ready: [Block] = []
    private var free: [UnsafeMutableRawBufferPointer]
    private var finished = false
    private var failure: RegistryError?
    private var stopped = false

    // Reader thread only (until `finished`).
    private var hasher = SHA256()
    private var scanner = TarScanner()
    private var offset: Int64 = 0

    // Consumer only.
    private var current: Block?

    init(fd: Int32, size: Int64, path: String, blockSize: Int = 1 << 20, depth: Int = 8) {
        self.fd = fd
        self.size = size
        self.path = path
        self.buffers = (0..<depth).map { _ in .allocate(byteCount: blockSize, alignment: 64) }
        self.free = buffers
        let thread = Thread { [self] in
            self.readLoop()
            self.exited.signal()
        }
        thread.name = "ms2m-read-ahead"
        thread.start()
    }

    deinit {
        buffers.forEach { $0.deallocate() }
    }

    /// Stops the reader thread and waits for it (call before closing the file descriptor).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        exited.wait()
    }

    /// Copies the next archive bytes into `output`; 0 at the end. Blocks until the reader has a block.
    func read(into output: UnsafeMutableRawBufferPointer) throws(RegistryError) -> Int {
        var written = 0
        while written < output.count {
            if current == nil {
                condition.lock()
                while ready.isEmpty && failure == nil && !finished && written == 0 { condition.wait() }
                if let failure {
                    condition.unlock()
                    throw failure
                }
                if ready.isEmpty {
                    condition.unlock()
                    break  // the end, or nothing more ready yet: send what we have
                }
                current = ready.removeFirst()
                condition.unlock()
            }
            guard var block = current else { break }
            let count = min(block.count - block.offset, output.count - written)
            (output.baseAddress! + written).copyMemory(from: block.buffer.baseAddress! + block.offset, byteCount: count)
            written += count
            block.offset += count
            if block.offset == block.count {
                condition.lock()
                free.append(block.buffer)
                condition.signal()
                condition.unlock()
                current = nil
            } else {
                current = block
            }
        }
        return written
    }

    /// The archive's SHA-256 and the scanner's findings, once every byte has been read.
    func results() throws(RegistryError) -> (SHA256.Digest, TarScanner) {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        guard finished else { throw .io("the archive digest was asked for before the archive was read to the end") }
        return (hasher.finalize(), scanner)
    }

    private func readLoop() {
        while true {
            condition.lock()
            while free.isEmpty && !stopped { condition.wait() }
            if stopped || offset == size {
                condition.unlock()
                return
            }
            let buffer = free.removeLast()
            condition.unlock()

            var failure: RegistryError?
            let want = Int(min(Int64(buffer.count), size - offset))
            var count: Int
            repeat {
                count = Glibc.read(fd, buffer.baseAddress, want)
            } while count < 0 && errno == EINTR
            if count < 0 {
                failure = .io("reading \(path) failed: \(errnoText())")
            } else if count == 0 {
                failure = .io("the archive \(path) shrank while it was being read (\(offset) of \(size) bytes)")
            } else {
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
                hasher.update(bufferPointer: bytes)
                do {
                    try scanner.consume(bytes)
                    offset += Int64(count)
                    if offset == size { try scanner.finish() }
                } catch {
                    failure = error
                }
            }

            condition.lock()
            if let failure {
                self.failure = failure
                free.append(buffer)
            } else {
                ready.append(Block(buffer: buffer, count: count))
                if offset == size { finished = true }
            }
            condition.broadcast()
            condition.unlock()
            if failure != nil { return }
        }
    }
}
