/// Walks a tar stream's headers as its bytes go by, without extracting anything.
///
/// It checks every header (checksum, ustar magic, numeric fields), follows GNU long names and PAX `path`
/// records, and keeps the contents of a few small named members (`config.dump`, `spec.dump`) so the image
/// can carry the checkpoint's metadata as annotations. It can be fed every byte (while the archive streams
/// to the registry) or driven by seeks: `skippable` says how many bytes of entry data it does not need.
public struct TarScanner: Sendable {
    static let blockSize = 512

    private enum State: Sendable {
        case header
        case data(remaining: Int64, padding: Int64, capture: Capture?)
        case end
    }

    private enum Capture: Sendable {
        case member(String)
        case gnuLongName
        case paxHeader
    }

    private let capturing: Set<String>
    private let captureLimit: Int
    private var state = State.header
    private var block: [UInt8] = []
    private var captureBuffer: [UInt8] = []
    private var pendingName: String?
    private var zeroBlocks = 0

    /// How many bytes have been consumed or skipped.
    public private(set) var offset: Int64 = 0
    /// How many members (files, directories, links) the archive has so far.
    public private(set) var entryCount = 0
    /// The contents of the captured members, by normalized name (`config.dump`, not `./config.dump`).
    public private(set) var captured: [String: [UInt8]] = [:]
    /// Every member name seen so far (normalized), in order; bounded to the first 10,000.
    public private(set) var names: [String] = []

    /// A scanner that keeps members named in `capturing` whose size is at most `captureLimit` bytes.
    public init(capturing: Set<String> = ["config.dump", "spec.dump"], captureLimit: Int = 4 << 20) {
        self.capturing = capturing
        self.captureLimit = captureLimit
        block.reserveCapacity(Self.blockSize)
    }

    /// Whether the end-of-archive marker (two zero blocks) has been seen.
    public var isAtEnd: Bool {
        if case .end = state { return true }
        return false
    }

    /// Entry data (and padding) that can be skipped without being consumed: it is not captured.
    public var skippable: Int64 {
        if case .data(let remaining, let padding, nil) = state { return remaining + padding }
        return 0
    }

    /// Skips `count` bytes, at most `skippable`.
    public mutating func skip(_ count: Int64) {
        guard case .data(let remaining, let padding, nil) = state, count > 0 else { return }
        precondition(count <= remaining + padding, "skipped past the entry")
        offset += count
        if count < remaining {
            state = .data(remaining: remaining - count, padding: padding, capture: nil)
        } else {
            let left = remaining + padding - count
            state = left == 0 ? .header : .data(remaining: 0, padding: left, capture: nil)
        }
    }

