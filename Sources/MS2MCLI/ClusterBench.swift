import ArgumentParser
import Foundation
import KubeClient
import KubeModel
import KubeSim
import Logging
import OperatorCore
import SimCluster
import Synchronization
import Unstructured

/// `ms2m bench cluster`: how many simulated nodes and pods one process sustains. KubeSim runs in-process with a
/// ``SimulatedCluster`` of `--nodes` nodes whose containers run an idle program; `--pods-per-node` pods per
/// node are created through the API pinned with `spec.nodeName`, then `--scheduled-pods` more go through the
/// simulated scheduler. Reported: startup and pod start times, resident memory per node and per pod, the API
/// request rate the steady state costs, and whether every node's Lease was renewed on time.
struct ClusterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Simulated cluster scale: nodes and pods one process sustains, startup time, memory, heartbeat load.")

    @Option(help: "Simulated nodes.")
    var nodes = 100

    @Option(help: "Pods per node created with spec.nodeName set (bypassing the scheduler).")
    var podsPerNode = 10

    @Option(help: "Pods created afterwards without a node, placed by the simulated scheduler.")
    var scheduledPods = 200

    @Option(help: "Pod creations in flight at once.")
    var concurrency = 32

    @Option(help: "Node Lease renewal interval in seconds (the kubelet's default is 10).")
    var leaseInterval = 10

    @Option(help: "Node status report interval in seconds (the kubelet's default is 60 when nothing changes).")
    var statusInterval = 60

    @Option(help: "How often each pod's readiness is re-checked, in milliseconds (SimCluster's default is 200).")
    var readinessIntervalMs = 10_000

    @Option(help: "Seconds of steady state (everything running) over which heartbeats and request rates are measured.")
    var observe = 30

    @Option(help: "Give up waiting for pods to run after this many seconds.")
    var timeout = 1_800

    @Flag(help: "Do not run a kubelet HTTP server per node (nodes report port 0; the node proxy answers 503).")
    var noKubeletServers = false

    @Option(help: "text or json.")
    var output: SimulateCommand.OutputFormat = .text

    func validate() throws {
        guard nodes > 0, podsPerNode >= 0, scheduledPods >= 0, concurrency > 0, leaseInterval > 0, statusInterval > 0,
            readinessIntervalMs > 0, observe >= 0
        else { throw ValidationError("counts and intervals must be positive") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let baseline = ProcessSample.now()
        let warnings = WarningCounter()
        let logger = Logger(label: "ms2m.bench.cluster", factory: { _ in WarningCountingHandler(counter: warnings) })
        let pinned = nodes * podsPerNode

        var serverConfiguration = KubeSimConfiguration()
        serverConfiguration.watchHistoryLimit = max(10_000, 2 * (pinned + scheduledPods))
        serverConfiguration.watchBufferLimit = max(50_000, 2 * (pinned + scheduledPods))
        let server = KubeSimServer(configuration: serverConfiguration)
        let root = FileManager.default.temporaryDirectory.path + "/ms2m-bench-cluster-\(getpid())"
        let nodeConfigurations = (0..<nodes).map { index in
            SimNodeConfiguration(
                name: Self.nodeName(index), cpu: "64", memory: "256Gi",
                pods: max(110, podsPerNode + scheduledPods / nodes + 20))
        }
        let cluster = SimulatedCluster(
            configuration: SimClusterConfiguration(
                nodes: nodeConfigurations, rootDirectory: root,
                programs: [SimProgramBinding(.repository("idle")) { _ in IdleProcess() }],
                leaseHeartbeatInterval: .seconds(leaseInterval), nodeStatusReportInterval: .seconds(statusInterval),
                readinessCheckInterval: .milliseconds(readinessIntervalMs), servesKubeletAPI: !noKubeletServers),
            logger: logger)
        let sampler = LeaseSampler(server: server, interval: leaseInterval)
        var result = ClusterBenchResult(
            nodes: nodes, podsPerNode: podsPerNode, scheduledPods: scheduledPods, leaseIntervalSeconds: leaseInterval,
            statusIntervalSeconds: statusInterval, readinessIntervalMilliseconds: readinessIntervalMs,
            kubeletServers: !noKubeletServers, baselineRSSBytes: baseline.rss)

        let start = clock.now
        try await server.start()
        let samplerTask = Task { await sampler.run() }
        defer { samplerTask.cancel() }
        do {
            _ = try server.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "bench"]])
            progress("Starting \(nodes) nodes …")
            try await cluster.start(server: server)
            result.clusterStartSeconds = (clock.now - start).clusterBenchSeconds
            result.nodesReady = Self.readyNodes(server)
            let up = ProcessSample.now()
            result.clusterUp = PhaseSample(up, since: baseline)
            progress(String(format: "%d/%d nodes Ready after %.1f s, RSS %.0f MB", result.nodesReady, nodes, result.clusterStartSeconds, up.rssMB))

            var quiet = Logger(label: "ms2m.bench.cluster.client", factory: { _ in WarningCountingHandler(counter: warnings) })
            quiet.logLevel = .error
            let client = KubeClient(configuration: ClientConfiguration(server: server.baseURL, rateLimit: nil), logger: quiet)

            // Pinned pods.
            progress("Creating \(pinned) pods pinned to nodes …")
            let pinnedStart = clock.now
            let pinnedFailed = try await createPods(count: pinned, client: client, pinned: true)
            let created = clock.now
            let pinnedRunning = await waitForRunning(server, expected: pinned - pinnedFailed, since: pinnedStart)
            let podsUp = ProcessSample.now()
            result.pinned = PodPhase(
                pods: pinned, createFailed: pinnedFailed, createSeconds: (created - pinnedStart).clusterBenchSeconds,
                running: pinnedRunning.count, runningSeconds: pinnedRunning.seconds,
                sample: PhaseSample(podsUp, since: up))
            result.pinnedPodsUp = PhaseSample(podsUp, since: baseline)

            // Through the scheduler.
            if scheduledPods > 0 {
                progress("Creating \(scheduledPods) pods for the scheduler …")
                let scheduledStart = clock.now
                let failed = try await createPods(count: scheduledPods, client: client, pinned: false)
                let createdScheduled = clock.now
                let running = await waitForRunning(
                    server, expected: pinned - pinnedFailed + scheduledPods - failed, since: scheduledStart)
                let after = ProcessSample.now()
                result.scheduled = PodPhase(
                    pods: scheduledPods, createFailed: failed,
                    createSeconds: (createdScheduled - scheduledStart).clusterBenchSeconds,
                    running: running.count - (pinned - pinnedFailed), runningSeconds: running.seconds,
                    sample: PhaseSample(after, since: podsUp))
            }
            result.startupLeases = sampler.take()

            // Steady state.
            sampler.setPhase("steady")
            progress("Observing the steady state for \(observe) s …")
            result.steady = await observeSteadyState(server)
            result.steadyLeases = sampler.take()
            result.allUp = PhaseSample(ProcessSample.now(), since: baseline)
        } catch {
            await cluster.shutdown()
            try? await server.shutdown()
            throw error
        }
        progress("Shutting down …")
        let stopping = clock.now
        await cluster.shutdown()
        result.shutdownSeconds = (clock.now - stopping).clusterBenchSeconds
        try? await server.shutdown()
        result.warnings = warnings.snapshot()
        await Self.removeDirectory(root)
        switch output {
        case .json: print(result.json())
        case .text: print(result.table())
        }
    }

    private func progress(_ message: String) {
        if output == .text { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }

    static func nodeName(_ index: Int) -> String {
        let digits = String(index)
        return "node-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// Creates `count` pods through the API, `concurrency` at a time; returns how many failed (after 3 tries).
    /// Pinned pods go round-robin over the nodes; the others name no node.
    private func createPods(count: Int, client: KubeClient, pinned: Bool) async throws -> Int {
        let nodes = self.nodes
        let prefix = pinned ? "pinned" : "scheduled"
        @Sendable func make(_ index: Int) -> Pod {
            var spec = PodSpec(containers: [Container(name: "idle", image: "bench.local/idle:1")])
            spec.terminationGracePeriodSeconds = 0
            if pinned { spec.nodeName = Self.nodeName(index % nodes) }
            return Pod(metadata: ObjectMeta(name: "\(prefix)-\(index)", namespace: "bench"), spec: spec)
        }
        return await withTaskGroup(of: Bool.self) { group in
            var next = 0
            var failed = 0
            func addOne() {
                let index = next
                next += 1
                group.addTask {
                    for attempt in 0..<3 {
                        do {
                            _ = try await client.create(make(index), namespace: "bench")
                            return true
                        } catch where KubernetesErrors.isAlreadyExists(error) {
                            return true
                        } catch {
                            try? await Task.sleep(for: .milliseconds(100 << attempt))
                        }
                    }
                    return false
                }
            }
            while next < min(concurrency, count) { addOne() }
            for await ok in group {
                if !ok { failed += 1 }
                if next < count { addOne() }
            }
            return failed
        }
    }

    /// Polls the emulator's store (in-process) until `expected` pods in `bench` are Running or the timeout passes.
    private func waitForRunning(
        _ server: KubeSimServer, expected: Int, since start: ContinuousClock.Instant
    ) async -> (count: Int, seconds: Double) {
        let clock = ContinuousClock()
        var count = 0
        var lastReport = clock.now
        while true {
            count = server.list(apiVersion: "v1", kind: "Pod", namespace: "bench")
                .reduce(0) { $0 + ($1[path: ["status", "phase"]]?.stringValue == "Running" ? 1 : 0) }
            let elapsed = clock.now - start
            if count >= expected || elapsed > .seconds(timeout) { return (count, elapsed.clusterBenchSeconds) }
            if clock.now - lastReport >= .seconds(5) {
                progress(String(format: "  %d/%d Running after %.0f s, RSS %.0f MB", count, expected, elapsed.clusterBenchSeconds, ProcessSample.now().rssMB))
                lastReport = clock.now
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Request rates and CPU while nothing but heartbeats, status reports and readiness checks happen.
    private func observeSteadyState(_ server: KubeSimServer) async -> SteadyState {
        let clock = ContinuousClock()
        let before = ProcessSample.now()
        let firstVersion = Int(server.currentResourceVersion) ?? 0
        let start = clock.now
        var requests = 0
        var leaseRequests = 0
        var saturatedSeconds = 0
        server.requests.clear()
        while clock.now - start < .seconds(observe) {
            try? await Task.sleep(for: .seconds(1))
            let logged = server.requests.all
            server.requests.clear()
            if logged.count >= server.requests.capacity { saturatedSeconds += 1 }
            requests += logged.count
            leaseRequests += logged.reduce(0) { $0 + ($1.uri.contains("/leases/") ? 1 : 0) }
        }
        let seconds = (clock.now - start).clusterBenchSeconds
        let after = ProcessSample.now()
        let writes = (Int(server.currentResourceVersion) ?? 0) - firstVersion
        return SteadyState(
            seconds: seconds, requestsPerSecond: Double(requests) / max(seconds, 1e-9),
            leaseRequestsPerSecond: Double(leaseRequests) / max(seconds, 1e-9),
            writesPerSecond: Double(writes) / max(seconds, 1e-9),
            expectedLeaseRequestsPerSecond: 2 * Double(nodes) / Double(leaseInterval),
            cpuPercent: 100 * (after.cpuSeconds - before.cpuSeconds) / max(seconds, 1e-9),
            secondsWithFullRequestLog: saturatedSeconds)
    }

    private static func readyNodes(_ server: KubeSimServer) -> Int {
        server.list(apiVersion: "v1", kind: "Node", namespace: nil).reduce(0) { count, node in
            let conditions = node[path: ["status", "conditions"]]?.arrayValue ?? []
            let ready = conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
            return count + (ready ? 1 : 0)
        }
    }

    /// Removes the node directories on a thread of its own (many thousands of pod directories).
    private static func removeDirectory(_ path: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                try? FileManager.default.removeItem(atPath: path)
                continuation.resume()
            }.start()
        }
    }
}

// MARK: - The idle program

/// A container that does nothing until it is stopped: SIGTERM or SIGKILL (task cancellation) end it with 0.
private final class IdleProcess: SimulatedProcess {
    private let state = Mutex<(stopped: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func run() async -> Int32 {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let stopped = state.withLock { s -> Bool in
                    if !s.stopped { s.waiter = continuation }
                    return s.stopped
                }
                if stopped { continuation.resume() }
            }
        } onCancel: {
            stop()
        }
        return 0
    }

    private func stop() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.stopped = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    func terminate() async { stop() }
    func checkpoint() async throws -> [UInt8] { [] }
    func isReady() async -> Bool { true }
}

// MARK: - Observation

/// Samples every node Lease once a second and keeps, per phase, how stale the renewals got.
private final class LeaseSampler: Sendable {
    struct State: Sendable {
        var phase = "startup and pod start"
        var leases = LeaseHealth()
        var lastRenew: [String: Int64] = [:]
    }
    private let server: KubeSimServer
    private let interval: Int
    private let state = Mutex(State())

    init(server: KubeSimServer, interval: Int) {
        self.server = server
        self.interval = interval
    }

    func setPhase(_ phase: String) { state.withLock { $0.phase = phase } }

    /// The health seen since the last call (or the start), then starts afresh.
    func take() -> LeaseHealth {
        state.withLock { s in
            defer { s.leases = LeaseHealth() }
            var health = s.leases
            health.phase = s.phase
            return health
        }
    }

    func run() async {
        let late = Int64(interval) * 1_500_000  // 1.5 intervals, in microseconds
        let expired = Int64(40) * 1_000_000  // the Lease's duration: the node controller would mark the node NotReady
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
            let process = ProcessSample.now()
            let now = MicroTime.now().microsecondsSinceEpoch
            var renewals: [String: Int64] = [:]
            for lease in server.list(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "kube-node-lease") {
                guard let name = lease[path: ["metadata", "name"]]?.stringValue,
                    let text = lease[path: ["spec", "renewTime"]]?.stringValue,
                    let renewed = MicroTime(rfc3339: text)
                else { continue }
                renewals[name] = renewed.microsecondsSinceEpoch
            }
            state.withLock { s in
                s.leases.samples += 1
                s.leases.peakOpenDescriptors = max(s.leases.peakOpenDescriptors, process.descriptors)
                s.leases.peakRSSBytes = max(s.leases.peakRSSBytes, process.rss)
                var ages: [Int64] = []
                ages.reserveCapacity(renewals.count)
                for (name, renewed) in renewals {
                    let age = now - renewed
                    ages.append(age)
                    if age > late { s.leases.lateNodes.insert(name) }
                    if age > expired { s.leases.expiredNodes.insert(name) }
                    if let previous = s.lastRenew[name], previous != renewed { s.leases.renewals += 1 }
                    s.lastRenew[name] = renewed
                }
                ages.sort()
                if let max = ages.last { s.leases.maxAgeSeconds = Swift.max(s.leases.maxAgeSeconds, Double(max) / 1e6) }
                if !ages.isEmpty {
                    let p99 = Double(ages[min(ages.count - 1, ages.count * 99 / 100)]) / 1e6
                    s.leases.p99AgeSeconds = Swift.max(s.leases.p99AgeSeconds, p99)
                }
                s.leases.observedSeconds += 1
            }
        }
    }
}

