import ArgumentParser
import CurlTransport
import Dispatch
import Foundation
import HTTPTransport
import Logging
import RegistryClient

/// `checkpoint-transfer`: pushes the kubelet checkpoint archives of a pod's containers, each as an OCI image
/// that CRI-O and containerd restore from, prints the manifest digests, and writes them to the termination
/// message for the operator. Run as a Job on the source node (see Dockerfile.transfer).
@main
struct CheckpointTransfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint-transfer",
        abstract: "Push CRIU checkpoint archives as OCI images (registry or OCI layout directory), one per container.",
        discussion: """
            --archive, --container and --destination are repeated once per container and paired by position: \
            the i-th archive is the checkpoint of the i-th container and becomes the image at the i-th destination \
            (at most \(maximumContainers) containers). The images are pushed one after another; the first failure \
            stops the run and names its container. stdout gets one manifest digest per line, in --container order; \
            the termination message is {"digest","image","size"} of the first image plus \
            "images": [{"container","digest","size"}, …] for all of them, or {"error"} on failure.

            Each archive is streamed once from disk (hashed, and gzipped with --compress, on the fly) with \
            constant memory, in resumable chunks sized to the link (about 3 s each). The manifest carries the checkpoint annotations CRI-O \
            (io.kubernetes.cri-o.annotations.checkpoint.*) and containerd (org.criu.checkpoint.*) read.

            --remove-archive deletes the archives only after every image is confirmed: when any push fails, all \
            of them stay for the Job's retry. --upload-state keeps the first image's upload session in the path \
            given and the i-th image's (i > 0) in <path>.<i>.

            Credentials: --docker-config (a config.json or a mounted kubernetes.io/dockerconfigjson Secret \
            directory), else MS2M_REGISTRY_USERNAME / MS2M_REGISTRY_PASSWORD.
            """
    )

    /// The most containers one run pushes or cleans up: the termination message, which lists every image,
    /// must stay below Kubernetes' 4096 bytes.
    static let maximumContainers = 16

    @Option(
        name: .customLong("archive"),
        help: "A checkpoint archive (the path the kubelet returned); once per --container, in the same order.")
    var archives: [String] = []

    @Option(
        name: .customLong("container"),
        help: "A checkpointed container's name (written into the checkpoint annotations); repeat for each container.")
    var containers: [String] = []

    @Option(
        name: .customLong("destination"),
        help: "registry/repository:tag, registry/repository@sha256:…, or oci:<dir>[:<tag>]; once per --container, in the same order.")
    var destinations: [String] = []

    @Option(name: .long, help: "Docker config.json, or a directory holding config.json or .dockerconfigjson.")
    var dockerConfig: String?

    @Option(name: .long, help: "PEM file of CA certificates to verify the registry with.")
    var caFile: String?

    @Flag(name: .long, help: "Speak plain HTTP: only for registries explicitly configured as insecure.")
    var insecure = false

    @Flag(name: .long, help: "Use HTTPS without verifying the registry's certificate (testing only).")
    var insecureSkipTLSVerify = false

    @Flag(name: .long, help: "Gzip the layer (application/vnd.oci.image.layer.v1.tar+gzip).")
    var compress = false

    @Option(name: .long, help: "Gzip level with --compress, 1 (fastest) to 9 (smallest).")
    var compressionLevel: Int32 = 1

    @Option(
        name: .long,
        help: "MiB per upload request; 0 sends the layer in one request. Default: adaptive (chunks of about 3 s, 16 MiB to 1 GiB).")
    var chunkSizeMib: Int?

    @Option(
        name: .long,
        help: "File to keep the upload session in, to resume an interrupted push on the next run (the i-th image, i > 0: <path>.<i>).")
    var uploadState: String?

    @Option(name: .long, help: "Image platform as os/arch (default: this machine's).")
    var platform: String?

    @Option(name: .long, help: "Attempts per registry operation on transient failures.")
    var retries: Int = 5

    @Flag(
        name: .long,
        help: "Delete the archives after every push is confirmed (manifest stored and read back by digest).")
    var removeArchive = false

    @Option(
        name: .long,
        help: "Also delete each container's other archives written at or after this RFC 3339 time (with --pod and --namespace): checkpoints of the same migration whose path was never recorded.")
    var removeStaleSince: String?

    @Option(name: .long, help: "The checkpointed pod (for --remove-stale-since).")
    var pod: String?

    @Option(name: .long, help: "The checkpointed pod's namespace (for --remove-stale-since).")
    var namespace: String?

    @Option(name: .long, help: "Where the kubelet writes archives (default: the archive's directory, else /var/lib/kubelet/checkpoints).")
    var checkpointDirectory: String?

    @Flag(
        name: .long,
        help: "Push nothing: only delete the --archive files (at most one per --container) and, with --remove-stale-since, each container's stale archives.")
    var removeOnly = false

    @Option(name: .long, help: "Where to write the result JSON for Kubernetes (written only if it exists unless given).")
    var terminationMessagePath: String?

    @Flag(name: .long, help: "No progress lines.")
    var quiet = false

    @Flag(name: .long, help: "Debug logging.")
    var verbose = false

    /// Where the result goes: `--termination-message-path`, else the kubelet's file if it is mounted.
    private var terminationMessage: TerminationMessage {
        TerminationMessage(path: terminationMessagePath ?? TerminationMessage.defaultPath, explicit: terminationMessagePath != nil)
    }

    /// Refuses a bad command line, and also reports it in the termination message: the operator sees a Job's
    /// failures only there.
    func validate() throws {
        do {
            try validateArguments()
        } catch {
            try? terminationMessage.write(["error": "\(error)"])
            throw error
        }
    }

    private func validateArguments() throws {
        if removeStaleSince != nil {
            guard pod != nil, namespace != nil else { throw ValidationError("--remove-stale-since needs --pod and --namespace") }
            guard let since = removeStaleSince, CheckpointArchiveName.parseTime(since) != nil else {
                throw ValidationError("--remove-stale-since must be an RFC 3339 time, e.g. 2026-12-07T10:00:00Z")
            }
        }
        try validateContainers()
        if removeOnly {
            guard !archives.isEmpty || removeStaleSince != nil else {
                throw ValidationError("--remove-only needs --archive or --remove-stale-since")
            }
            guard archives.count <= containers.count else {
                throw ValidationError(
                    "--remove-only takes at most one --archive per --container: got \(archives.count) --archive for \(containers.count) --container")
            }
        } else {
            guard !archives.isEmpty else { throw ValidationError("--archive is required to push") }
            guard !destinations.isEmpty else { throw ValidationError("--destination is required to push") }
            guard archives.count == containers.count, destinations.count == containers.count else {
                throw ValidationError(
                    "pushing needs one --archive and one --destination per --container, paired by position: got \(archives.count) --archive, \(containers.count) --container, \(destinations.count) --destination")
            }
        }
        guard compressionLevel >= 1 && compressionLevel <= 9 else { throw ValidationError("--compression-level must be 1…9") }
        guard (chunkSizeMib ?? 0) >= 0 else { throw ValidationError("--chunk-size-mib must be 0 or more") }
        guard retries >= 1 else { throw ValidationError("--retries must be at least 1") }
        if let platform, platform.split(separator: "/").count != 2 { throw ValidationError("--platform must be os/arch, e.g. linux/amd64") }
    }

    /// At least one and at most `maximumContainers` containers, each named, none twice (one image each).
    private func validateContainers() throws {
        guard !containers.isEmpty else { throw ValidationError("--container is required") }
        guard containers.count <= Self.maximumContainers else {
            throw ValidationError(
                "at most \(Self.maximumContainers) containers per run, got \(containers.count) (the termination message must stay below 4096 bytes)")
        }
        var seen = Set<String>()
        for (index, container) in containers.enumerated() {
            let name = container.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty else {
                throw ValidationError("the container name is empty (--container \(index + 1) of \(containers.count))")
            }
            guard seen.insert(name).inserted else {
                throw ValidationError("container \(name) is given twice: each --container is pushed as its own image")
            }
        }
    }

    func run() async throws {
        let verbose = self.verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .notice
            return handler
        }
        let termination = terminationMessage
        do {
            if removeOnly {
                let removed = try await removeArchives()
                try termination.write(["removed": removed.count])
                return
            }
            let checkpoints = try containerCheckpoints()
            let results = try await push(checkpoints)
            for result in results { print(result.digest) }
            try termination.write(Self.report(checkpoints, results))
        } catch {
            let message = ContainerCheckpointError.describe(error)
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            try? termination.write(["error": message])
            throw ExitCode.failure
        }
    }

    /// The termination message of a confirmed run: the first image's `digest`, `image` and `size` at the top
    /// (what a run of one container has always written) and every image under `images`, in `--container` order.
    static func report(_ checkpoints: [ContainerCheckpoint], _ results: [CheckpointPushResult]) -> [String: Any] {
        guard let first = results.first else { return ["images": [[String: Any]]()] }
        let images: [[String: Any]] = zip(checkpoints, results).map { checkpoint, result in
            ["container": checkpoint.container, "digest": result.digest.description, "size": result.size]
        }
        return ["digest": first.digest.description, "image": first.image, "size": first.size, "images": images]
    }

    /// The run's images in `--container` order: the i-th archive and destination with the i-th container, the
    /// first image's upload session in `--upload-state`, the i-th's (i > 0) in `<path>.<i>`. Every destination is
    /// parsed before anything is pushed.
    private func containerCheckpoints() throws -> [ContainerCheckpoint] {
        try containers.indices.map { index in
            let container = containers[index]
            let destination: ImageDestination
            do {
                destination = try ImageDestination(parsing: destinations[index])
            } catch {
                throw ContainerCheckpointError(doing: "the destination", container: container, underlying: error)
            }
            return ContainerCheckpoint(
                container: container, archive: archives[index], destination: destination,
                uploadState: uploadState.map { UploadStateFile(path: index == 0 ? $0 : "\($0).\(index)") })
        }
    }

    /// Pushes every checkpoint, one after another over one transport, stopping at the first failure; then, with
    /// `--remove-archive`, deletes the archives — only once every image is confirmed.
    private func push(_ checkpoints: [ContainerCheckpoint]) async throws -> [CheckpointPushResult] {
        let loop = CurlEventLoop()
        defer { loop.shutdown() }
        var tls: TLSOptions?
        if caFile != nil || insecureSkipTLSVerify { tls = TLSOptions(caFile: caFile, insecureSkipVerify: insecureSkipTLSVerify) }
        let transport = CurlTransport(
            configuration: .init(tls: tls, userAgent: "ms2m-checkpoint-transfer/1", acceptCompressedResponses: false), loop: loop)
        let credentials = try registryCredentials(for: checkpoints.map(\.destination))

        // SIGTERM (the Job being deleted) or SIGINT: finish the chunk in flight, keep the session, exit.
        let task = Task {
            var results: [CheckpointPushResult] = []
            for checkpoint in checkpoints {
                let pusher = CheckpointImagePusher(
                    transport: transport, credentials: checkpoint.destination.registry.flatMap { credentials[$0] },
                    plainHTTP: insecure, retry: RetryPolicy(maxAttempts: retries))
                results.append(try await push(checkpoint, with: pusher))
            }
            return results
        }
        let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let results = try await task.value
        if removeArchive { _ = try await removeArchives() }
        return results
    }

    /// Pushes one container's checkpoint through `pusher`: resumes the upload session its state file kept, keeps
    /// each committed session there, and removes the file once the image is confirmed. A failure names the container.
    private func push(_ checkpoint: ContainerCheckpoint, with pusher: CheckpointImagePusher) async throws -> CheckpointPushResult {
        let stateFile = checkpoint.uploadState
        let size = ((try? FileManager.default.attributesOfItem(atPath: checkpoint.archive))?[.size] as? NSNumber)?.int64Value ?? 0
        let reporter = quiet || size < 32 << 20
            ? nil : ProgressReporter(total: size, label: "pushing the checkpoint of container \(checkpoint.container)")
        var upload = chunkSizeMib.map { UploadOptions(chunkSize: Int64($0) << 20) } ?? UploadOptions()
        if let stateFile { upload.onCommit = { session in stateFile.save(session) } }
        if let reporter { upload.progress = { bytes in reporter.update(bytes) } }
        let request = CheckpointPushRequest(
            archivePath: checkpoint.archive, containerName: checkpoint.container, destination: checkpoint.destination,
            compressionLevel: compress ? compressionLevel : nil, platform: imagePlatform, upload: upload,
            resume: stateFile?.load())
        let result: CheckpointPushResult
        do {
            result = try await pusher.push(request)
        } catch {
            stateFile?.flush()  // the last committed session must be on disk before the process exits
            throw ContainerCheckpointError(doing: "pushing the checkpoint", container: checkpoint.container, underlying: error)
        }
        reporter?.finish(size)
        stateFile?.remove()
        return result
    }

    /// `--platform`, else this machine's.
    private var imagePlatform: ImagePlatform {
        guard let parts = platform?.split(separator: "/").map(String.init) else { return .current }
        return ImagePlatform(os: parts[0], architecture: parts[1])
    }

    /// The credentials for each registry among `destinations`: from `--docker-config` (with a warning when it
    /// has none for a registry), else from the environment.
    private func registryCredentials(for destinations: [ImageDestination]) throws -> [String: RegistryCredentials] {
        var credentials: [String: RegistryCredentials] = [:]
        for registry in Set(destinations.compactMap(\.registry)) {
            var found: RegistryCredentials?
            if let dockerConfig {
                found = try RegistryCredentials.fromDockerConfig(path: dockerConfig, registry: registry)
                if found == nil {
                    FileHandle.standardError.write(Data("warning: \(dockerConfig) has no credentials for \(registry)\n".utf8))
                }
            }
            credentials[registry] = found ?? RegistryCredentials.fromEnvironment()
        }
        return credentials
    }

    /// Deletes the archives (after a push only once every push returned, i.e. every manifest is stored and read
    /// back) and, with `--remove-stale-since`, each container's other archives written since then. Returns the
    /// paths removed; a file already gone is not an error.
    private func removeArchives() async throws -> [String] {
        var paths = archives
        if let since = removeStaleSince.flatMap(CheckpointArchiveName.parseTime), let pod, let namespace {
            for (index, container) in containers.enumerated() {
                let archive = index < archives.count ? archives[index] : nil
                let directory = checkpointDirectory
                    ?? (archive ?? archives.first).map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
                    ?? "/var/lib/kubelet/checkpoints"
                paths += CheckpointArchiveName.archives(
                    in: directory, pod: pod, namespace: namespace, container: container, since: since, except: archive)
            }
        }
        var seen = Set<String>()
        let candidates = paths.filter { seen.insert($0).inserted }
        let removed = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[String], any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    var removed: [String] = []
                    for path in candidates where FileManager.default.fileExists(atPath: path) {
                        try FileManager.default.removeItem(atPath: path)
                        removed.append(path)
                    }
                    return removed
                })
            }
        }
        for path in removed { FileHandle.standardError.write(Data("removed \(path)\n".utf8)) }
        return removed
    }
}