    /// Consumes the next bytes of the archive.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(RegistryError) {
        var index = 0
        while index < bytes.count {
            switch state {
            case .end:
                offset += Int64(bytes.count - index)
                return
            case .header:
                let take = min(Self.blockSize - block.count, bytes.count - index)
                block.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                index += take
                offset += Int64(take)
                if block.count == Self.blockSize {
                    try headerCompleted()
                    block.removeAll(keepingCapacity: true)
                }
            case .data(let remaining, let padding, let capture):
                let available = Int64(bytes.count - index)
                if remaining > 0 {
                    let take = Int(min(remaining, available))
                    if capture != nil {
                        captureBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                    }
                    index += take
                    offset += Int64(take)
                    state = .data(remaining: remaining - Int64(take), padding: padding, capture: capture)
                    if remaining - Int64(take) == 0 && padding == 0 { try dataCompleted() }
                } else {
                    let take = Int(min(padding, available))
                    index += take
                    offset += Int64(take)
                    if padding - Int64(take) == 0 {
                        state = .data(remaining: 0, padding: 0, capture: capture)
                        try dataCompleted()
                    } else {
                        state = .data(remaining: 0, padding: padding - Int64(take), capture: capture)
                    }
                }
            }
        }
    }

    /// Checks the archive ended at a member boundary (not in the middle of a header or a member's data).
    public func finish() throws(RegistryError) {
        switch state {
        case .end:
            return
        case .header where block.isEmpty && entryCount > 0:
            return
        case .header where entryCount == 0:
            throw .invalidInput("the archive is not a tar file: it holds no tar members")
        default:
            throw .invalidInput("the tar archive is truncated at byte \(offset)")
        }
    }

    /// Checks that `block` (the archive's first 512 bytes) is a tar header: ustar magic and a valid checksum.
    public static func validateFirstBlock(_ block: [UInt8]) throws(RegistryError) {
        guard block.count == blockSize else {
            throw .invalidInput("the archive is not a tar file: it is shorter than one 512-byte header")
        }
        if block.starts(with: [0x1F, 0x8B]) {
            throw .invalidInput("the archive is gzip-compressed; the kubelet writes plain tar checkpoint archives")
        }
        try validateHeader(block, at: 0)
    }

    static func validateHeader(_ block: [UInt8], at offset: Int64) throws(RegistryError) {
        let magic = Array(block[257..<263])
        let posix: [UInt8] = Array("ustar".utf8) + [0]
        let gnu: [UInt8] = Array("ustar ".utf8)
        guard magic == posix || magic == gnu else {
            throw .invalidInput("the archive is not a tar file: no ustar magic in the header at byte \(offset)")
        }
        guard let stored = parseOctal(block[148..<156]) else {
            throw .invalidInput("the archive is not a tar file: unreadable header checksum at byte \(offset)")
        }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (position, byte) in block.enumerated() {
            let value = (148..<156).contains(position) ? UInt8(ascii: " ") : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw .invalidInput("the archive is not a valid tar file: header checksum mismatch at byte \(offset)")
        }
    }

    // MARK: - Headers

    private mutating func headerCompleted() throws(RegistryError) {
        let headerOffset = offset - Int64(Self.blockSize)
        if block.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            if zeroBlocks == 2 { state = .end }
            return
        }
        if zeroBlocks > 0 {
            throw .invalidInput("the tar archive has a stray zero block before byte \(headerOffset)")
        }
        try Self.validateHeader(block, at: headerOffset)
        let typeflag = block[156]
        guard let size = Self.parseNumber(block[124..<136]), size >= 0 else {
            throw .invalidInput("the tar archive has an unreadable member size at byte \(headerOffset)")
        }
        var name = Self.cString(block[0..<100])
        let prefix = block[257..<263] == ArraySlice(Array("ustar".utf8) + [0]) ? Self.cString(block[345..<500]) : ""
        if !prefix.isEmpty { name = prefix + "/" + name }

        // Members whose data is never stored, whatever their size field says.
        let headerOnly: Set<UInt8> = [UInt8(ascii: "1"), UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "4"),
                                      UInt8(ascii: "5"), UInt8(ascii: "6")]
        let dataSize = headerOnly.contains(typeflag) ? 0 : size
        let padding = (Int64(Self.blockSize) - dataSize % Int64(Self.blockSize)) % Int64(Self.blockSize)

        var capture: Capture?
        switch typeflag {
        case UInt8(ascii: "L"):
            capture = .gnuLongName
        case UInt8(ascii: "x"):
            capture = .paxHeader
        case UInt8(ascii: "g"), UInt8(ascii: "K"):
            capture = nil
        default:
            if let long = pendingName { name = long }
            pendingName = nil
            let normalized = Self.normalize(name)
            entryCount += 1
            if names.count < 10_000 { names.append(normalized) }
            if capturing.contains(normalized), dataSize <= Int64(captureLimit) { capture = .member(normalized) }
        }
        if capture != nil, dataSize > Int64(max(captureLimit, 1 << 20)) {
            throw .invalidInput("the tar archive has an oversized extended header at byte \(headerOffset)")
        }
        captureBuffer.removeAll(keepingCapacity: true)
        if dataSize == 0 && padding == 0 {
            state = .data(remaining: 0, padding: 0, capture: capture)
            try dataCompleted()
        } else {
            state = .data(remaining: dataSize, padding: padding, capture: capture)
        }
    }

    private mutating func dataCompleted() throws(RegistryError) {
        guard case .data(_, _, let capture) = state else { return }
        state = .header
        switch capture {
        case .member(let name):
            captured[name] = captureBuffer
        case .gnuLongName:
            pendingName = Self.cString(captureBuffer[...])
        case .paxHeader:
            if let path = Self.paxPath(captureBuffer) { pendingName = path }
        case nil:
            break
        }
        captureBuffer.removeAll(keepingCapacity: true)
    }

    // MARK: - Field decoding

    static func normalize(_ name: String) -> String {
        var result = Substring(name)
        while result.hasPrefix("./") { result = result.dropFirst(2) }
        while result.hasPrefix("/") { result = result.dropFirst() }
        return String(result)
    }

    static func cString(_ field: ArraySlice<UInt8>) -> String {
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    static func parseOctal(_ field: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for byte in field {
            if byte == 0 || byte == UInt8(ascii: " ") {
                if digits > 0 { break } else { continue }
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7"), value < Int64.max >> 3 else { return nil }
            value = value << 3 | Int64(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits > 0 ? value : (field.allSatisfy { $0 == 0 || $0 == UInt8(ascii: " ") } ? 0 : nil)
    }

    /// Octal, or GNU base-256 when the high bit of the first byte is set (sizes of 8 GiB and more).
    static func parseNumber(_ field: ArraySlice<UInt8>) -> Int64? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x7F)
            for byte in field.dropFirst() {
                guard value < Int64.max >> 8 else { return nil }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        return parseOctal(field)
    }

    /// The `path` record of a PAX extended header (`<length> path=<value>\n` records, the length counting the
    /// whole record, its own digits included). Parsing stops at the first malformed record — a length that is
    /// not a decimal number, shorter than its own prefix, or longer than what is left — keeping what was read.
    static func paxPath(_ data: [UInt8]) -> String? {
        var index = 0
        var path: String?
        while index < data.count {
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")), space - index <= 20,
                let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
                length > space - index, length <= data.count - index
            else { return path }
            let record = data[(space + 1)..<(index + length)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                var value = record[(equals + 1)...]
                if value.last == UInt8(ascii: "\n") { value = value.dropLast() }
                if key == "path" { path = String(decoding: value, as: UTF8.self) }
            }
            index += length
        }
        return path
    }
}
