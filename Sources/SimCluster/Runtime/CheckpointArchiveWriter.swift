import Foundation
public import KubeModel
import RegistryClient

/// Writes the checkpoint archive of a simulated container the way CRI-O lays out the archive of
/// `POST /checkpoint` (what `kubectl checkpoint` leaves under `/var/lib/kubelet/checkpoints/`):
///
/// - `config.dump`: the engine's container config (`id`, `name`, `rootfsImage`, `rootfsImageRef`,
///   `rootfsImageName`, `runtime`, `createdTime`, `checkpointedTime`),
/// - `spec.dump`: the OCI runtime spec, with the `io.kubernetes.*` annotations naming pod, namespace and container,
/// - `checkpoint/`: the CRIU image directory; here `inventory.img` (a marker) and ``stateFileName`` holding the
///   program's serialised state in place of CRIU's memory pages,
/// - `bind.mounts` and `stats-dump`, as CRI-O writes them.
///
/// `RegistryClient.CheckpointMetadata` parses what it writes, and `checkpoint-transfer` pushes it unchanged.
public struct CheckpointArchiveWriter: Sendable {
    /// The archive member holding the program's state.
    public static let stateFileName = "checkpoint/ms2m-sim-state.bin"
    /// The CRIU inventory marker (real archives hold CRIU's `inventory.img` here).
    public static let inventoryFileName = "checkpoint/inventory.img"
    /// The OCI runtime the simulated engine reports in `config.dump` (`runtime`).
    public static let ociRuntime = "runc"

    /// The container engine (`cri-o`, or `containerd`) and its version. The engine decides the spec's
    /// annotation family (`io.kubernetes.cri-o.*` or `io.kubernetes.cri.*`); the version is `engineVersion`.
    public let runtimeName: String
    public let runtimeVersion: String

    public init(runtimeName: String, runtimeVersion: String) {
        self.runtimeName = runtimeName
        self.runtimeVersion = runtimeVersion
    }

    /// Writes a CRI-O-like checkpoint tar of `containerName` in `pod` to `localPath` (atomically: a temporary
    /// name, then a rename), with `state` as the program state and `programImage` as the rootfs image.
    /// Blocks while writing; call it off the cooperative pool for large states.
    public func write(to localPath: String, pod: Pod, containerName: String, programImage: String, state: [UInt8]) throws {
        let now = Date()
        let modified = Int(now.timeIntervalSince1970)
        let members: [SimTarWriter.Member] = [
            .file("config.dump", try configDump(pod: pod, containerName: containerName, programImage: programImage, now: now), modified: modified),
            .file("spec.dump", try specDump(pod: pod, containerName: containerName, programImage: programImage), modified: modified),
            .file("bind.mounts", Array("[]".utf8), modified: modified),
            .file("stats-dump", Array(#"{"criu_dump_stats":{"pages_written":\#((state.count + 4095) / 4096)}}"#.utf8), modified: modified),
            .directory("checkpoint", modified: modified),
            .file(Self.inventoryFileName, Array("ms2m-sim CRIU inventory v1\n".utf8), modified: modified),
            .file(Self.stateFileName, state, modified: modified),
        ]
        try SimTarWriter.write(members, to: localPath)
    }

    /// The engine's container config, as CRI-O's `config.dump` (checkpointctl `ContainerConfig`).
    func configDump(pod: Pod, containerName: String, programImage: String, now: Date) throws -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let config: [String: Any] = [
            "id": containerID(pod: pod, containerName: containerName),
            "name": containerName,
            "rootfsImage": programImage,
            "rootfsImageRef": "sha256:" + OCIDigest.sha256(Array(programImage.utf8)).hex,
            "rootfsImageName": programImage,
            "runtime": Self.ociRuntime,
            "engineVersion": runtimeVersion,
            "createdTime": formatter.string(from: pod.metadata.creationTimestamp.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSinceEpoch)) } ?? now),
            "checkpointedTime": formatter.string(from: now),
        ]
        return Array(try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// The OCI runtime spec of the container, with the annotations the engine sets.
    func specDump(pod: Pod, containerName: String, programImage: String) throws -> [UInt8] {
        let podName = pod.metadata.name ?? ""
        let namespace = pod.metadata.namespace ?? "default"
        let container = pod.spec?.containers.first { $0.name == containerName }
        var annotations: [String: String] = [
            "io.kubernetes.container.name": containerName,
            "io.kubernetes.pod.name": podName,
            "io.kubernetes.pod.namespace": namespace,
            "io.kubernetes.pod.uid": pod.metadata.uid ?? "",
            "io.kubernetes.container.restartCount": "0",
        ]
        if runtimeName == "containerd" {
            annotations["io.kubernetes.cri.container-type"] = "container"
            annotations["io.kubernetes.cri.container-name"] = containerName
            annotations["io.kubernetes.cri.image-name"] = programImage
            annotations["io.kubernetes.cri.sandbox-name"] = podName
            annotations["io.kubernetes.cri.sandbox-namespace"] = namespace
        } else {
            annotations["io.kubernetes.cri-o.ContainerType"] = "container"
            annotations["io.kubernetes.cri-o.ContainerID"] = containerID(pod: pod, containerName: containerName)
            annotations["io.kubernetes.cri-o.Name"] = "k8s_\(containerName)_\(podName)_\(namespace)_\(pod.metadata.uid ?? "")_0"
            annotations["io.kubernetes.cri-o.ImageName"] = programImage
            annotations["io.kubernetes.cri-o.SandboxName"] = "k8s_\(podName)_\(namespace)_\(pod.metadata.uid ?? "")_0"
        }
        let arguments = (container?.command ?? []) + (container?.args ?? [])
        let spec: [String: Any] = [
            "ociVersion": "1.0.2-dev",
            "process": [
                "args": arguments,
                "cwd": container?.workingDir ?? "/",
                "env": (container?.env ?? []).map { "\($0.name)=\($0.value ?? "")" },
            ] as [String: Any],
            "root": ["path": "rootfs", "readonly": false] as [String: Any],
            "hostname": podName,
            "annotations": annotations,
        ]
        return Array(try JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// A stable 64-hex container ID for the pod's container.
    func containerID(pod: Pod, containerName: String) -> String {
        OCIDigest.sha256(Array("\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")/\(pod.metadata.uid ?? "")/\(containerName)".utf8)).hex
    }
}
