/// Splits a byte stream into complete top-level JSON values, however the stream was chunked: the framing
/// of a watch response (newline-delimited JSON, though the newline is not relied upon).
struct JSONObjectFramer {
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var start: Int?
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Refuse to buffer a single value larger than this (a runaway stream).
    let maximumValueSize: Int

    init(maximumValueSize: Int = 64 << 20) {
        self.maximumValueSize = maximumValueSize
    }

    /// Appends a chunk and returns every value it completed, in order.
    mutating func push(_ chunk: [UInt8]) throws(KubeClientError) -> [[UInt8]] {
        buffer.append(contentsOf: chunk)
        var values: [[UInt8]] = []
        var index = scanned
        let count = buffer.count
        buffer.withUnsafeBufferPointer { bytes in
            while index < count {
                let byte = bytes[index]
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                } else {
                    switch byte {
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        if depth == 0 { start = index }
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0, let first = start {
                            values.append(Array(bytes[first...index]))
                            start = nil
                        }
                    case UInt8(ascii: "\""):
                        inString = true
                    default:
                        break
                    }
                }
                index += 1
            }
        }
        // Drop what has been consumed.
        let keepFrom = start ?? count
        if keepFrom > 0 {
            buffer.removeFirst(keepFrom)
            start = start.map { $0 - keepFrom }
        }
        scanned = buffer.count
        if buffer.count > maximumValueSize {
            throw .decoding("a watch event exceeded \(maximumValueSize) bytes")
        }
        return values
    }

    /// Whether a value has started but not completed (the stream ended mid-event).
    var hasPartialValue: Bool { start != nil }
}
