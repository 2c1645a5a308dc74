public import KubeModel
public import MigrationAPI
import Unstructured

/// How transfer Jobs are made: the image of `checkpoint-transfer` and the Job's limits.
public struct TransferJobSettings: Sendable, Hashable {
    /// The image built by `Dockerfile.transfer`.
    public var image: String
    /// The pull policy of that image.
    public var imagePullPolicy: String?
    /// The Job's service account (needs no API permissions).
    public var serviceAccountName: String?
    /// Pod retries before the Job fails.
    public var backoffLimit: Int
    /// How long finished Jobs stay (the engine deletes them itself once read).
    public var ttlSecondsAfterFinished: Int
    /// Upload chunk size in MiB (0: one request); nil lets `checkpoint-transfer` size chunks adaptively
    /// (about 3 s each, so an interruption loses little and per-request overhead stays small).
    public var chunkSizeMiB: Int?

    /// Creates settings.
    public init(
        image: String = "ghcr.io/ms2m/checkpoint-transfer:latest", imagePullPolicy: String? = "IfNotPresent",
        serviceAccountName: String? = "ms2m-checkpoint-transfer", backoffLimit: Int = 2,
        ttlSecondsAfterFinished: Int = 600, chunkSizeMiB: Int? = nil
    ) {
        self.image = image
        self.imagePullPolicy = imagePullPolicy
        self.serviceAccountName = serviceAccountName
        self.backoffLimit = backoffLimit
        self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
        self.chunkSizeMiB = chunkSizeMiB
    }
}

/// Builds the Job that pushes a checkpoint archive as an OCI image from the source node.
///
/// The Job is pinned to the source node by `nodeName` (the archive exists only there) and tolerates every
/// taint (the source node is typically cordoned or tainted for maintenance). It mounts the checkpoint
/// directory from the host at the same path, so the archive path the kubelet returned is valid inside the
/// container; the mount is writable only because `--remove-archive` deletes the archive after a confirmed
/// push (the kubelet never garbage-collects archives). It runs as root because the kubelet writes archives
/// mode 0600 owned by root. Registry credentials come from a `kubernetes.io/dockerconfigjson` Secret mounted
/// read-only.
public enum TransferJobBuilder {
    /// Where the registry Secret is mounted.
    public static let registryConfigPath = "/var/run/ms2m/registry"

    /// The Job for `migration`.
    ///
    /// - Parameters:
    ///   - archive: the archive path on the source node (`status.checkpointID`).
    ///   - destination: `registry/repo:tag` or `oci:<dir>:<tag>`.
    public static func build(
        migration: StatefulMigration, settings: TransferJobSettings, sourceNode: String, archive: String,
        container: String, destination: String, timeoutSeconds: Int64
    ) -> Job {
        let name = MigrationNames.transferJob(for: migration)
        let labels = [
            MigrationNames.migrationLabel: migration.metadata.name ?? "",
            MigrationNames.migrationUIDLabel: migration.metadata.uid ?? "",
            "app.kubernetes.io/name": "checkpoint-transfer",
            "app.kubernetes.io/part-of": "ms2m",
        ]
        let directory = parentDirectory(of: archive)
        var args = [
            "--archive", archive, "--container", container, "--destination", destination,
            "--termination-message-path", "/dev/termination-log", "--remove-archive",
        ]
        if let chunk = settings.chunkSizeMiB { args += ["--chunk-size-mib", String(chunk)] }
        if migration.spec.registry?.insecure == true { args.append("--insecure") }
        if migration.spec.registry?.compress == true { args.append("--compress") }
        var volumes = [Volume.hostPath(name: "checkpoints", path: directory, type: "Directory")]
        var mounts = [VolumeMount(name: "checkpoints", mountPath: directory)]
        if let secret = migration.spec.registryCredentialsSecretRef?.name {
            volumes.append(Volume(name: "registry-credentials", sourceKind: "secret", .object(["secretName": .string(secret)])))
            mounts.append(VolumeMount(name: "registry-credentials", mountPath: registryConfigPath, readOnly: true))
            args += ["--docker-config", registryConfigPath]
        }
        if destination.hasPrefix("oci:") {
            // An OCI layout directory (simulation): mount it from the node like the checkpoint directory.
            let layout = ociLayoutDirectory(destination)
            volumes.append(Volume.hostPath(name: "oci-layout", path: layout, type: "DirectoryOrCreate"))
            mounts.append(VolumeMount(name: "oci-layout", mountPath: layout))
        }
        var transfer = Container(name: "checkpoint-transfer", image: settings.image, args: args)
        transfer.volumeMounts = mounts
        transfer.imagePullPolicy = settings.imagePullPolicy
        transfer.terminationMessagePath = "/dev/termination-log"
        transfer.terminationMessagePolicy = "File"
        transfer.securityContext = .object([
            "runAsUser": 0, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
            "capabilities": .object(["drop": .array(["ALL"]), "add": .array(["DAC_OVERRIDE", "FOWNER"])]),
        ])
        var podSpec = PodSpec(containers: [transfer], volumes: volumes, restartPolicy: "Never")
        podSpec.nodeName = sourceNode
        podSpec.serviceAccountName = settings.serviceAccountName
        podSpec.automountServiceAccountToken = false
        podSpec.tolerations = [Toleration(operator: .exists)]
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: podSpec)
        let spec = JobSpec(
            activeDeadlineSeconds: timeoutSeconds, backoffLimit: settings.backoffLimit, template: template,
            ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished)
        let owner = OwnerReference(
            apiVersion: StatefulMigration.apiVersion, kind: StatefulMigration.kind, name: migration.metadata.name ?? "",
            uid: migration.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
        return Job(
            metadata: ObjectMeta(
                name: name, namespace: migration.metadata.namespace, labels: labels, ownerReferences: [owner]),
            spec: spec)
    }

    /// `/var/lib/kubelet/checkpoints/x.tar` → `/var/lib/kubelet/checkpoints`.
    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// `oci:/dir:tag` → `/dir`.
    static func ociLayoutDirectory(_ reference: String) -> String {
        var rest = String(reference.dropFirst("oci:".count))
        if let colon = rest.lastIndex(of: ":"), !rest[rest.index(after: colon)...].contains("/") {
            rest = String(rest[..<colon])
        }
        return rest
    }
}
