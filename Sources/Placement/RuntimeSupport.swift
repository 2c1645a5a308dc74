public import KubeModel

/// Whether a node's container runtime and kubelet can checkpoint and restore containers, read from
/// `status.nodeInfo`.
///
/// Checkpointing needs the kubelet's `ContainerCheckpoint` API (alpha in 1.25, beta and on by default from
/// 1.30) and a runtime that implements it: CRI-O from 1.25, containerd from 2.1. Restoring a checkpoint image
/// as a pod's image is the same requirement on the target.
public enum RuntimeSupport {
    /// The oldest CRI-O that checkpoints and restores.
    public static let minimumCRIO = [1, 25]
    /// The oldest containerd that checkpoints and restores.
    public static let minimumContainerd = [2, 1]
    /// The oldest kubelet with the checkpoint API.
    public static let minimumKubelet = [1, 25]

    /// nil when `node` can checkpoint and restore; otherwise what to upgrade.
    public static func problem(with node: Node) -> String? {
        let name = node.metadata.name ?? "node"
        guard let info = node.status?.nodeInfo else { return "node \(name) reports no nodeInfo" }
        let runtime = info.containerRuntimeVersion ?? ""
        let parts = runtime.split(separator: "://", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return "node \(name) reports no container runtime version (\"\(runtime)\")" }
        let version = numericVersion(parts[1])
        switch parts[0] {
        case "cri-o":
            if !atLeast(version, minimumCRIO) {
                return "node \(name) runs CRI-O \(parts[1]); checkpoint/restore needs CRI-O ≥ 1.25 (upgrade CRI-O, and allow restore in [crio.checkpoint_restore])"
            }
        case "containerd":
            if !atLeast(version, minimumContainerd) {
                return "node \(name) runs containerd \(parts[1]); checkpoint/restore needs containerd ≥ 2.1 (upgrade containerd)"
            }
        default:
            return "node \(name) runs \(parts[0]) \(parts[1]), which cannot checkpoint containers; use CRI-O ≥ 1.25 or containerd ≥ 2.1"
        }
        let kubelet = info.kubeletVersion ?? ""
        if !atLeast(numericVersion(kubelet), minimumKubelet) {
            return "node \(name) runs kubelet \(kubelet); the checkpoint API needs kubelet ≥ 1.25 with the ContainerCheckpoint feature gate (default on from 1.30)"
        }
        return nil
    }

    /// `v1.31.2-eks` → [1, 31, 2].
    static func numericVersion(_ text: String) -> [Int] {
        var trimmed = Substring(text)
        if trimmed.hasPrefix("v") { trimmed = trimmed.dropFirst() }
        var numbers: [Int] = []
        for part in trimmed.split(separator: ".") {
            let digits = part.prefix { $0.isNumber }
            guard let n = Int(digits) else { break }
            numbers.append(n)
            if digits.count != part.count { break }
        }
        return numbers
    }

    static func atLeast(_ version: [Int], _ minimum: [Int]) -> Bool {
        guard !version.isEmpty else { return false }
        for (i, m) in minimum.enumerated() {
            let v = i < version.count ? version[i] : 0
            if v != m { return v > m }
        }
        return true
    }
}
