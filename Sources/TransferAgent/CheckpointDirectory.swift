import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kubelet's checkpoint directory (`/var/lib/kubelet/checkpoints`): the only place archives are read from
/// and deleted in.
///
/// An archive is named by a plain file name and opened relative to the directory with `O_NOFOLLOW`: it must be
/// a regular file, not a symbolic link, not empty and no larger than the limit. The open descriptor is kept for
/// the whole transfer and the pusher reads the file through it (`/proc/self/fd/<n>`), so a file swapped in
/// after the checks is never the one pushed; deletion removes the name only while it is still that file.
public struct CheckpointDirectory: Sendable {
    /// The directory's path.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Whether the directory exists and can be listed and read (readiness).
    public var isReadable: Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return false }
        return access(path, R_OK | X_OK) == 0
    }

    /// Opens the archive `name` (already checked to be a plain file name) for reading; `field` names it in errors.
    /// Throws 422 when it is missing, a link, not a regular file, empty or larger than `maxBytes`.
    public func openArchive(_ name: String, maxBytes: Int64, field: String) throws(AgentError) -> OpenedArchive {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw .invalid(field, "must be a file name in the checkpoint directory")
        }
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            throw AgentError(status: 503, "the checkpoint directory \(path) cannot be opened: \(Self.errnoText())")
        }
        defer { close(directory) }
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { throw .unusableArchive(field, "\(name) does not exist in \(path)") }
            throw .unusableArchive(field, "cannot read \(name): \(Self.errnoText())")
        }
        try Self.check(info, name: name, maxBytes: maxBytes, field: field)
        // O_NONBLOCK: were it swapped for a FIFO meanwhile, opening must not hang (checked again below).
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ELOOP { throw .unusableArchive(field, "\(name) is a symbolic link") }
            throw .unusableArchive(field, "cannot open \(name): \(Self.errnoText())")
        }
        var opened = stat()
        guard fstat(fd, &opened) == 0 else {
            close(fd)
            throw .unusableArchive(field, "cannot read \(name): \(Self.errnoText())")
        }
        do {
            try Self.check(opened, name: name, maxBytes: maxBytes, field: field)
        } catch {
            close(fd)
            throw error
        }
        return OpenedArchive(
            fd: fd, name: name, directory: path, size: Int64(opened.st_size), device: UInt64(opened.st_dev),
            inode: UInt64(opened.st_ino))
    }

    /// Deletes `archive`'s name from the directory if it still names the same file. Returns whether it did; a
    /// name already gone is not an error.
    @discardableResult
    public func remove(_ archive: OpenedArchive) throws -> Bool {
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw AgentError(status: 500, "cannot open \(path): \(Self.errnoText())") }
        defer { close(directory) }
        var info = stat()
        guard fstatat(directory, archive.name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        guard UInt64(info.st_dev) == archive.device, UInt64(info.st_ino) == archive.inode else { return false }
        guard unlinkat(directory, archive.name, 0) == 0 else {
            if errno == ENOENT { return false }
            throw AgentError(status: 500, "cannot delete \(archive.name): \(Self.errnoText())")
        }
        return true
    }

    private static func check(_ info: stat, name: String, maxBytes: Int64, field: String) throws(AgentError) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: throw .unusableArchive(field, "\(name) is a symbolic link")
        case S_IFDIR: throw .unusableArchive(field, "\(name) is a directory, not an archive")
        default: throw .unusableArchive(field, "\(name) is not a regular file")
        }
        guard info.st_size > 0 else { throw .unusableArchive(field, "\(name) is empty") }
        guard Int64(info.st_size) <= maxBytes else {
            throw .unusableArchive(field, "\(name) is \(info.st_size) bytes, more than the agent's limit of \(maxBytes)")
        }
    }

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}

/// A checkpoint archive opened by `CheckpointDirectory`; the descriptor is closed when the last reference goes.
public final class OpenedArchive: Sendable {
    /// The open descriptor.
    let fd: Int32
    /// The file name in the directory.
    public let name: String
    /// The directory it was opened in.
    public let directory: String
    public let size: Int64
    let device: UInt64
    let inode: UInt64

    init(fd: Int32, name: String, directory: String, size: Int64, device: UInt64, inode: UInt64) {
        self.fd = fd
        self.name = name
        self.directory = directory
        self.size = size
        self.device = device
        self.inode = inode
    }

    deinit { close(fd) }

    /// The path the pusher reads: the open descriptor (`/proc/self/fd/<n>`) where procfs exists, so the pushed
    /// file is the checked one; else the name in the directory.
    public var readPath: String {
        #if os(Linux)
        return "/proc/self/fd/\(fd)"
        #else
        return (directory as NSString).appendingPathComponent(name)
        #endif
    }
}