/// Counts log messages of level info and above (re-lists, failed heartbeats) by text.
private final class WarningCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func record(_ message: String) { counts.withLock { $0[message, default: 0] += 1 } }
    func snapshot() -> [String: Int] { counts.withLock { $0 } }
}

private struct WarningCountingHandler: LogHandler {
    let counter: WarningCounter
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var text = "\(event.level): \(event.message)"
        if let error = event.metadata?["error"] ?? metadata["error"] { text += ": " + String("\(error)".prefix(100)) }
        counter.record(text)
    }
}

/// Resident memory, open descriptors, threads and CPU time of this process.
private struct ProcessSample {
    var rss: Int
    var descriptors: Int
    var threads: Int
    var cpuSeconds: Double

    var rssMB: Double { Double(rss) / 1_048_576 }

    static func now() -> ProcessSample {
        let status = ResidentMemory.statusFields()
        let threads = status["Threads:"] ?? 0
        let rss = (status["VmRSS:"] ?? 0) * 1024
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return ProcessSample(rss: rss, descriptors: descriptors, threads: threads, cpuSeconds: cpu)
    }
}

// MARK: - Result

struct PhaseSample: Codable, Sendable {
    var rssBytes: Int
    var rssGrowthBytes: Int
    var openDescriptors: Int
    var threads: Int
    var cpuSeconds: Double

