import ArgumentParser
import ControllerRuntime
import Foundation
import KubeClient
import KubeModel
import OperatorCore
import PolicyEngine
import KubeSim
import Logging
import Synchronization

/// `ms2m bench runtime`: informer memory per cached pod and no-op controller throughput.
///
/// Memory is measured in a child process that hosts only the informer (RSS growth from just before the
/// informer starts to just after it synced), against an emulator seeded in another child process, so the
/// emulator's own store never shows up in the numbers.
struct RuntimeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Controller runtime: informer memory (RSS per cached pod) and no-op controller throughput (keys/s).",
        subcommands: [RuntimeBenchAll.self, RuntimeBenchEmulator.self, RuntimeBenchInformer.self, RuntimeBenchBreakdown.self],
        defaultSubcommand: RuntimeBenchAll.self
    )
}

/// Runs every runtime measurement and prints tables.
struct RuntimeBenchAll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run every runtime measurement (the default).")

    @Option(help: "Pod counts to cache, comma-separated.")
    var pods = "10000,150000"

    @Option(help: "Pod counts also measured without the slim transform (full objects), comma-separated.")
    var fullPods = "10000"

    @Option(help: "Keys pushed through the no-op controller per throughput measurement.")
    var keys = 100_000

    func run() async throws {
        let executable = try BenchProcess.currentExecutable()
        print("Inline sizes (MemoryLayout.size, bytes): Pod \(MemoryLayout<Pod>.size), ObjectMeta \(MemoryLayout<ObjectMeta>.size), "
            + "PodSpec \(MemoryLayout<PodSpec>.size), PodStatus \(MemoryLayout<PodStatus>.size), "
            + "Container \(MemoryLayout<Container>.size), PodCondition \(MemoryLayout<PodCondition>.size)")
        print("")
        print("| informer over N realistic pods | transform | sync s | RSS growth MB | RSS bytes/pod | after malloc_trim: MB | bytes/pod |")
        print("|---|---|---|---|---|---|---|")
        let slimCounts = pods.split(separator: ",").compactMap { Int($0) }
        let fullCounts = Set(fullPods.split(separator: ",").compactMap { Int($0) })
        for count in slimCounts.sorted() {
            let emulator = try await BenchProcess.startEmulator(executable: executable, pods: count)
            defer { emulator.stop() }
            var transforms = ["scheduling", "slim"]
            if fullCounts.contains(count) { transforms.append("none") }
            for transform in transforms {
                let result = try await BenchProcess.measureInformer(
                    executable: executable, server: emulator.url, transform: transform)
                let pods = Double(max(result.pods, 1))
                print(String(
                    format: "| %d | %@ | %.2f | %.1f | %.0f | %.1f | %.0f |", result.pods, transform, result.seconds,
                    Double(result.rssGrowth) / 1_048_576, Double(result.rssGrowth) / pods,
                    Double(result.trimmedGrowth) / 1_048_576, Double(result.trimmedGrowth) / pods))
            }
        }
        print("")
        print("| no-op controller | workers | keys | seconds | keys/s |")
        print("|---|---|---|---|---|")
        for workers in [1, 4] {
            let (count, seconds) = await queueThroughput(keys: keys, workers: workers)
            print(String(format: "| work queue → reconcile (distinct keys) | %d | %d | %.3f | %.0f |", workers, count, seconds, Double(count) / seconds))
        }
        let count = slimCounts.min() ?? 10_000
        let emulator = try await BenchProcess.startEmulator(executable: executable, pods: count)
        defer { emulator.stop() }
        for workers in [1, 4] {
            let (reconciled, seconds) = try await controllerThroughput(server: emulator.url, pods: count, workers: workers)
            print(String(format: "| pods informer → queue → reconcile (cache replay) | %d | %d | %.3f | %.0f |", workers, reconciled, seconds, Double(reconciled) / seconds))
        }
    }

    /// Distinct keys through a work queue to no-op "reconciles" by `workers` workers.
    private func queueThroughput(keys: Int, workers: Int) async -> (Int, Double) {
        let queue = WorkQueue<ReconcileRequest>(name: "bench")
        let processed = BenchCounter()
        let clock = ContinuousClock()
        let start = clock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while let key = await queue.next() {
                        queue.forget(key)
                        queue.done(key)
                        if processed.increment() == keys { queue.shutDown() }
                    }
                }
            }
            for index in 0..<keys { queue.add(ReconcileRequest(namespace: "default", name: "key-\(index)")) }
        }
        return (processed.value, (clock.now - start).seconds)
    }

    /// A no-op controller over the emulator's pods: from the informer having synced until every cached pod
    /// was enqueued by the replay and reconciled once.
    private func controllerThroughput(server: String, pods: Int, workers: Int) async throws -> (Int, Double) {
        let client = KubeClient(configuration: ClientConfiguration(server: server, rateLimit: nil))
        let reconciled = BenchCounter()
        let done = AsyncStream<Void>.makeStream()
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let manager = ControllerManager(
            api: client, configuration: ManagerConfiguration(healthProbeAddress: nil, metricsAddress: nil), logger: quiet)
        manager.add(ControllerBuilder(
            named: "noop", for: Pod.self, informerOptions: InformerOptions(transform: ObjectTransforms.slimPod))
            .withOptions(ControllerOptions(workers: workers))
            .build(reconciler: ReconcilerFunction { _ in
                if reconciled.increment() == pods { done.continuation.yield() }
                return .done
            }))
        let clock = ContinuousClock()
        let running = Task { try await manager.run() }
        // Time from the cache having synced (list and decode excluded) to every pod reconciled once.
        await manager.informers.waitForSync()
        let start = clock.now
        for await _ in done.stream { break }
        let elapsed = clock.now - start
        running.cancel()
        _ = await running.result
        return (reconciled.value, elapsed.seconds)
    }
}

