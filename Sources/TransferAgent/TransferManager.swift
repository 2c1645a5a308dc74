import Foundation
public import TransferAgentAPI
import Logging
import RegistryClient

/// The node's transfers, keyed by migration UID.
///
/// A transfer pushes its containers' archives one after another through a `CheckpointArchivePusher`, and with
/// `removeArchives` deletes the archives only after every push is confirmed. At most
/// `maxConcurrentTransfers` push at once; later ones wait in a bounded queue. Submitting a UID whose transfer
/// is running or succeeded returns that transfer (a retrying operator gets the same answer); a failed one is
/// started afresh.
///
/// `shutdown(gracePeriod:)` stops accepting, fails the queued transfers, lets the running ones finish within
/// the grace period and then cancels them. A cancelled or failed transfer keeps every archive, so the operator
/// can retry.
public actor TransferManager {
    /// Limits and identity.
    public struct Configuration: Sendable {
        /// Transfers pushing at once.
        public var maxConcurrentTransfers: Int
        /// Transfers waiting for a slot; more are refused with 503.
        public var maxQueuedTransfers: Int
        /// Finished transfers kept for `GET`; the oldest are forgotten first.
        public var retainedTransfers: Int
        /// The node the agent runs on (reported in each transfer).
        public var nodeName: String?

        /// 2 at once, 32 queued, 256 retained.
        public init(
            maxConcurrentTransfers: Int = 2, maxQueuedTransfers: Int = 32, retainedTransfers: Int = 256,
            nodeName: String? = nil
        ) {
            self.maxConcurrentTransfers = max(1, maxConcurrentTransfers)
            self.maxQueuedTransfers = max(0, maxQueuedTransfers)
            self.retainedTransfers = max(1, retainedTransfers)
            self.nodeName = nodeName
        }
    }

    /// Whether `submit` started a transfer or found one.
    public enum Submission: Sendable, Equatable {
        /// A new transfer (202).
        case created(TransferStatus)
        /// The migration's running or succeeded transfer (200).
        case existing(TransferStatus)

        public var status: TransferStatus {
            switch self {
            case .created(let status), .existing(let status): return status
            }
        }
    }

    /// What a transfer pushes: the checked request and its open archives, in push order.
    struct Work: Sendable {
        let transfer: ValidatedTransfer
        let archives: [OpenedArchive]
    }

    private struct Entry {
        var status: TransferStatus
        var request: TransferRequest
        var work: Work?
        var task: Task<Void, Never>?
        var sequence: Int
    }

    public let configuration: Configuration
    private let pusher: any CheckpointArchivePusher
    private let directory: CheckpointDirectory
    private let metrics: AgentMetrics
    private let logger: Logger
    private var entries: [String: Entry] = [:]
    private var queue: [String] = []
    private var running: Set<String> = []
    private var sequence = 0
    private var accepting = true

    public init(
        configuration: Configuration = Configuration(), pusher: any CheckpointArchivePusher, directory: CheckpointDirectory,
        metrics: AgentMetrics = AgentMetrics(), logger: Logger = Logger(label: "ms2m.agent.transfers")
    ) {
        self.configuration = configuration
        self.pusher = pusher
        self.directory = directory
        self.metrics = metrics
        self.logger = logger
    }

    /// Whether new transfers are accepted (false once shutdown began).
    public var isAccepting: Bool { accepting }

    /// The number of transfers pushing now.
    public var runningCount: Int { running.count }

    /// The transfer of the migration with `uid`.
    public func status(uid: String) -> TransferStatus? { entries[uid]?.status }

    /// Starts `transfer`, or returns the migration's running or succeeded transfer. `openArchives` is called
    /// only for a new transfer and returns the request's archives, opened, in push order (it may throw a 422).
    /// Throws 409 when the existing transfer pushes something else, 503 when shutting down or the queue is full.
    public func submit(
        _ transfer: ValidatedTransfer, openArchives: () throws(AgentError) -> [OpenedArchive]
    ) throws(AgentError) -> Submission {
        let request = transfer.request
        let uid = request.migration.uid
        if let existing = entries[uid], existing.status.state != .failed {
            guard existing.request.asksForSamePushes(as: request) else {
                throw AgentError(
                    status: 409, field: "migration.uid",
                    "the transfer of migration \(uid) is \(existing.status.state.rawValue) with other pushes; it cannot be changed")
            }
            return .existing(existing.status)
        }
        guard accepting else { throw AgentError(status: 503, "the agent is shutting down and accepts no new transfers") }
        guard queue.count < configuration.maxQueuedTransfers || running.count < configuration.maxConcurrentTransfers else {
            throw AgentError(status: 503, "the agent already has \(queue.count) transfers waiting; retry later")
        }
        let archives = try openArchives()
        sequence += 1
        let status = TransferStatus(
            uid: uid, migration: request.migration, pod: request.pod, node: configuration.nodeName, state: .running,
            queued: true, createdAt: Self.now())
        entries[uid] = Entry(
            status: status, request: request, work: Work(transfer: transfer, archives: archives), task: nil,
            sequence: sequence)
        queue.append(uid)
        metrics.started.increment()
        metrics.queued.increment()
        logger.info("Transfer accepted", metadata: [
            "migration": "\(request.migration.namespace)/\(request.migration.name)", "uid": "\(uid)",
            "pod": "\(request.pod)", "containers": "\(request.pushes.map(\.container).joined(separator: ","))",
        ])
        startQueued()
        return .created(entries[uid]?.status ?? status)
    }

    /// Stops accepting, fails the queued transfers, waits up to `gracePeriod` for the running ones, then cancels
    /// them and waits for them to stop.
    public func shutdown(gracePeriod: Duration) async {
        accepting = false
        for uid in queue {
            metrics.queued.decrement()
            fail(uid, container: nil, "the agent shut down before the transfer started; the archives are kept")
        }
        queue.removeAll()
        let deadline = ContinuousClock.now + gracePeriod
        while !running.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let remaining = running.compactMap { entries[$0]?.task }
        if !remaining.isEmpty {
            logger.warning("Cancelling transfers still running at shutdown", metadata: ["transfers": "\(remaining.count)"])
            for task in remaining { task.cancel() }
            for task in remaining { await task.value }
        }
    }

    // MARK: Running

    /// Starts queued transfers while slots are free.
    private func startQueued() {
        while running.count < configuration.maxConcurrentTransfers, !queue.isEmpty {
            let uid = queue.removeFirst()
            guard var entry = entries[uid], let work = entry.work else { continue }
            metrics.queued.decrement()
            metrics.inFlight.increment()
            running.insert(uid)
            entry.status.queued = false
            let pusher = self.pusher
            let directory = self.directory
            entry.task = Task {
                let outcome = await TransferRun(work: work, pusher: pusher, directory: directory).perform { image in
                    await self.confirmed(uid, image)
                }
                await self.finish(uid, outcome)
            }
            entries[uid] = entry
        }
    }

    private func confirmed(_ uid: String, _ image: PushedImage) {
        entries[uid]?.status.images.append(image)
    }

    private func finish(_ uid: String, _ outcome: TransferRun.Outcome) {
        running.remove(uid)
        metrics.inFlight.decrement()
        switch outcome {
        case .succeeded(let images, let uploadedBytes, let removed):
            if var entry = entries[uid] {
                entry.status.state = .succeeded
                entry.status.images = images
                entry.status.archivesRemoved = removed
                entry.status.finishedAt = Self.now()
                entry.work = nil
                entry.task = nil
                entries[uid] = entry
            }
            metrics.succeeded.increment()
            metrics.pushedBytes.increment(by: uploadedBytes)
            logger.info("Transfer succeeded", metadata: ["uid": "\(uid)", "images": "\(images.count)"])
        case .failed(let container, let message, let uploadedBytes):
            metrics.pushedBytes.increment(by: uploadedBytes)
            fail(uid, container: container, message)
        }
        prune()
        startQueued()
    }

    private func fail(_ uid: String, container: String?, _ message: String) {
        guard var entry = entries[uid] else { return }
        entry.status.state = .failed
        entry.status.queued = false
        entry.status.error = message
        entry.status.failedContainer = container
        entry.status.finishedAt = Self.now()
        entry.work = nil  // closes the archives' descriptors; the files stay
        entry.task = nil
        entries[uid] = entry
        metrics.failed.increment()
        logger.warning("Transfer failed", metadata: ["uid": "\(uid)", "error": "\(message)"])
    }

    /// Forgets the oldest finished transfers beyond `retainedTransfers`.
    private func prune() {
        let finished = entries.filter { $0.value.status.state != .running }
        guard finished.count > configuration.retainedTransfers else { return }
        let oldest = finished.sorted { $0.value.sequence < $1.value.sequence }.prefix(finished.count - configuration.retainedTransfers)
        for (uid, _) in oldest { entries.removeValue(forKey: uid) }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}

/// One transfer's pushes, in order, then (with `removeArchives`) the archives' deletion.
struct TransferRun: Sendable {
    enum Outcome: Sendable {
        case succeeded([PushedImage], uploadedBytes: Int64, archivesRemoved: Bool)
        case failed(container: String?, String, uploadedBytes: Int64)
    }

    let work: TransferManager.Work
    let pusher: any CheckpointArchivePusher
    let directory: CheckpointDirectory

    /// Pushes every archive, reporting each confirmed image to `confirmed`; stops at the first failure or at
    /// cancellation, naming the container.
    func perform(confirmed: @Sendable (PushedImage) async -> Void) async -> Outcome {
        let request = work.transfer.request
        var images: [PushedImage] = []
        var uploaded: Int64 = 0
        for (index, push) in request.pushes.enumerated() {
            let archive = work.archives[index]
            if Task.isCancelled {
                return .failed(
                    container: push.container,
                    "cancelled before pushing the checkpoint of container \(push.container): the agent is shutting down; the archives are kept",
                    uploadedBytes: uploaded)
            }
            let result: CheckpointPushResult
            do {
                result = try await pusher.push(ArchivePush(
                    archivePath: archive.readPath, container: push.container, destination: work.transfer.destinations[index],
                    compress: request.registry.compress, insecure: request.registry.insecure,
                    dockerConfig: work.transfer.dockerConfig))
            } catch {
                let why: String
                if Task.isCancelled || error is CancellationError {
                    why = "cancelled: the agent is shutting down; the archives are kept"
                } else {
                    why = Self.describe(error, archive: archive)
                }
                return .failed(
                    container: push.container, "pushing the checkpoint of container \(push.container): \(why)",
                    uploadedBytes: uploaded)
            }
            if result.layerUploaded { uploaded += result.layerSize }
            let image = PushedImage(container: push.container, digest: result.digest.description, size: result.size)
            images.append(image)
            await confirmed(image)
        }
        var removed = false
        if request.removeArchives {
            removed = true
            for archive in work.archives {
                do {
                    try directory.remove(archive)
                } catch {
                    removed = false
                }
            }
        }
        return .succeeded(images, uploadedBytes: uploaded, archivesRemoved: removed)
    }

    /// An error's text, with the descriptor path the pusher read replaced by the archive's name.
    static func describe(_ error: any Error, archive: OpenedArchive) -> String {
        let text = (error as? RegistryError)?.description ?? "\(error)"
        return text.replacingOccurrences(of: archive.readPath, with: archive.name)
    }
}