    fileprivate init(_ sample: ProcessSample, since base: ProcessSample) {
        rssBytes = sample.rss
        rssGrowthBytes = sample.rss - base.rss
        openDescriptors = sample.descriptors
        threads = sample.threads
        cpuSeconds = sample.cpuSeconds - base.cpuSeconds
    }

    init() {
        rssBytes = 0
        rssGrowthBytes = 0
        openDescriptors = 0
        threads = 0
        cpuSeconds = 0
    }
}

struct PodPhase: Encodable, Sendable {
    var pods: Int
    var createFailed: Int
    var createSeconds: Double
    var running: Int
    var runningSeconds: Double
    var sample: PhaseSample
    var createdPerSecond: Double { Double(pods - createFailed) / max(createSeconds, 1e-9) }
    var runningPerSecond: Double { Double(running) / max(runningSeconds, 1e-9) }

    enum CodingKeys: String, CodingKey {
        case pods, createFailed, createSeconds, running, runningSeconds, sample, createdPerSecond, runningPerSecond
    }

    init(pods: Int, createFailed: Int, createSeconds: Double, running: Int, runningSeconds: Double, sample: PhaseSample) {
        self.pods = pods
        self.createFailed = createFailed
        self.createSeconds = createSeconds
        self.running = running
        self.runningSeconds = runningSeconds
        self.sample = sample
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pods, forKey: .pods)
        try c.encode(createFailed, forKey: .createFailed)
        try c.encode(createSeconds, forKey: .createSeconds)
        try c.encode(running, forKey: .running)
        try c.encode(runningSeconds, forKey: .runningSeconds)
        try c.encode(sample, forKey: .sample)
        try c.encode(createdPerSecond, forKey: .createdPerSecond)
        try c.encode(runningPerSecond, forKey: .runningPerSecond)
    }
}