/// Serves KubeSim seeded with realistic pods until killed; prints `READY <url>` once listening.
struct RuntimeBenchEmulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator", abstract: "Serve an emulator seeded with sample pods (used by the benchmark).",
        shouldDisplay: false)

    @Option(help: "Pods to create.")
    var pods = 10_000

    func run() async throws {
        var configuration = KubeSimConfiguration()
        configuration.bookmarkInterval = .seconds(3600)
        let server = KubeSimServer(configuration: configuration)
        try await server.start()
        for index in 0..<pods { _ = try server.create(SamplePods.pod(index: index)) }
        FileHandle.standardOutput.write(Data("READY \(server.baseURL)\n".utf8))
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}

/// Syncs one pod informer against `--server` and prints `RESULT <pods> <rss growth bytes> <seconds>`.
struct RuntimeBenchInformer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "informer", abstract: "Measure one informer's memory (used by the benchmark).",
        shouldDisplay: false)

    @Option(help: "The emulator's URL.")
    var server: String

    @Option(help: "scheduling (the policy controller's pod cache: ObjectTransforms.schedulingPod, pods by node, the node-usage summary), slim (ObjectTransforms.slimPod), strip (metadata noise only) or none.")
    var transform = "slim"

    func run() async throws {
        let client = KubeClient(configuration: ClientConfiguration(server: server, rateLimit: nil))
        // Warm up the client, the decoder and the runtime's code paths before the baseline.
        _ = try await client.list(Pod.self, options: ListOptions(limit: 5))
        let options: InformerOptions<Pod>
        switch transform {
        case "scheduling": options = PolicyCaches.podInformerOptions
        case "slim": options = InformerOptions(transform: ObjectTransforms.slimPod, indexes: [.podsByNode, .byControllerUID])
        case "strip": options = InformerOptions(indexes: [.podsByNode, .byControllerUID])
        default: options = InformerOptions(transform: nil, indexes: [.podsByNode, .byControllerUID])
        }
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let before = ResidentMemory.current()
        let clock = ContinuousClock()
        let start = clock.now
        let informer = SharedInformer(Pod.self, api: client, options: options, logger: quiet)
        if transform == "scheduling" { informer.cache.addSummary(NodeUsageSummary.make()) }
        let running = Task { await informer.run() }
        await informer.waitForSync()
        let elapsed = clock.now - start
        let after = ResidentMemory.current()
        // What is live, once the allocator has returned the pages the list's transient buffers left free.
        MallocTrim.trim()
        let trimmed = ResidentMemory.current()
        FileHandle.standardOutput.write(Data(
            "RESULT \(informer.cache.count) \(after - before) \(elapsed.seconds) \(trimmed - before)\n".utf8))
        running.cancel()
        withExtendedLifetime(informer) {}
    }
}

