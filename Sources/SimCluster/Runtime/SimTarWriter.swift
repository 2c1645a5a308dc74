import Foundation

/// Writes a small POSIX ustar archive from members held in memory: what a checkpoint archive of a simulated
/// container holds (a few JSON documents and the program's state). Blocks (file writes).
struct SimTarWriter {
    /// One archive member: a regular file or a directory.
    struct Member {
        var name: String
        var contents: [UInt8]
        var isDirectory: Bool
        var modificationTime: Int

        static func file(_ name: String, _ contents: [UInt8], modified: Int) -> Member {
            Member(name: name, contents: contents, isDirectory: false, modificationTime: modified)
        }

        static func directory(_ name: String, modified: Int) -> Member {
            Member(name: name.hasSuffix("/") ? name : name + "/", contents: [], isDirectory: true, modificationTime: modified)
        }
    }

    static let blockSize = 512

    /// Writes the archive to a temporary name next to `path` and renames it into place.
    static func write(_ members: [Member], to path: String) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(members.reduce(1024) { $0 + blockSize * 2 + $1.contents.count })
        for member in members {
            bytes += try header(member)
            bytes += member.contents
            bytes += [UInt8](repeating: 0, count: (blockSize - member.contents.count % blockSize) % blockSize)
        }
        bytes += [UInt8](repeating: 0, count: blockSize * 2)
        let temporary = path + ".tmp-\(UUID().uuidString.prefix(8))"
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// The 512-byte ustar header of `member` (names over 100 bytes go into the 155-byte prefix field).
    static func header(_ member: Member) throws -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        var name = member.name
        var prefix = ""
        if name.utf8.count > 100 {
            let bytes = Array(name.utf8)
            guard let split = bytes.indices.last(where: { bytes[$0] == UInt8(ascii: "/") && $0 < 155 && bytes.count - $0 - 1 <= 100 }) else {
                throw SimRuntimeError.runtime("the archive member name \(member.name) is too long for ustar")
            }
            prefix = String(decoding: bytes[..<split], as: UTF8.self)
            name = String(decoding: bytes[(split + 1)...], as: UTF8.self)
        }
        guard member.contents.count < 0o77777777777 else { throw SimRuntimeError.runtime("the archive member \(member.name) is too large") }
        put(name, at: 0, width: 100)
        octal(member.isDirectory ? 0o755 : 0o600, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(member.contents.count, at: 124, width: 12)
        octal(member.modificationTime, at: 136, width: 12)
        block[156] = member.isDirectory ? UInt8(ascii: "5") : UInt8(ascii: "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        put("root", at: 265, width: 32)
        put("root", at: 297, width: 32)
        put(prefix, at: 345, width: 155)
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int($1) }
        let digits = String(sum, radix: 8)
        put(String(repeating: "0", count: 6 - digits.count) + digits, at: 148, width: 6)
        block[154] = 0
        block[155] = UInt8(ascii: " ")
        return block
    }
}