struct LeaseHealth: Encodable, Sendable {
    var phase = ""
    var samples = 0
    var observedSeconds = 0
    /// Lease renewals seen (a changed renewTime between two samples a second apart).
    var renewals = 0
    var maxAgeSeconds = 0.0
    var p99AgeSeconds = 0.0
    /// Nodes whose Lease was once older than 1.5 renewal intervals.
    var lateNodes: Set<String> = []
    /// Nodes whose Lease was once older than its 40 s duration (a real node controller would mark them NotReady).
    var expiredNodes: Set<String> = []
    /// The most descriptors this process had open at a sample (kubelet servers, API connections).
    var peakOpenDescriptors = 0
    var peakRSSBytes = 0

    enum CodingKeys: String, CodingKey {
        case phase, samples, observedSeconds, renewals, maxAgeSeconds, p99AgeSeconds, lateNodes, expiredNodes
        case peakOpenDescriptors, peakRSSBytes
    }

    /// Node sets are reported as counts.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phase, forKey: .phase)
        try c.encode(samples, forKey: .samples)
        try c.encode(observedSeconds, forKey: .observedSeconds)
        try c.encode(renewals, forKey: .renewals)
        try c.encode(maxAgeSeconds, forKey: .maxAgeSeconds)
        try c.encode(p99AgeSeconds, forKey: .p99AgeSeconds)
        try c.encode(lateNodes.count, forKey: .lateNodes)
        try c.encode(expiredNodes.count, forKey: .expiredNodes)
        try c.encode(peakOpenDescriptors, forKey: .peakOpenDescriptors)
        try c.encode(peakRSSBytes, forKey: .peakRSSBytes)
    }
}

