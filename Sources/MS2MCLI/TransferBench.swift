import ArgumentParser
import CurlTransport
import Foundation
import RegistryClient

/// `ms2m bench transfer`: checkpoint-transfer's push throughput and memory against the loopback limit.
///
/// One run creates a checkpoint-shaped tar of `--size-mib` (default 1 GiB), starts a local `docker-registry`,
/// and times, interleaved over `--repeats` rounds: (a) `curl -T` of the archive as one monolithic blob PUT
/// (the loopback/registry limit), (b) `skopeo copy` of the equivalent image from an OCI layout directory
/// (default settings, which gzip the layer, and `--preserve-digests`, which does not), and (c) the
/// `checkpoint-transfer` executable with its default (adaptive) chunks, with fixed `--chunk-size-mib` chunks and
/// in one request. Each is a child process; peak RSS is its `VmHWM`, sampled every 2 ms. The load average is
/// printed before and after, since other work on the machine competes with the registry and the client.
struct TransferBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "checkpoint-transfer: push MB/s vs curl -T and skopeo copy, and peak RSS, against a local docker-registry."
    )

    @Option(help: "Archive size in MiB.")
    var sizeMib = 1024

    @Option(help: "Rounds; each method's median is reported.")
    var repeats = 5

    @Option(help: "checkpoint-transfer --chunk-size-mib for the fixed-chunk run.")
    var chunkSizeMib = 64

    @Option(help: "Nice value for this benchmark's scheduling group (/proc/self/autogroup), e.g. --autogroup-nice=-10 on a machine busy with other work; every measured method runs in it, and the old value is restored afterwards.")
    var autogroupNice: Int?

    @Flag(help: "Also time checkpoint-transfer --compress (gzip level 1).")
    var compress = false

    @Option(help: "The checkpoint-transfer executable (default: the one next to this ms2m).")
    var transferBinary: String?

    @Option(help: "Work directory (default: a new one under the temporary directory; removed afterwards).")
    var workDirectory: String?

    func run() async throws {
        let tools = try BenchTools(transfer: transferBinary)
        // The autogroup is the whole session's (the shell's too): put its nice value back afterwards.
        let previousNice = autogroupNice == nil ? nil : Self.autogroupNiceValue()
        if let autogroupNice {
            try Self.setAutogroupNice(autogroupNice)
        }
        defer { if let previousNice { try? Self.setAutogroupNice(previousNice) } }
        let loadBefore = Self.loadAverage()
        let work = workDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("ms2m-bench-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if workDirectory == nil { try? FileManager.default.removeItem(atPath: work) } }

        let archive = work + "/checkpoint-bench.tar"
        print("Writing a \(sizeMib) MiB checkpoint archive …")
        try BenchArchive.write(at: archive, pagesBytes: Int64(sizeMib) << 20)
        let size = ((try FileManager.default.attributesOfItem(atPath: archive)[.size]) as? NSNumber)?.int64Value ?? 0

        // The equivalent image for skopeo, and the archive's digest for curl's monolithic PUT (not timed).
        let layout = work + "/layout"
        let prepared = try ChildProcess.run(tools.transfer, [
            "--archive", archive, "--container", "bench", "--destination", "oci:\(layout):bench", "--quiet",
        ])
        guard prepared.status == 0 else { throw ValidationError("preparing the OCI layout failed: \(prepared.stderr)") }
        let digest = try await CheckpointImagePusher(transport: CurlTransport()).push(CheckpointPushRequest(
            archivePath: archive, containerName: "bench", destination: .layout(directory: layout, tag: "bench"))).layerDigest

        var methods: [(name: String, run: (BenchRegistry, Int) throws -> ChildProcess.Result)] = [
            ("curl -T (one monolithic blob PUT)", { registry, round in try curlUpload(tools, registry, archive, digest, round) }),
            ("checkpoint-transfer (default: adaptive chunks)", { registry, round in
                try ChildProcess.run(tools.transfer, [
                    "--archive", archive, "--container", "bench", "--destination", "\(registry.host)/bench/adaptive-\(round):v1",
                    "--insecure", "--quiet",
                ])
            }),
            ("checkpoint-transfer, \(chunkSizeMib) MiB chunks", { registry, round in
                try ChildProcess.run(tools.transfer, [
                    "--archive", archive, "--container", "bench", "--destination", "\(registry.host)/bench/ours-\(round):v1",
                    "--insecure", "--quiet", "--chunk-size-mib", String(chunkSizeMib),
                ])
            }),
            ("checkpoint-transfer, one request", { registry, round in
                try ChildProcess.run(tools.transfer, [
                    "--archive", archive, "--container", "bench", "--destination", "\(registry.host)/bench/single-\(round):v1",
                    "--insecure", "--quiet", "--chunk-size-mib", "0",
                ])
            }),
            ("skopeo copy oci: → docker:// (default: gzips)", { registry, round in
                try ChildProcess.run(tools.skopeo, [
                    "copy", "--quiet", "--dest-tls-verify=false", "oci:\(layout):bench", "docker://\(registry.host)/bench/skopeo-\(round):v1",
                ])
            }),
            ("skopeo copy --preserve-digests (no gzip)", { registry, round in
                try ChildProcess.run(tools.skopeo, [
                    "copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false", "oci:\(layout):bench",
                    "docker://\(registry.host)/bench/skopeo-raw-\(round):v1",
                ])
            }),
        ]
        if compress {
            methods.append(("checkpoint-transfer --compress (gzip -1)", { registry, round in
                try ChildProcess.run(tools.transfer, [
                    "--archive", archive, "--container", "bench", "--destination", "\(registry.host)/bench/gz-\(round):v1",
                    "--insecure", "--quiet", "--compress", "--chunk-size-mib", String(chunkSizeMib),
                ])
            }))
        }

        var samples = Array(repeating: [ChildProcess.Result](), count: methods.count)
        for round in 0..<repeats {
            for (index, method) in methods.enumerated() {
                // A fresh registry for every measurement: nothing can be skipped or cross-repository mounted
                // (skopeo remembers where blobs live; checkpoint-transfer remembers layer digests on the archive).
                // Every method starts with no dirty pages left by the one before, whose writeback would
                // otherwise compete with it for the disk and the CPU.
                sync()
                let registry = try BenchRegistry.start(binary: tools.registry, directory: work + "/registry-\(round)-\(index)")
                defer {
                    registry.stop()
                    try? FileManager.default.removeItem(atPath: work + "/registry-\(round)-\(index)")
                }
                let result = try method.run(registry, round)
                guard result.status == 0 else { throw ValidationError("\(method.name) failed: \(result.stderr)") }
                samples[index].append(result)
                print(String(format: "  round %d  %-48@ %6.2f s  %7.1f MB/s  RSS %6.1f MiB", round + 1, method.name as NSString,
                             result.seconds, Double(size) / result.seconds / 1e6, Double(result.maxRSSKiB) / 1024))
            }
        }

        let curlMedian = median(samples[0].map(\.seconds))
        print("")
        print("load average (1/5/15 min): before \(loadBefore), after \(Self.loadAverage())"
            + (autogroupNice.map { "; autogroup nice \($0)" } ?? ""))
        print("| method (\(sizeMib) MiB archive, median of \(repeats)) | seconds | MB/s | × curl | peak RSS MiB |")
        print("|---|---|---|---|---|")
        for (index, method) in methods.enumerated() {
            let seconds = median(samples[index].map(\.seconds))
            let rss = samples[index].map(\.maxRSSKiB).max() ?? 0
            print(String(format: "| %@ | %.2f | %.1f | %.2f | %.1f |", method.name, seconds, Double(size) / seconds / 1e6,
                         curlMedian / seconds, Double(rss) / 1024))
        }
    }

    private func curlUpload(_ tools: BenchTools, _ registry: BenchRegistry, _ archive: String, _ digest: OCIDigest, _ round: Int) throws -> ChildProcess.Result {
        // Open the upload session (not timed), then time curl streaming the file as one PUT.
        let session = try ChildProcess.run(tools.curl, [
            "-s", "-D", "-", "-o", "/dev/null", "-X", "POST", "http://\(registry.host)/v2/bench/curl-\(round)/blobs/uploads/",
        ])
        guard let line = session.stdout.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("location:") }) else {
            throw ValidationError("the registry gave no upload location: \(session.stdout)")
        }
        var location = line.dropFirst("location:".count).trimmingCharacters(in: .whitespaces)
        if location.hasPrefix("/") { location = "http://\(registry.host)" + location }
        let result = try ChildProcess.run(tools.curl, [
            "-s", "-f", "-o", "/dev/null", "-T", archive, "-H", "Content-Type: application/octet-stream", "-H", "Expect:",
            location + (location.contains("?") ? "&" : "?") + "digest=\(digest)",
        ])
        return result
    }

    /// The nice value of this process's autogroup ("/autogroup-N nice V").
    static func autogroupNiceValue() -> Int? {
        let text = (try? String(contentsOfFile: "/proc/self/autogroup", encoding: .utf8)) ?? ""
        return text.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    static func setAutogroupNice(_ value: Int) throws {
        do {
            try "\(value)".write(toFile: "/proc/self/autogroup", atomically: false, encoding: .utf8)
        } catch {
            throw ValidationError("cannot set the autogroup nice value to \(value) (negative values need root): \(error)")
        }
    }

    /// The first three fields of /proc/loadavg.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}

/// The executables the transfer benchmark runs.
struct BenchTools {
    let registry: String
    let skopeo: String
    let curl: String
    let transfer: String

    init(transfer explicit: String?) throws {
        func find(_ name: String, _ package: String) throws -> String {
            let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"]
            guard let found = path.map({ $0 + "/" + name }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw ValidationError("\(name) is not installed (apt-get install \(package))")
            }
            return found
        }
        registry = try find("docker-registry", "docker-registry")
        skopeo = try find("skopeo", "skopeo")
        curl = try find("curl", "curl")
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("checkpoint-transfer").path
        if let explicit {
            guard FileManager.default.isExecutableFile(atPath: explicit) else { throw ValidationError("\(explicit) is not executable") }
            transfer = explicit
            return
        }
        guard FileManager.default.isExecutableFile(atPath: sibling) else {
            throw ValidationError("checkpoint-transfer is not built next to ms2m (\(sibling)); build the package with -c release")
        }
        transfer = sibling
    }
}

/// A checkpoint-shaped tar: the metadata members and one large `checkpoint/pages-1.img` of pseudo-random
/// (incompressible) bytes, written in 4 MiB pieces.
enum BenchArchive {
    static func write(at path: String, pagesBytes: Int64) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        func member(_ name: String, _ size: Int64, directory: Bool = false) throws {
            var block = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, _ offset: Int) { for (i, b) in text.utf8.enumerated() { block[offset + i] = b } }
            put(name, 0)
            put(directory ? "0000755" : "0000644", 100)
            put("0000000", 108)
            put("0000000", 116)
            put(String(format: "%011llo", size), 124)
            put("14725563400", 136)
            block[156] = directory ? UInt8(ascii: "5") : UInt8(ascii: "0")
            put("ustar", 257)
            put("00", 263)
            put("        ", 148)
            let sum = block.reduce(0) { $0 + Int($1) }
            put(String(format: "%06o", sum), 148)
            block[154] = 0
            block[155] = UInt8(ascii: " ")
            try handle.write(contentsOf: block)
        }
        func pad(_ size: Int64) throws {
            let padding = Int((512 - size % 512) % 512)
            if padding > 0 { try handle.write(contentsOf: [UInt8](repeating: 0, count: padding)) }
        }
        let config = Array(#"{"id":"bench","name":"bench","rootfsImageName":"registry.example/bench:1","runtime":"runc"}"#.utf8)
        let spec = Array(#"{"ociVersion":"1.1.0","annotations":{"io.kubernetes.pod.name":"bench-0","io.kubernetes.pod.namespace":"default"}}"#.utf8)
        try member("config.dump", Int64(config.count)); try handle.write(contentsOf: config); try pad(Int64(config.count))
        try member("spec.dump", Int64(spec.count)); try handle.write(contentsOf: spec); try pad(Int64(spec.count))
        try member("checkpoint/", 0, directory: true)
        try member("checkpoint/pages-1.img", pagesBytes)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var piece = [UInt64](repeating: 0, count: (4 << 20) / 8)
        var left = pagesBytes
        while left > 0 {
            for index in piece.indices {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                piece[index] = state
            }
            let count = Int(min(left, Int64(piece.count * 8)))
            try piece.withUnsafeBytes { try handle.write(contentsOf: Data($0.prefix(count))) }
            left -= Int64(count)
        }
        try pad(pagesBytes)
        try handle.write(contentsOf: [UInt8](repeating: 0, count: 1024))
    }
}

/// A `docker-registry` for the benchmark, started with `posix_spawn` (so `wait4` sees only our children).
struct BenchRegistry {
    let pid: pid_t
    let host: String

    static func start(binary: String, directory: String) throws -> BenchRegistry {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try freePort()
        let config = """
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(directory)/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
              secret: ms2m-bench

            """
        try config.write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
        let pid = try ChildProcess.spawn(binary, ["serve", directory + "/config.yml"], output: directory + "/registry.log")
        let registry = BenchRegistry(pid: pid, host: "127.0.0.1:\(port)")
        for _ in 0..<200 {
            let probe = try ChildProcess.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://\(registry.host)/v2/"])
            if probe.stdout == "200" { return registry }
            usleep(50_000)
        }
        registry.stop()
        throw ValidationError("docker-registry did not start; see \(directory)/registry.log")
    }

    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw ValidationError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Child processes run with `posix_spawn` and reaped with `wait4`, for wall time and peak RSS.
enum ChildProcess {
    struct Result {
        var status: Int32
        var seconds: Double
        var maxRSSKiB: Int
        var stdout: String
        var stderr: String
    }

    /// `VmHWM` from /proc/<pid>/status, in KiB (0 once the process has exited).
    static func highWaterMarkKiB(_ pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    static func spawn(_ path: String, _ arguments: [String], output: String, errors: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errors ?? output, O_WRONLY | O_CREAT | (errors == nil ? O_APPEND : O_TRUNC), 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard code == 0 else { throw ValidationError("cannot start \(path): \(String(cString: strerror(code)))") }
        return pid
    }

    static func run(_ path: String, _ arguments: [String]) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.path
        let stamp = UUID().uuidString.prefix(8)
        let out = "\(directory)/ms2m-bench-\(stamp).out"
        let err = "\(directory)/ms2m-bench-\(stamp).err"
        defer { unlink(out); unlink(err) }
        let start = ContinuousClock.now
        let pid = try spawn(path, arguments, output: out, errors: err)
        var status: Int32 = 0
        // Peak RSS: the child's VmHWM (its high-water mark since exec), polled until it exits. wait4's
        // ru_maxrss cannot be used: a posix_spawn (vfork) child starts out charged with the parent's RSS.
        var peakKiB = 0
        while true {
            peakKiB = max(peakKiB, highWaterMarkKiB(pid))
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            usleep(2_000)
        }
        let elapsed = ContinuousClock.now - start
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(
            status: exit, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            maxRSSKiB: peakKiB,
            stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}
