import Foundation

/// What a checkpoint archive says about itself, read from `config.dump` (the engine's container config) and
/// `spec.dump` (the OCI runtime spec) inside the tar. Every field is optional: archives from different
/// engines and versions carry different subsets.
public struct CheckpointMetadata: Codable, Hashable, Sendable {
    /// The container's name as the runtime knew it.
    public var containerName: String?
    /// The image the container ran (`rootfsImageName`, e.g. `registry/app:1.2`).
    public var rootfsImageName: String?
    /// The image's ID or digest reference (`rootfsImageRef`).
    public var rootfsImageRef: String?
    /// The OCI runtime (`runc`, `crun`).
    public var runtimeName: String?
    public var runtimeVersion: String?
    public var criuVersion: String?
    /// The container engine, when the spec's annotations reveal it (`cri-o`, `containerd`).
    public var engine: String?
    public var engineVersion: String?
    public var podName: String?
    public var podNamespace: String?

    public init() {}

    /// Reads the captured `config.dump` and `spec.dump` members; members that are absent or not JSON are skipped.
    public init(configDump: [UInt8]?, specDump: [UInt8]?) {
        let config = configDump.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] } ?? [:]
        let spec = specDump.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] } ?? [:]
        let annotations = (spec["annotations"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
        func text(_ value: Any?) -> String? {
            guard let string = value as? String, !string.isEmpty else { return nil }
            return string
        }
        func annotation(endingWith suffixes: [String]) -> String? {
            for suffix in suffixes {
                if let match = annotations.first(where: { $0.key.hasSuffix(suffix) && !$0.value.isEmpty }) { return match.value }
            }
            return nil
        }
        containerName = text(config["name"]) ?? annotations["io.kubernetes.container.name"]
        rootfsImageName = text(config["rootfsImageName"]) ?? text(config["rootfsImage"])
            ?? annotations["io.kubernetes.cri-o.ImageName"] ?? annotations["io.kubernetes.cri.image-name"]
        rootfsImageRef = text(config["rootfsImageRef"])
        runtimeName = text(config["runtime"]) ?? text(config["ociRuntime"])
        runtimeVersion = text(config["runtimeVersion"]) ?? annotation(endingWith: ["checkpoint.runtime.version"])
        criuVersion = text(config["criuVersion"]) ?? annotation(endingWith: ["checkpoint.criu.version", "criu.version"])
        podName = annotations["io.kubernetes.pod.name"]
        podNamespace = annotations["io.kubernetes.pod.namespace"]
        if annotations.keys.contains(where: { $0.hasPrefix("io.kubernetes.cri-o.") }) {
            engine = "cri-o"
        } else if annotations.keys.contains(where: { $0.hasPrefix("io.kubernetes.cri.") }) {
            engine = "containerd"
        }
        engineVersion = text(config["engineVersion"])
    }
}