struct SteadyState: Codable, Sendable {
    var seconds = 0.0
    /// Every request the emulator received per second (heartbeats, status reports, informer traffic).
    var requestsPerSecond = 0.0
    /// Lease GETs and PUTs per second.
    var leaseRequestsPerSecond = 0.0
    /// Writes per second (resourceVersion increments).
    var writesPerSecond = 0.0
    /// A GET and a PUT per node per renewal interval.
    var expectedLeaseRequestsPerSecond = 0.0
    /// CPU used by the whole process, percent of one core.
    var cpuPercent = 0.0
    /// Seconds in which the emulator's request log (10,000 entries) filled up: the rates are then lower bounds.
    var secondsWithFullRequestLog = 0
}

struct ClusterBenchResult: Encodable, Sendable {
    var nodes: Int
    var podsPerNode: Int
    var scheduledPods: Int
    var leaseIntervalSeconds: Int
    var statusIntervalSeconds: Int
    var readinessIntervalMilliseconds: Int
    var kubeletServers: Bool
    var baselineRSSBytes: Int
    /// KubeSim start plus `SimulatedCluster.start` (every Node registered Ready, Lease created, informers synced).
    var clusterStartSeconds = 0.0
    var nodesReady = 0
    var clusterUp = PhaseSample()
    var pinned: PodPhase?
    var pinnedPodsUp = PhaseSample()
    var scheduled: PodPhase?
    var startupLeases = LeaseHealth()
    var steady = SteadyState()
    var steadyLeases = LeaseHealth()
    var allUp = PhaseSample()
    var shutdownSeconds = 0.0
    var warnings: [String: Int] = [:]

