import ArgumentParser
import CurlTransport
import Dispatch
import Foundation
import HTTPTransport
import Logging
import RegistryClient

/// `checkpoint-transfer`: pushes a kubelet checkpoint archive as an OCI image that CRI-O and containerd
/// restore from, prints the manifest digest, and writes `{"digest","image","size"}` to the termination
/// message for the operator. Run as a Job on the source node (see Dockerfile.transfer).
@main
struct CheckpointTransfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint-transfer",
        abstract: "Push a CRIU checkpoint archive as an OCI image (registry or OCI layout directory).",
        discussion: """
            The archive is streamed once from disk (hashed, and gzipped with --compress, on the fly) with \
            constant memory, in resumable chunks sized to the link (about 3 s each). The manifest carries the checkpoint annotations CRI-O \
            (io.kubernetes.cri-o.annotations.checkpoint.*) and containerd (org.criu.checkpoint.*) read.

            Credentials: --docker-config (a config.json or a mounted kubernetes.io/dockerconfigjson Secret \
            directory), else MS2M_REGISTRY_USERNAME / MS2M_REGISTRY_PASSWORD.
            """
    )

    @Option(name: .long, help: "The checkpoint archive (the path the kubelet returned).")
    var archive: String?

    @Option(name: .long, help: "The checkpointed container's name (written into the checkpoint annotations).")
    var container: String

    @Option(name: .long, help: "registry/repository:tag, registry/repository@sha256:…, or oci:<dir>[:<tag>].")
    var destination: String?

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

    @Option(name: .long, help: "File to keep the upload session in, to resume an interrupted push on the next run.")
    var uploadState: String?

    @Option(name: .long, help: "Image platform as os/arch (default: this machine's).")
    var platform: String?

    @Option(name: .long, help: "Attempts per registry operation on transient failures.")
    var retries: Int = 5

    @Flag(name: .long, help: "Delete the archive after the push is confirmed (manifest stored and read back by digest).")
    var removeArchive = false

    @Option(
        name: .long,
        help: "Also delete the container's other archives written at or after this RFC 3339 time (with --pod and --namespace): checkpoints of the same migration whose path was never recorded.")
    var removeStaleSince: String?

    @Option(name: .long, help: "The checkpointed pod (for --remove-stale-since).")
    var pod: String?

    @Option(name: .long, help: "The checkpointed pod's namespace (for --remove-stale-since).")
    var namespace: String?

    @Option(name: .long, help: "Where the kubelet writes archives (default: the archive's directory, else /var/lib/kubelet/checkpoints).")
    var checkpointDirectory: String?

    @Flag(name: .long, help: "Push nothing: only delete --archive and, with --remove-stale-since, the stale archives.")
    var removeOnly = false

    @Option(name: .long, help: "Where to write the result JSON for Kubernetes (written only if it exists unless given).")
    var terminationMessagePath: String?

    @Flag(name: .long, help: "No progress lines.")
    var quiet = false

    @Flag(name: .long, help: "Debug logging.")
    var verbose = false

    func validate() throws {
        if removeStaleSince != nil {
            guard pod != nil, namespace != nil else { throw ValidationError("--remove-stale-since needs --pod and --namespace") }
            guard let since = removeStaleSince, CheckpointArchiveName.parseTime(since) != nil else {
                throw ValidationError("--remove-stale-since must be an RFC 3339 time, e.g. 2026-12-07T10:00:00Z")
            }
        }
        if removeOnly {
            guard archive != nil || removeStaleSince != nil else {
                throw ValidationError("--remove-only needs --archive or --remove-stale-since")
            }
        } else {
            guard archive != nil else { throw ValidationError("--archive is required to push") }
            guard destination != nil else { throw ValidationError("--destination is required to push") }
        }
        guard compressionLevel >= 1 && compressionLevel <= 9 else { throw ValidationError("--compression-level must be 1…9") }
        guard (chunkSizeMib ?? 0) >= 0 else { throw ValidationError("--chunk-size-mib must be 0 or more") }
        guard retries >= 1 else { throw ValidationError("--retries must be at least 1") }
        if let platform, platform.split(separator: "/").count != 2 { throw ValidationError("--platform must be os/arch, e.g. linux/amd64") }
    }

    func run() async throws {
        let verbose = self.verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .notice
            return handler
        }
        let termination = TerminationMessage(
            path: terminationMessagePath ?? TerminationMessage.defaultPath, explicit: terminationMessagePath != nil)
        do {
            if removeOnly {
                let removed = try await removeArchives()
                try termination.write(["removed": removed.count])
                return
            }
            let result = try await push()
            print(result.digest)
            try termination.write(["digest": result.digest.description, "image": result.image, "size": result.size])
        } catch {
            let message = (error as? RegistryError)?.description ?? "\(error)"
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            try? termination.write(["error": message])
            throw ExitCode.failure
        }
    }

    private func push() async throws -> CheckpointPushResult {
        let archive = self.archive ?? ""
        let destination = try ImageDestination(parsing: self.destination ?? "")
        var credentials: RegistryCredentials?
        if case .registry(let reference) = destination {
            if let dockerConfig {
                credentials = try RegistryCredentials.fromDockerConfig(path: dockerConfig, registry: reference.registry)
                if credentials == nil {
                    FileHandle.standardError.write(Data("warning: \(dockerConfig) has no credentials for \(reference.registry)\n".utf8))
                }
            }
            credentials = credentials ?? RegistryCredentials.fromEnvironment()
        }
        var imagePlatform = ImagePlatform.current
        if let platform {
            let parts = platform.split(separator: "/").map(String.init)
            imagePlatform = ImagePlatform(os: parts[0], architecture: parts[1])
        }

        let loop = CurlEventLoop()
        defer { loop.shutdown() }
        var tls: TLSOptions?
        if caFile != nil || insecureSkipTLSVerify { tls = TLSOptions(caFile: caFile, insecureSkipVerify: insecureSkipTLSVerify) }
        let transport = CurlTransport(
            configuration: .init(tls: tls, userAgent: "ms2m-checkpoint-transfer/1", acceptCompressedResponses: false), loop: loop)

        let stateFile = uploadState.map(UploadStateFile.init(path:))
        let size = ((try? FileManager.default.attributesOfItem(atPath: archive))?[.size] as? NSNumber)?.int64Value ?? 0
        let reporter = quiet || size < 32 << 20 ? nil : ProgressReporter(total: size, label: "pushing \(archive)")
        var upload = chunkSizeMib.map { UploadOptions(chunkSize: Int64($0) << 20) } ?? UploadOptions()
        if let stateFile { upload.onCommit = { session in stateFile.save(session) } }
        if let reporter { upload.progress = { bytes in reporter.update(bytes) } }
        let request = CheckpointPushRequest(
            archivePath: archive, containerName: container, destination: destination,
            compressionLevel: compress ? compressionLevel : nil, platform: imagePlatform, upload: upload,
            resume: stateFile?.load())
        let pusher = CheckpointImagePusher(
            transport: transport, credentials: credentials, plainHTTP: insecure, retry: RetryPolicy(maxAttempts: retries))

        // SIGTERM (the Job being deleted) or SIGINT: finish the chunk in flight, keep the session, exit.
        let task = Task { try await pusher.push(request) }
        let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let result: CheckpointPushResult
        do {
            result = try await task.value
        } catch {
            stateFile?.flush()  // the last committed session must be on disk before the process exits
            throw error
        }
        reporter?.finish(size)
        stateFile?.remove()
        if removeArchive { _ = try await removeArchives() }
        return result
    }

    /// Deletes the archive (after a push only once it returned, i.e. the manifest is stored and read back)
    /// and, with `--remove-stale-since`, the container's other archives written since then. Returns the paths
    /// removed; a file already gone is not an error.
    private func removeArchives() async throws -> [String] {
        var paths: [String] = []
        if let archive { paths.append(archive) }
        if let since = removeStaleSince.flatMap(CheckpointArchiveName.parseTime), let pod, let namespace {
            let directory = checkpointDirectory
                ?? archive.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
                ?? "/var/lib/kubelet/checkpoints"
            paths += CheckpointArchiveName.archives(
                in: directory, pod: pod, namespace: namespace, container: container, since: since, except: archive)
        }
        let candidates = paths
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
