import Foundation

/// The pod this process runs in, which names its control queue.
enum PodName {
    /// `/etc/hostname` (Kubernetes writes the pod name there; a CRIU-restored process finds its new pod's
    /// name there, while its environment still holds the source pod's), else `fallback` (`POD_NAME`), else
    /// the kernel's host name.
    static func current(fallback: String?) -> String {
        if let text = try? String(contentsOfFile: "/etc/hostname", encoding: .utf8) {
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty { return name }
        }
        if let fallback, !fallback.isEmpty { return fallback }
        return ProcessInfo.processInfo.hostName
    }
}
