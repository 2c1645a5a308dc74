import Synchronization

/// The last `capacity` bytes a process wrote to stdout and stderr, interleaved in arrival order (what
/// `kubectl logs` would show of a container whose log was rotated down to its tail).
final class OutputTail: Sendable {
    let capacity: Int
    private let bytes = Mutex<[UInt8]>([])

    init(capacity: Int = 64 << 10) {
        self.capacity = capacity
    }

    /// Appends output, dropping the oldest bytes beyond the capacity.
    func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.withLock { buffer in
            buffer.append(contentsOf: chunk.suffix(capacity))
            if buffer.count > capacity { buffer.removeFirst(buffer.count - capacity) }
        }
    }

    /// Appends a line of text (the runtime's own messages, such as a failure to start).
    func append(line: String) {
        Array((line + "\n").utf8).withUnsafeBytes { append($0) }
    }

    /// The kept output as UTF-8 text.
    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}
