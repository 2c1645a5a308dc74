import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Remembers, on the archive itself (a `user.ms2m.layer` extended attribute), the layer digests and
/// checkpoint metadata of its last complete read, so a second push of the same unchanged archive can ask the
/// registry whether it already has the blob instead of uploading it again.
///
/// The entry is bound to the file's device, inode, size and modification time and to the compression
/// setting; anything else is a miss. File systems without user extended attributes just never hit.
enum DigestCache {
    static let attribute = "user.ms2m.layer"

    struct Entry: Codable, Equatable {
        var archive: ArchiveFile
        var compressionLevel: Int32?
        var layer: LayerDigests
        var metadata: CheckpointMetadata
    }

    static func lookup(_ archive: ArchiveFile, compressionLevel: Int32?) -> Entry? {
        guard let get = functions.get else { return nil }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let count = buffer.withUnsafeMutableBytes { get(archive.path, attribute, $0.baseAddress, $0.count) }
        guard count > 0, let entry = try? JSONDecoder().decode(Entry.self, from: Data(buffer.prefix(count))) else { return nil }
        var identity = entry.archive
        identity.path = archive.path
        guard identity == archive, entry.compressionLevel == compressionLevel else { return nil }
        return entry
    }

    static func store(_ entry: Entry) {
        guard let set = functions.set, let data = try? JSONEncoder().encode(entry), data.count < 16 * 1024 else { return }
        _ = data.withUnsafeBytes { set(entry.archive.path, attribute, $0.baseAddress, $0.count, 0) }
    }

    // `setxattr`/`getxattr` are not exported by the Glibc module; look them up in libc once.
    private typealias GetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    private typealias SetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32

    private struct Functions: @unchecked Sendable {
        var get: GetXattr?
        var set: SetXattr?
    }

    private static let functions: Functions = {
        guard let handle = dlopen(nil, RTLD_NOW) else { return Functions() }
        return Functions(
            get: dlsym(handle, "getxattr").map { unsafeBitCast($0, to: GetXattr.self) },
            set: dlsym(handle, "setxattr").map { unsafeBitCast($0, to: SetXattr.self) })
    }()
}
