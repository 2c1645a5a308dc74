#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A checkpoint archive on disk: its identity (device, inode, size, modification time) and checks that it is
/// a readable, regular, non-empty tar file. All of it is blocking and runs on `BlockingIO`.
public struct ArchiveFile: Hashable, Sendable, Codable {
    public var path: String
    public var size: Int64
    public var device: UInt64
    public var inode: UInt64
    public var modifiedNanoseconds: Int64

    /// Stats `path` and checks that it starts with a tar header; throws `RegistryError.invalidInput` otherwise.
    public static func load(_ path: String) async throws -> ArchiveFile {
        try await BlockingIO.run { try inspect(path) }
    }

    static func inspect(_ path: String) throws(RegistryError) -> ArchiveFile {
        guard !path.isEmpty else { throw .invalidInput("no archive path was given") }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .invalidInput("cannot read the archive \(path): \(errnoText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .invalidInput("the archive \(path) is not a regular file") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .invalidInput("cannot open the archive \(path): \(errnoText())") }
        defer { close(fd) }
        guard info.st_size > 0 else { throw .invalidInput("the archive \(path) is empty") }
        var first = [UInt8](repeating: 0, count: TarScanner.blockSize)
        let count = first.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw .invalidInput("cannot read the archive \(path): \(errnoText())") }
        do {
            try TarScanner.validateFirstBlock(Array(first.prefix(count)))
        } catch {
            throw .invalidInput("\(path): \(error)")
        }
        return ArchiveFile(
            path: path, size: Int64(info.st_size), device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
            modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// Whether the file on disk is still this one, unchanged.
    func isUnchanged() -> Bool {
        (try? Self.inspect(path)) == self
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
