import Foundation

/// Writes small POSIX ustar archives shaped like kubelet checkpoint archives (tests of the tar scanner, the
/// transfer tool and the node agent, and the fuzz corpus).
public enum TarBuilder {
    /// One member: a file, a directory, or (with `type`) another entry kind.
    public struct Member: Sendable {
        public var name: String
        public var contents: [UInt8]
        public var directory = false
        /// The typeflag when it is neither a file nor a directory (`x`: a PAX extended header).
        public var type: UInt8? = nil

        /// A member.
        public init(name: String, contents: [UInt8], directory: Bool = false, type: UInt8? = nil) {
            self.name = name
            self.contents = contents
            self.directory = directory
            self.type = type
        }
    }

    /// A checkpoint-like archive: `config.dump`, `spec.dump`, `checkpoint/inventory.img` and a
    /// `checkpoint/pages-1.img` of `pagesSize` pseudo-random bytes.
    public static func checkpointArchive(at path: String, pagesSize: Int, container: String = "counter", seed: UInt64 = 1) throws {
        let config = """
            {"id":"4f2c9a","name":"\(container)","rootfsImage":"quay.io/ms2m/counter@sha256:\(String(repeating: "ab", count: 32))",\
            "rootfsImageRef":"sha256:\(String(repeating: "cd", count: 32))","rootfsImageName":"quay.io/ms2m/counter:1.4.2",\
            "runtime":"runc","createdTime":"2026-11-01T10:00:00Z","checkpointedTime":"2026-11-01T10:05:00Z"}
            """
        let spec = """
            {"ociVersion":"1.1.0","process":{"args":["/counter"]},"annotations":{"io.kubernetes.pod.name":"counter-0",\
            "io.kubernetes.pod.namespace":"default","io.kubernetes.container.name":"\(container)","io.kubernetes.cri-o.ContainerType":"container"}}
            """
        try write(at: path, members: [
            Member(name: "config.dump", contents: Array(config.utf8)),
            Member(name: "spec.dump", contents: Array(spec.utf8)),
            Member(name: "checkpoint/", contents: [], directory: true),
            Member(name: "checkpoint/inventory.img", contents: Array("inventory".utf8)),
            Member(name: "checkpoint/pages-1.img", contents: pseudoRandom(count: pagesSize, seed: seed)),
        ])
    }

    /// Writes the archive of `members` to `path`.
    public static func write(at path: String, members: [Member]) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        for member in members { try handle.write(contentsOf: try entry(member)) }
        try handle.write(contentsOf: [UInt8](repeating: 0, count: 1024))
    }

    /// The archive of `members` in memory: each header and padded contents, then the two zero blocks.
    public static func archive(_ members: [Member]) throws -> [UInt8] {
        try members.flatMap(entry) + [UInt8](repeating: 0, count: 1024)
    }

    /// One member's header and contents, padded to the 512-byte block.
    private static func entry(_ member: Member) throws -> [UInt8] {
        try header(member) + member.contents + [UInt8](repeating: 0, count: (512 - member.contents.count % 512) % 512)
    }

    public static func header(_ member: Member) throws -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: width - 1 - digits.count) + digits, at: offset, width: width - 1)
        }
        var name = member.name
        var prefix = ""
        if name.utf8.count > 100 {
            guard let split = name.utf8.indices.last(where: { name.utf8[$0] == UInt8(ascii: "/") && name.utf8.distance(from: name.utf8.startIndex, to: $0) < 155 })
            else { throw TestSupportError("name too long for ustar: \(name)") }
            prefix = String(name[..<split])
            name = String(name[name.index(after: split)...])
        }
        put(name, at: 0, width: 100)
        octal(member.directory ? 0o755 : 0o644, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(member.contents.count, at: 124, width: 12)
        octal(1_793_000_000, at: 136, width: 12)
        block[156] = member.type ?? (member.directory ? UInt8(ascii: "5") : UInt8(ascii: "0"))
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

    /// Deterministic, incompressible-ish bytes (xorshift).
    public static func pseudoRandom(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { raw in
            var index = 0
            while index < count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                withUnsafeBytes(of: state) { word in
                    for byte in word where index < count {
                        raw[index] = byte
                        index += 1
                    }
                }
            }
        }
        return bytes
    }
}