    /// RSS growth from the process start to the cluster being up, per node (emulator objects, kubelet, agent).
    var bytesPerNode: Double { Double(clusterUp.rssGrowthBytes) / Double(max(nodes, 1)) }
    /// RSS growth while the pinned pods started, per running pod (emulator store, informer cache, pod worker).
    var bytesPerPod: Double { Double(pinned?.sample.rssGrowthBytes ?? 0) / Double(max(pinned?.running ?? 0, 1)) }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var object = (try? JSONSerialization.jsonObject(with: encoder.encode(self))) as? [String: Any] ?? [:]
        object["bytesPerNode"] = bytesPerNode.rounded()
        object["bytesPerPod"] = bytesPerPod.rounded()
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    func table() -> String {
        func mb(_ bytes: Int) -> String { String(format: "%.0f", Double(bytes) / 1_048_576) }
        var out = "\n| simulated cluster | value |\n|---|---|\n"
        out += "| nodes (kubelet HTTP servers: \(kubeletServers ? "yes" : "no")) | \(nodes) |\n"
        out += String(format: "| startup: KubeSim + cluster start until every node Ready | %.2f s (%d/%d Ready) |\n", clusterStartSeconds, nodesReady, nodes)
        out += "| RSS at start → cluster up | \(mb(baselineRSSBytes)) → \(mb(clusterUp.rssBytes)) MB |\n"
        out += String(format: "| RSS per node | %.1f KB |\n", bytesPerNode / 1024)
        out += "| open descriptors / threads (cluster up) | \(clusterUp.openDescriptors) / \(clusterUp.threads) |\n"
        for (name, phase) in [("pinned (spec.nodeName)", pinned), ("through the scheduler", scheduled)] {
            guard let phase else { continue }
            out += String(
                format: "| %@ pods: created / failed | %d / %d in %.2f s (%.0f pods/s) |\n", name, phase.pods, phase.createFailed,
                phase.createSeconds, phase.createdPerSecond)
            out += String(
                format: "| %@ pods: Running | %d in %.2f s from first create (%.0f pods/s) |\n", name, phase.running,
                phase.runningSeconds, phase.runningPerSecond)
            out += "| \(name): RSS growth, CPU | \(mb(phase.sample.rssGrowthBytes)) MB, \(String(format: "%.1f", phase.sample.cpuSeconds)) CPU s |\n"
        }
        out += String(format: "| RSS per pod (pinned) | %.1f KB |\n", bytesPerPod / 1024)
        out += "| RSS with everything running | \(mb(allUp.rssBytes)) MB (descriptors \(allUp.openDescriptors), threads \(allUp.threads)) |\n"
        out += String(
            format: "| steady state over %.0f s: API requests/s (lease requests/s, expected %.0f) | %.0f (%.0f)%@ |\n",
            steady.seconds, steady.expectedLeaseRequestsPerSecond, steady.requestsPerSecond, steady.leaseRequestsPerSecond,
            steady.secondsWithFullRequestLog > 0 ? " (lower bound: request log full)" : "")
        out += String(format: "| steady state: writes/s, CPU | %.0f, %.0f %% of a core |\n", steady.writesPerSecond, steady.cpuPercent)
        for health in [startupLeases, steadyLeases] {
            out += String(
                format: "| leases during %@ (%d s, interval %d s): renewals, p99 / max age, late (>1.5×) / expired (>40 s) nodes | %d, %.1f / %.1f s, %d / %d |\n",
                health.phase, health.observedSeconds, leaseIntervalSeconds, health.renewals, health.p99AgeSeconds,
                health.maxAgeSeconds, health.lateNodes.count, health.expiredNodes.count)
            out += "| peak during \(health.phase): open descriptors, RSS | \(health.peakOpenDescriptors), \(mb(health.peakRSSBytes)) MB |\n"
        }
        out += String(format: "| shutdown | %.2f s |\n", shutdownSeconds)
        if !warnings.isEmpty {
            out += "\nLogged (info and above):\n"
            for (message, count) in warnings.sorted(by: { $0.value > $1.value }) { out += "  \(count)× \(message)\n" }
        }
        return out
    }
}

extension Duration {
    fileprivate var clusterBenchSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
