import Foundation

/// Annotation keys the container runtimes read from a checkpoint image's manifest.
public enum CheckpointAnnotation {
    /// CRI-O: the image is a checkpoint of this container (CRI-O restores only images carrying it).
    public static let crioName = "io.kubernetes.cri-o.annotations.checkpoint.name"
    public static let crioRootfsImageName = "io.kubernetes.cri-o.annotations.checkpoint.rootfsImageName"
    public static let crioRootfsImageID = "io.kubernetes.cri-o.annotations.checkpoint.rootfsImageID"
    public static let crioRuntimeName = "io.kubernetes.cri-o.annotations.checkpoint.runtime.name"
    public static let crioRuntimeVersion = "io.kubernetes.cri-o.annotations.checkpoint.runtime.version"
    public static let crioCriuVersion = "io.kubernetes.cri-o.annotations.checkpoint.criu.version"
    public static let crioPod = "io.kubernetes.cri-o.annotations.checkpoint.pod"
    public static let crioNamespace = "io.kubernetes.cri-o.annotations.checkpoint.namespace"
    /// The engine-neutral keys (checkpointctl's metadata package; containerd and Podman read these).
    public static let criuName = "org.criu.checkpoint.container.name"
    public static let criuRootfsImageName = "org.criu.checkpoint.rootfsImageName"
    public static let criuRootfsImageID = "org.criu.checkpoint.rootfsImageID"
    public static let criuRuntimeName = "org.criu.checkpoint.runtime.name"
    public static let criuRuntimeVersion = "org.criu.checkpoint.runtime.version"
    public static let criuCriuVersion = "org.criu.checkpoint.criu.version"
    public static let criuEngineName = "org.criu.checkpoint.engine.name"
    public static let criuEngineVersion = "org.criu.checkpoint.engine.version"
    public static let criuPodName = "org.criu.checkpoint.pod.name"
    public static let criuPodNamespace = "org.criu.checkpoint.pod.namespace"
    /// The standard creation time annotation.
    public static let created = "org.opencontainers.image.created"
}

/// The operating system and CPU architecture an image is for (OCI/Go names: `linux`, `amd64`, `arm64`).
public struct ImagePlatform: Hashable, Sendable {
    public var os: String
    public var architecture: String

    public init(os: String = "linux", architecture: String) {
        self.os = os
        self.architecture = architecture
    }

    /// The platform of the machine this runs on.
    public static var current: ImagePlatform {
        #if arch(x86_64)
        ImagePlatform(architecture: "amd64")
        #elseif arch(arm64)
        ImagePlatform(architecture: "arm64")
        #elseif arch(s390x)
        ImagePlatform(architecture: "s390x")
        #elseif arch(powerpc64le)
        ImagePlatform(architecture: "ppc64le")
        #else
        ImagePlatform(architecture: "unknown")
        #endif
    }
}

/// A checkpoint image ready to push: the serialized config and manifest, and the layer's descriptor.
public struct CheckpointImage: Sendable {
    public var config: [UInt8]
    public var configDescriptor: OCIDescriptor
    public var layer: OCIDescriptor
    public var manifest: OCIImageManifest
    /// The manifest exactly as pushed (its digest is the image's digest).
    public var manifestBytes: [UInt8]
    public var manifestDigest: OCIDigest
}

/// Assembles the OCI config and manifest of a checkpoint image. Pure: the same archive, container name and
/// platform always give the same bytes (the creation time is the archive's modification time), so pushing
/// the same checkpoint twice yields the same digest and uploads nothing new.
public enum CheckpointImageBuilder {
    /// The manifest annotations for a checkpoint of `containerName`, with whatever the archive told us.
    public static func annotations(containerName: String, metadata: CheckpointMetadata, created: String?) -> [String: String] {
        var annotations = [
            CheckpointAnnotation.crioName: containerName,
            CheckpointAnnotation.criuName: containerName,
        ]
        func set(_ value: String?, _ keys: String...) {
            guard let value, !value.isEmpty else { return }
            for key in keys { annotations[key] = value }
        }
        set(metadata.rootfsImageName, CheckpointAnnotation.crioRootfsImageName, CheckpointAnnotation.criuRootfsImageName)
        set(metadata.rootfsImageRef, CheckpointAnnotation.crioRootfsImageID, CheckpointAnnotation.criuRootfsImageID)
        set(metadata.runtimeName, CheckpointAnnotation.crioRuntimeName, CheckpointAnnotation.criuRuntimeName)
        set(metadata.runtimeVersion, CheckpointAnnotation.crioRuntimeVersion, CheckpointAnnotation.criuRuntimeVersion)
        set(metadata.criuVersion, CheckpointAnnotation.crioCriuVersion, CheckpointAnnotation.criuCriuVersion)
        set(metadata.engine, CheckpointAnnotation.criuEngineName)
        set(metadata.engineVersion, CheckpointAnnotation.criuEngineVersion)
        set(metadata.podName, CheckpointAnnotation.crioPod, CheckpointAnnotation.criuPodName)
        set(metadata.podNamespace, CheckpointAnnotation.crioNamespace, CheckpointAnnotation.criuPodNamespace)
        set(created, CheckpointAnnotation.created)
        return annotations
    }

    /// Builds the image around a layer whose digests are known.
    public static func build(
        containerName: String, metadata: CheckpointMetadata, layer: LayerDigests, platform: ImagePlatform,
        created: String?
    ) throws -> CheckpointImage {
        let config = OCIImageConfig(
            created: created, architecture: platform.architecture, os: platform.os, diffIDs: [layer.diffID],
            history: [.init(created: created, createdBy: "ms2m checkpoint-transfer", comment: "CRIU checkpoint of container \(containerName)")])
        let configBytes = try CanonicalJSON.encode(config)
        let configDescriptor = OCIDescriptor(
            mediaType: OCIMediaType.imageConfig, digest: .sha256(configBytes), size: Int64(configBytes.count))
        let layerDescriptor = OCIDescriptor(
            mediaType: layer.compressed ? OCIMediaType.layerTarGzip : OCIMediaType.layerTar, digest: layer.digest,
            size: layer.size)
        let manifest = OCIImageManifest(
            config: configDescriptor, layers: [layerDescriptor],
            annotations: annotations(containerName: containerName, metadata: metadata, created: created))
        let manifestBytes = try CanonicalJSON.encode(manifest)
        return CheckpointImage(
            config: configBytes, configDescriptor: configDescriptor, layer: layerDescriptor, manifest: manifest,
            manifestBytes: manifestBytes, manifestDigest: .sha256(manifestBytes))
    }

    /// RFC 3339 UTC for a time in nanoseconds since the epoch (second precision).
    public static func timestamp(nanosecondsSinceEpoch: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(nanosecondsSinceEpoch / 1_000_000_000)))
    }
}
