public import KubeModel
public import MigrationAPI
public import Unstructured

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

    /// The ServiceAccount the transfer Job runs as, as `config/rbac/checkpoint_transfer_service_account.yaml`
    /// defines it: it must exist in every namespace migrations run in, or the API server refuses the Job's pod
    /// (the ServiceAccount admission plugin). Simulated clusters create it as an installation would.
    public func serviceAccount(namespace: String) -> JSONValue? {
        guard let serviceAccountName else { return nil }
        return [
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": [
                "name": .string(serviceAccountName), "namespace": .string(namespace),
                "labels": [
                    "app.kubernetes.io/name": "checkpoint-transfer", "app.kubernetes.io/component": "checkpoint-transfer",
                    "app.kubernetes.io/part-of": "ms2m",
                ],
            ],
            "automountServiceAccountToken": false,
        ]
    }
}

/// Builds the Job that pushes a checkpoint archive as an OCI image from the source node.
///
/// The Job is pinned to the source node by `nodeName` (the archive exists only there) and tolerates every
/// taint (the source node is typically cordoned or tainted for maintenance). It mounts the checkpoint
/// directory from the host at the same path, so the archive path the kubelet returned is valid inside the
/// container; the mount is writable only because `--remove-archive` deletes the archive after a confirmed
/// push, with the migration's other archives (the kubelet never garbage-collects archives). A migration that
/// ends without a pushed image removes its archives with a second, `--remove-only` Job (``buildCleanup``). It runs as root because the kubelet writes archives
/// mode 0600 owned by root. Registry credentials come from a `kubernetes.io/dockerconfigjson` Secret mounted
/// read-only.
public enum TransferJobBuilder {
    /// Where the registry Secret is mounted.
    public static let registryConfigPath = "/var/run/ms2m/registry"

    /// The kubelet's checkpoint directory when no archive path tells it (`--root-dir` default).
    public static let defaultCheckpointDirectory = "/var/lib/kubelet/checkpoints"

    /// Which archives of the checkpointed containers are the migration's: those written since `since` (the
    /// first checkpoint request, less a minute for clocks that disagree) by the kubelet for `pod`.
    public struct ArchiveScope: Sendable, Hashable {
        /// The checkpointed pod and its namespace.
        public var pod: String
        public var namespace: String
        /// RFC 3339.
        public var since: String

        /// A scope.
        public init(pod: String, namespace: String, since: String) {
            self.pod = pod
            self.namespace = namespace
            self.since = since
        }

        var arguments: [String] { ["--pod", pod, "--namespace", namespace, "--remove-stale-since", since] }
    }

    /// One archive to push: the checkpoint of `container`, at `archive` on the source node, to `destination`
    /// (`registry/repo:tag` or `oci:<dir>:<tag>`).
    public struct Push: Sendable, Hashable {
        public var container: String
        public var archive: String
        public var destination: String

        /// A push.
        public init(container: String, archive: String, destination: String) {
            self.container = container
            self.archive = archive
            self.destination = destination
        }
    }

    /// The Job for `migration`: one `checkpoint-transfer` run that pushes every archive in `pushes` (one image
    /// per checkpointed container, in order) and removes them all once every push is confirmed.
    ///
    /// - Parameters:
    ///   - pushes: the archives (paths from `status.containerCheckpoints`) and where each goes.
    ///   - staleArchives: after the push, also remove the containers' archives in this scope (checkpoints of
    ///     the same migration whose path the operator never recorded).
    public static func build(
        migration: StatefulMigration, settings: TransferJobSettings, sourceNode: String, pushes: [Push],
        timeoutSeconds: Int64, staleArchives: ArchiveScope? = nil
    ) -> Job {
        let directory = parentDirectory(of: pushes.first?.archive ?? defaultCheckpointDirectory + "/")
        var args: [String] = []
        for push in pushes {
            args += ["--archive", push.archive, "--container", push.container, "--destination", push.destination]
        }
        args += [
            "--termination-message-path", "/dev/termination-log", "--remove-archive", "--checkpoint-directory", directory,
        ]
        args += staleArchives?.arguments ?? []
        if let chunk = settings.chunkSizeMiB { args += ["--chunk-size-mib", String(chunk)] }
        if migration.spec.registry?.insecure == true { args.append("--insecure") }
        if migration.spec.registry?.compress == true { args.append("--compress") }
        var volumes: [Volume] = []
        var mounts: [VolumeMount] = []
        if let secret = migration.spec.registryCredentialsSecretRef?.name {
            volumes.append(Volume(name: "registry-credentials", sourceKind: "secret", .object(["secretName": .string(secret)])))
            mounts.append(VolumeMount(name: "registry-credentials", mountPath: registryConfigPath, readOnly: true))
            args += ["--docker-config", registryConfigPath]
        }
        if let destination = pushes.first?.destination, destination.hasPrefix("oci:") {
            // An OCI layout directory (simulation): mount it from the node like the checkpoint directory.
            let layout = ociLayoutDirectory(destination)
            volumes.append(Volume.hostPath(name: "oci-layout", path: layout, type: "DirectoryOrCreate"))
            mounts.append(VolumeMount(name: "oci-layout", mountPath: layout))
        }
        return job(
            named: MigrationNames.transferJob(for: migration), for: migration, settings: settings, sourceNode: sourceNode,
            checkpointDirectory: directory, args: args, volumes: volumes, mounts: mounts, timeoutSeconds: timeoutSeconds,
            backoffLimit: settings.backoffLimit)
    }