/// Resident set size and other numeric fields of `/proc/self/status`.
enum ResidentMemory {
    /// Resident set size in bytes.
    static func current() -> Int { (statusFields()["VmRSS:"] ?? 0) * 1024 }

    /// The numeric fields of `/proc/self/status` by name (with the colon), values as written (kB for sizes).
    /// Fields are "Name:<tab><spaces>value[ kB]"; the padding shrinks as values grow (VmRSS above ~9.5 GB has
    /// none), so lines are split on any whitespace.
    static func statusFields() -> [String: Int] {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return [:] }
        var fields: [String: Int] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let value = Int(parts[1]) else { continue }
            fields[String(parts[0])] = value
        }
        return fields
    }
}

/// Child processes of the benchmark. Their pipes are read on dedicated threads, never on the
/// cooperative pool.
enum BenchProcess {
    struct Emulator {
        let process: Process
        let url: String
        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct InformerResult {
        var pods: Int
        var rssGrowth: Int
        var seconds: Double
        /// RSS growth after `malloc_trim`.
        var trimmedGrowth: Int
    }

    static func currentExecutable() throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    static func startEmulator(executable: String, pods: Int) async throws -> Emulator {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["bench", "runtime", "emulator", "--pods", String(pods)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = await readLine(output.fileHandleForReading, prefix: "READY ")
        guard let line else {
            process.terminate()
            throw ValidationError("the emulator child exited before it was ready")
        }
        return Emulator(process: process, url: String(line.dropFirst("READY ".count)))
    }

    static func measureInformer(executable: String, server: String, transform: String) async throws -> InformerResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["bench", "runtime", "informer", "--server", server, "--transform", transform]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        guard let line = await readLine(output.fileHandleForReading, prefix: "RESULT ") else {
            throw ValidationError("the informer child failed")
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                process.waitUntilExit()
                continuation.resume()
            }.start()
        }
        let fields = line.split(separator: " ")
        return InformerResult(
            pods: Int(fields[1]) ?? 0, rssGrowth: Int(fields[2]) ?? 0, seconds: Double(fields[3]) ?? 0,
            trimmedGrowth: fields.count > 4 ? Int(fields[4]) ?? 0 : 0)
    }

    /// The first line of `handle` starting with `prefix`, read on its own thread; nil at end of file.
    private static func readLine(_ handle: FileHandle, prefix: String) async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            Thread {
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty {
                        continuation.resume(returning: nil)
                        return
                    }
                    buffer.append(chunk)
                    let text = String(decoding: buffer, as: UTF8.self)
                    if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }),
                        text.contains(line + "\n")
                    {
                        continuation.resume(returning: String(line))
                        return
                    }
                }
            }.start()
        }
    }
}

/// A shared counter for worker tasks.
final class BenchCounter: Sendable {
    private let count = Atomic<Int>(0)
    /// Adds one and returns the new count.
    func increment() -> Int { count.wrappingAdd(1, ordering: .relaxed).newValue }
    var value: Int { count.load(ordering: .relaxed) }
}
