import ControllerRuntime
import Foundation
import KubeModel
import OperatorCore
import Unstructured

/// Runs one pod bound to a node, as the kubelet's pod worker does: after the start delay it prepares the
/// volumes, runs the init containers in order (``InitContainerSequence``: regular ones to completion,
/// sidecars left running — https://kubernetes.io/docs/concepts/workloads/pods/init-containers/,
/// https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/), then starts the app containers,
/// each as the ``SimulatedProcess`` its image resolves to; it restarts exited containers per their role and
/// the restart policy with back-off, tracks readiness, writes the pod status (through the status
/// subresource, only when it changed), and on graceful deletion sends SIGTERM to the app containers, then to
/// the sidecars in reverse order, kills what outlives the grace period, and deletes the pod with grace
/// period 0. The pod's containers share one ``PodLocalhost``.
actor PodWorker {
    let key: ObjectKey
    private let context: KubeletContext
    private let podIP: String
    private(set) var pod: Pod
    /// Init containers first, then app containers, each in spec order.
    private var containers: [ContainerRecord]
    /// The pod's loopback interface, shared by its containers.
    private let localhost = LoopbackNetwork()
    private var sandboxReady = false
    private var startTime: Time?
    private var terminating = false
    /// The app containers have all exited for good (or initialization failed): sidecars are stopped and not
    /// restarted.
    private var finished = false
    private var lifecycle: Task<Void, Never>?
    private var statusWriter: Task<Void, Never>?
    private var pendingRestarts: [String: Task<Void, Never>] = [:]
    private var termination: Task<Void, Never>?
    private var written: PodStatus?
    private let kicks: AsyncStream<Void>.Continuation
    private let kickStream: AsyncStream<Void>
    /// Container changes, for the start sequence waiting on init containers.
    private let progress: AsyncStream<Void>.Continuation
    private let progressStream: AsyncStream<Void>

    init(pod: Pod, podIP: String, context: KubeletContext) {
        self.key = ObjectKey(of: pod)
        self.pod = pod
        self.podIP = podIP
        self.context = context
        let initContainers = pod.spec?.initContainers ?? []
        let declared = initContainers.map { ($0, ContainerRole($0, isInit: true)) }
            + (pod.spec?.containers ?? []).map { ($0, ContainerRole.app) }
        self.containers = declared.enumerated().map { index, entry in
            var record = ContainerRecord(name: entry.0.name, image: entry.0.image ?? "", role: entry.1)
            // Behind init containers, containers wait for the pod to initialize.
            if index > 0 && !initContainers.isEmpty {
                record.state = ContainerState(waiting: ContainerStateWaiting(reason: "PodInitializing"))
            }
            return record
        }
        (kickStream, kicks) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (progressStream, progress) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Control from the kubelet

    /// Starts the pod's lifecycle and its status writer.
    func start() {
        guard lifecycle == nil else { return }
        statusWriter = Task { await self.writeStatusOnChange() }
        lifecycle = Task { await self.runLifecycle() }
    }

    /// A newer version of the pod arrived; a deletion timestamp starts graceful termination.
    func update(_ newer: Pod) {
        pod = newer
        if newer.metadata.deletionTimestamp != nil && !terminating {
            terminating = true
            termination = Task { await self.terminateGracefully() }
        }
    }

    /// The pod is gone from the API: kill everything now.
    func stop() async {
        terminating = true
        termination?.cancel()
        lifecycle?.cancel()
        for task in pendingRestarts.values { task.cancel() }
        let tasks = containers.compactMap(\.runTask)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        statusWriter?.cancel()
        kicks.finish()
        progress.finish()
    }

    /// The running process of `container`, if it runs.
    func process(of container: String) -> (any SimulatedProcess)? {
        containers.first { $0.name == container }?.process
    }

    /// The running process of `container` and the image whose program it runs, if it runs.
    func runningContainer(_ container: String) -> (process: any SimulatedProcess, programImage: String)? {
        guard let record = containers.first(where: { $0.name == container }), let process = record.process else { return nil }
        return (process, record.programImage ?? record.image)
    }

    /// Whether the pod has a container named `container`.
    func hasContainer(_ container: String) -> Bool { containers.contains { $0.name == container } }

    // MARK: Lifecycle

    private func runLifecycle() async {
        do {
            try await Task.sleep(for: context.cluster.podStartDelay)
        } catch { return }
        let filesystem = PodFilesystem(clusterRoot: context.cluster.rootDirectory, nodeRoot: context.nodeRoot, pod: pod, sharedHostPaths: context.cluster.sharedHostPaths)
        var attempt = 0
        while !Task.isCancelled {
            do {
                try await filesystem.prepare(api: context.client)
                break
            } catch {
                for i in containers.indices {
                    containers[i].state = ContainerState(
                        waiting: ContainerStateWaiting(reason: "ContainerCreating", message: "MountVolume.SetUp failed: \(error)"))
                }
                kick()
                attempt += 1
                guard (try? await Task.sleep(for: backoff(attempt))) != nil else { return }
            }
        }
        sandboxReady = true
        startTime = startTime ?? Time.now()
        kick()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.startContainers() }
            group.addTask { await self.probeReadiness() }
        }
    }

    /// Starts the init containers as ``InitContainerSequence`` says, each after the one before completed
    /// (or, a sidecar, runs), then the app containers in order.
    private func startContainers() async {
        progress.yield()
        for await _ in progressStream {
            switch InitContainerSequence.next(containers) {
            case .start(let name):
                await startContainer(name, attempt: 0)
                // Not even tried (the pod terminates): nothing more to start.
                guard containers.first(where: { $0.name == name })?.startRequested == true else { return }
                progress.yield()
            case .wait:
                continue
            case .failed:
                await finish()
                return
            case .initialized:
                for record in containers where record.role == .app && !Task.isCancelled {
                    await startContainer(record.name, attempt: 0)
                }
                return
            }
        }
    }

    private func probeReadiness() async {
        while !Task.isCancelled {
            await refreshReadiness()
            guard (try? await Task.sleep(for: context.cluster.readinessCheckInterval)) != nil else { return }
        }
    }

    private func backoff(_ restarts: Int) -> Duration {
        var delay = context.cluster.initialRestartBackoff
        for _ in 0..<max(0, restarts - 1) where delay < context.cluster.maximumRestartBackoff { delay *= 2 }
        return min(delay, context.cluster.maximumRestartBackoff)
    }

    private func index(of name: String) -> Int? { containers.firstIndex { $0.name == name } }

    /// Starts (or restarts) one container; a failure leaves it waiting and retries after back-off.
    private func startContainer(_ name: String, attempt: Int) async {
        guard !terminating, let spec = pod.spec?.allContainers.first(where: { $0.name == name }), let i = index(of: name),
            !(finished && containers[i].role == .sidecar)
        else { return }
        containers[i].startRequested = true
        let image = spec.image ?? ""
        do {
            let (process, programImage) = try await launch(spec, image: image)
            guard !terminating, let i = index(of: name), !(finished && containers[i].role == .sidecar) else {
                await process.terminate()
                return
            }
            if containers[i].instance > 0 { containers[i].restartCount += 1 }
            containers[i].instance += 1
            let instance = containers[i].instance
            let startedAt = Time.now()
            containers[i].process = process
            containers[i].containerID = context.containerID(seed: "\(pod.metadata.uid ?? key.description)/\(name)/\(instance)")
            containers[i].imageID = SimIdentifiers.imageID(image)
            containers[i].programImage = programImage
            containers[i].state = ContainerState(running: ContainerStateRunning(startedAt: startedAt))
            containers[i].ready = false
            containers[i].isFinal = false
            containers[i].runTask = Task {
                let code = await process.run()
                await self.containerExited(name, instance: instance, exitCode: code, startedAt: startedAt)
            }
            kick()
            await refreshReadiness()
        } catch {
            let failure = (error as? ContainerStartError) ?? .create("\(error)")
            guard let i = index(of: name) else { return }
            containers[i].state = ContainerState(waiting: ContainerStateWaiting(reason: failure.reason, message: failure.message))
            kick()
            context.logger.debug("Failed to start container", metadata: ["pod": "\(key)", "container": "\(name)", "reason": "\(failure.reason)"])
            scheduleStart(name, after: backoff(attempt + 1), attempt: attempt + 1)
        }
    }

    private func scheduleStart(_ name: String, after delay: Duration, attempt: Int) {
        pendingRestarts[name]?.cancel()
        pendingRestarts[name] = Task {
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            await self.startContainer(name, attempt: attempt)
        }
    }

    /// Makes the process for a container: faults, image resolution, then the program with its launch.
    private func launch(_ spec: Container, image: String) async throws -> (any SimulatedProcess, programImage: String) {
        let resolved = try await context.resolver.resolve(image: image, container: spec.name)
        switch context.faults.startFailure(image: image, node: context.node.name, fromCheckpoint: resolved.restoredState != nil) {
        case .createContainerError(let message)?: throw ContainerStartError.create(message)
        case .imagePull(let message)?: throw ContainerStartError.imagePull(message)
        case .exitWithError?: return (ExitingProcess(exitCode: 1), image)
        case nil: break
        }
        let filesystem = PodFilesystem(clusterRoot: context.cluster.rootDirectory, nodeRoot: context.nodeRoot, pod: pod, sharedHostPaths: context.cluster.sharedHostPaths)
        let terminationFile = filesystem.terminationMessageFile(container: spec.name)
        // The kubelet bind-mounts the termination message file at terminationMessagePath: a path that is
        // mounted like a volume, so arguments naming it reach the local file, never this machine's /dev.
        let terminationMount = (mountPath: spec.terminationMessagePath ?? "/dev/termination-log", local: terminationFile)
        let environment = ContainerEnvironment(
            pod: pod, podIP: podIP, hostIP: context.hostIP, mounts: [terminationMount] + filesystem.mounts(of: spec))
        let env = try await environment.environment(of: spec, api: context.client)
        try? FileManager.default.removeItem(atPath: terminationFile)
        let launch = ContainerLaunch(
            namespace: key.namespace, podName: key.name, nodeName: context.node.name, containerName: spec.name,
            image: image, programImage: resolved.programImage, arguments: environment.arguments(of: spec, environment: env),
            environment: env, terminationMessageFile: terminationFile, restoredState: resolved.restoredState,
            brokers: context.cluster.brokers, localhost: PodLocalhost(network: localhost, owner: spec.name))
        do {
            return (try await resolved.program(launch), resolved.programImage)
        } catch let error as ContainerStartError {
            throw error
        } catch {
            throw ContainerStartError.create("\(error)")
        }
    }

    private func containerExited(_ name: String, instance: Int, exitCode: Int32, startedAt: Time) async {
        guard let i = index(of: name), containers[i].instance == instance else { return }
        let file = PodFilesystem(clusterRoot: context.cluster.rootDirectory, nodeRoot: context.nodeRoot, pod: pod, sharedHostPaths: context.cluster.sharedHostPaths)
            .terminationMessageFile(container: name)
        let message = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        let terminated = ContainerStateTerminated(
            exitCode: Int(exitCode), reason: exitCode == 0 ? "Completed" : "Error", message: message.isEmpty ? nil : message,
            startedAt: startedAt, finishedAt: Time.now(), containerID: containers[i].containerID)
        // The process is gone, and with it its sockets.
        localhost.closeListeners(of: name)
        let role = containers[i].role
        containers[i].process = nil
        containers[i].runTask = nil
        // A completed regular init container reports ready, as the kubelet's prober manager does.
        containers[i].ready = role == .initContainer && exitCode == 0
        containers[i].state = ContainerState(terminated: terminated)
        let policy = pod.spec?.restartPolicy ?? "Always"
        let restart = !terminating && !finished && role.restartsAfterExit(exitCode: exitCode, podRestartPolicy: policy)
        containers[i].isFinal = !restart
        if restart {
            let delay = backoff(containers[i].restartCount + 1)
            containers[i].lastState = ContainerState(terminated: terminated)
            containers[i].state = ContainerState(
                waiting: ContainerStateWaiting(
                    reason: "CrashLoopBackOff",
                    message: "back-off \(delay) restarting failed container=\(name) pod=\(key.name)_\(key.namespace)(\(pod.metadata.uid ?? ""))"))
            scheduleStart(name, after: delay, attempt: 0)
        }
        kick()
        let apps = containers.filter { $0.role == .app }
        if role == .app && !terminating && !finished && apps.allSatisfy({ $0.isFinal && $0.state.terminated != nil }) {
            Task { await self.finish() }
        }
    }

    private func refreshReadiness() async {
        var changed = false
        for record in containers {
            guard let process = record.process, record.isRunning else { continue }
            let ready = await process.isReady()
            if let i = index(of: record.name), containers[i].instance == record.instance, containers[i].isRunning,
                containers[i].ready != ready
            {
                containers[i].ready = ready
                changed = true
            }
        }
        if changed { kick() }
    }

    // MARK: Termination

    private func terminateGracefully() async {
        terminating = true
        lifecycle?.cancel()
        for task in pendingRestarts.values { task.cancel() }
        pendingRestarts = [:]
        let grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
        let exited = await stopContainers(until: ContinuousClock.now + .seconds(grace))
        for i in containers.indices {
            containers[i].ready = false
            containers[i].isFinal = true
            if containers[i].state.terminated == nil {
                containers[i].state = ContainerState(
                    terminated: ContainerStateTerminated(exitCode: exited ? 0 : 137, reason: exited ? "Completed" : "Error", finishedAt: Time.now()))
            }
        }
        kick()
        let options = DeleteOptions(gracePeriodSeconds: 0, preconditions: DeleteOptions.Preconditions(uid: pod.metadata.uid))
        do {
            _ = try await context.client.delete(Pod.self, name: key.name, namespace: key.namespace, options: options)
        } catch where KubernetesErrors.isNotFound(error) || KubernetesErrors.isConflict(error) {
        } catch {
            context.logger.warning("Failed to delete terminated Pod", metadata: ["pod": "\(key)", "error": "\(error)"])
        }
    }

    /// The app containers have all exited for good, or initialization failed: the pod is done, so its
    /// sidecars are stopped (in reverse order) and stay stopped.
    private func finish() async {
        guard !finished else { return }
        finished = true
        for record in containers where record.role == .sidecar {
            pendingRestarts.removeValue(forKey: record.name)?.cancel()
        }
        let grace = pod.spec?.terminationGracePeriodSeconds ?? 30
        _ = await stopContainers(until: ContinuousClock.now + .seconds(grace))
        kick()
    }

    /// Stops whatever runs as the kubelet does on termination: SIGTERM to the app containers (and a running
    /// regular init container) together, and once they exited, to each sidecar in reverse spec order, one
    /// after the other; what still runs at `deadline` is killed. Returns whether everything exited by itself.
    private func stopContainers(until deadline: ContinuousClock.Instant) async -> Bool {
        let running = containers.filter { $0.runTask != nil }
        var groups = [running.filter { $0.role != .sidecar }]
        groups += running.filter { $0.role == .sidecar }.reversed().map { [$0] }
        var exited = true
        for group in groups where !group.isEmpty {
            await withTaskGroup(of: Void.self) { tasks in
                for record in group {
                    if let process = record.process { tasks.addTask { await process.terminate() } }
                }
            }
            let tasks = group.compactMap(\.runTask)
            if !(await Self.waitForAll(tasks, timeout: max(.zero, deadline - ContinuousClock.now))) {
                exited = false
                for task in tasks { task.cancel() }
                for task in tasks { await task.value }
            }
        }
        return exited
    }

    /// Waits until every task finished (true) or `timeout` passed (false).
    private static func waitForAll(_ tasks: [Task<Void, Never>], timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for task in tasks { await task.value }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? true
            if !first { for task in tasks { task.cancel() } }
            group.cancelAll()
            return first
        }
    }

    // MARK: Status

    private func kick() {
        kicks.yield()
        progress.yield()
    }

    /// The status the pod has now.
    private func currentStatus() -> PodStatus {
        let now = Time.now()
        let phase = PodStatusCalculation.phase(containers)
        return PodStatus(
            phase: phase,
            conditions: PodStatusCalculation.conditions(
                containers, sandboxReady: sandboxReady, previous: written?.conditions ?? pod.status?.conditions ?? [], now: now),
            hostIP: context.hostIP, hostIPs: [PodIP(ip: context.hostIP)],
            podIP: sandboxReady ? podIP : nil, podIPs: sandboxReady ? [PodIP(ip: podIP)] : nil,
            startTime: startTime ?? now,
            initContainerStatuses: pod.spec?.initContainers == nil ? nil : containers.filter { $0.role != .app }.map(\.status),
            containerStatuses: containers.filter { $0.role == .app }.map(\.status),
            qosClass: PodStatusCalculation.qosClass(pod))
    }

    private func writeStatusOnChange() async {
        for await _ in kickStream {
            let status = currentStatus()
            if status == written { continue }
            do {
                let patch = try JSONValueEncoder().encode(status)
                _ = try await context.client.patchStatus(
                    Pod.self, name: key.name, namespace: key.namespace, patch: .merge(["status": patch]), options: WriteOptions())
                written = status
            } catch where KubernetesErrors.isNotFound(error) {
                return
            } catch {
                context.logger.debug("Failed to write Pod status", metadata: ["pod": "\(key)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(100))
                kick()
            }
        }
    }
}

/// The process of a container that a start fault makes exit at once.
struct ExitingProcess: SimulatedProcess {
    var exitCode: Int32
    func run() async -> Int32 { exitCode }
    func terminate() async {}
    func checkpoint() async throws -> [UInt8] { throw ContainerStartError.create("container is not running") }
    func isReady() async -> Bool { false }
}