/// One container's image in a push run: its checkpoint archive, where the image goes, and the file its upload
/// session is kept in (with `--upload-state`).
struct ContainerCheckpoint: Sendable {
    /// The checkpointed container (written into the checkpoint annotations).
    var container: String
    /// The archive path as the kubelet returned it.
    var archive: String
    var destination: ImageDestination
    var uploadState: UploadStateFile?
}

/// A failure concerning one container's image; its description names the container, e.g. `pushing the
/// checkpoint of container ledger: …`.
struct ContainerCheckpointError: Error, CustomStringConvertible {
    /// What failed, e.g. `pushing the checkpoint` or `the destination`.
    var doing: String
    var container: String
    var underlying: any Error

    var description: String { "\(doing) of container \(container): \(Self.describe(underlying))" }

    /// The text an error is reported with on stderr and in the termination message.
    static func describe(_ error: any Error) -> String {
        (error as? RegistryError)?.description ?? "\(error)"
    }
}

extension ImageDestination {
    /// The registry host for a registry destination; nil for an OCI layout directory.
    fileprivate var registry: String? {
        if case .registry(let reference) = self { return reference.registry }
        return nil
    }
}

/// The `--upload-state` file: the last committed `UploadSession`, written after every chunk on a serial
/// queue (off the cooperative pool), read at start to resume, removed after a confirmed push.
struct UploadStateFile: Sendable {
    let path: String
    private static let queue = DispatchQueue(label: "ms2m.upload-state")

    func load() -> UploadSession? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(UploadSession.self, from: data)
    }

    func save(_ session: UploadSession) {
        let path = self.path
        Self.queue.async {
            guard let data = try? JSONEncoder().encode(session) else { return }
            try? data.write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    func flush() {
        Self.queue.sync {}
    }

    func remove() {
        let path = self.path
        Self.queue.sync { try? FileManager.default.removeItem(atPath: path) }
    }
}