    /// The Job that removes what a migration left in the source node's checkpoint directory when it ended
    /// without a pushed image: the recorded `archives` and the `containers`' archives in `scope`. It runs the
    /// same `checkpoint-transfer` image with `--remove-only`, pinned to the source node.
    public static func buildCleanup(
        migration: StatefulMigration, settings: TransferJobSettings, sourceNode: String, archives: [String],
        containers: [String], scope: ArchiveScope, timeoutSeconds: Int64
    ) -> Job {
        let directory = archives.first.map(parentDirectory(of:)) ?? defaultCheckpointDirectory
        var args = ["--remove-only", "--checkpoint-directory", directory]
        for container in containers { args += ["--container", container] }
        for archive in archives { args += ["--archive", archive] }
        args += scope.arguments + ["--termination-message-path", "/dev/termination-log"]
        return job(
            named: MigrationNames.cleanupJob(for: migration), for: migration, settings: settings, sourceNode: sourceNode,
            checkpointDirectory: directory, args: args, volumes: [], mounts: [], timeoutSeconds: timeoutSeconds,
            backoffLimit: 1)
    }

    /// A Job of one `checkpoint-transfer` container on `sourceNode` with `args`, the node's checkpoint
    /// directory mounted at the same path (plus `volumes` and `mounts`), owned by and labelled for `migration`.
    private static func job(
        named name: String, for migration: StatefulMigration, settings: TransferJobSettings, sourceNode: String,
        checkpointDirectory directory: String, args: [String], volumes: [Volume], mounts: [VolumeMount],
        timeoutSeconds: Int64, backoffLimit: Int
    ) -> Job {
        let labels = [
            MigrationNames.migrationLabel: migration.metadata.name ?? "",
            MigrationNames.migrationUIDLabel: migration.metadata.uid ?? "",
            "app.kubernetes.io/name": "checkpoint-transfer",
            "app.kubernetes.io/part-of": "ms2m",
        ]
        var transfer = Container(name: "checkpoint-transfer", image: settings.image, args: args)
        transfer.volumeMounts = [VolumeMount(name: "checkpoints", mountPath: directory)] + mounts
        transfer.imagePullPolicy = settings.imagePullPolicy
        transfer.terminationMessagePath = "/dev/termination-log"
        transfer.terminationMessagePolicy = "File"
        transfer.securityContext = .object([
            "runAsUser": 0, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
            "capabilities": .object(["drop": .array(["ALL"]), "add": .array(["DAC_OVERRIDE", "FOWNER"])]),
        ])
        let allVolumes = [Volume.hostPath(name: "checkpoints", path: directory, type: "Directory")] + volumes
        var podSpec = PodSpec(containers: [transfer], volumes: allVolumes, restartPolicy: "Never")
        podSpec.nodeName = sourceNode
        podSpec.serviceAccountName = settings.serviceAccountName
        podSpec.automountServiceAccountToken = false
        podSpec.tolerations = [Toleration(operator: .exists)]
        let template = PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: podSpec)
        let spec = JobSpec(
            activeDeadlineSeconds: timeoutSeconds, backoffLimit: backoffLimit, template: template,
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
