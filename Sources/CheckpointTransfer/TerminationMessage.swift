import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes the Kubernetes termination message: the file the kubelet copies into the container's
/// `state.terminated.message`, from which the operator reads the pushed digest (or the failure).
struct TerminationMessage {
    static let defaultPath = "/dev/termination-log"

    let path: String
    /// The default path is only written when it exists (the kubelet bind-mounts it into the pod), so running
    /// the tool by hand does not create files under `/dev`; an explicitly given path is always written.
    let explicit: Bool

    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    func write(_ object: [String: Any]) throws {
        guard explicit || FileManager.default.fileExists(atPath: path) else { return }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        // Opened and truncated in place, never replaced by rename: the kubelet's file is a bind mount.
        // Kubernetes keeps at most 4096 bytes.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(description: "cannot write the termination message to \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(data.prefix(4096))
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw WriteError(description: "cannot write the termination message to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
