import KubeModel
public import Logging
public import OperatorCore
import Synchronization

/// Campaigns for a Lease and runs work only while holding it (client-go's `LeaderElector`).
///
/// Acquires the lease when it is absent, released, or expired by local observation; renews it every
/// `retryPeriod`; gives leadership up — cancelling the work — when renewals keep failing for
/// `renewDeadline`. Writes carry the read resourceVersion, so of two replicas racing for the lease exactly
/// one wins and the other sees a conflict. With `releaseOnCancel`, the lease is released when the work ends.
public final class LeaderElector: Sendable {
    /// The configuration.
    public let configuration: LeaderElectionConfiguration
    private let api: any KubernetesReading & KubernetesWriting
    private let logger: Logger
    private let statusGauge: (@Sendable (Bool) -> Void)?

    private struct Observed: Sendable {
        var election: LeaseElectionState
        var isLeader = false
        var holder: String?
    }
    private let observed: Mutex<Observed>

    /// An elector for `configuration` writing the lease through `api`; `metrics` gets the leader gauge.
    public init(
        configuration: LeaderElectionConfiguration,
        api: any KubernetesReading & KubernetesWriting,
        metrics: RuntimeMetrics? = nil,
        logger: Logger = Logger(label: "ms2m.leaderelection")
    ) {
        self.configuration = configuration
        self.api = api
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.leaseNamespace)/\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        if let gauge = metrics?.leaderStatus(lease: configuration.leaseName) {
            gauge.set(to: 0.0)
            statusGauge = { gauge.set(to: $0 ? 1.0 : 0.0) }
        } else {
            statusGauge = nil
        }
        observed = Mutex(Observed(
            election: LeaseElectionState(identity: configuration.identity, leaseDuration: configuration.leaseDuration)))
    }

    /// Whether this replica leads now.
    public var isLeader: Bool { observed.withLock { $0.isLeader } }

    /// The holder last observed (this replica's identity while leading).
    public var observedLeader: String? { observed.withLock { $0.holder } }

    /// Campaigns until elected, then runs `whileLeading` while renewing. Returns after `whileLeading` returns
    /// (releasing the lease first when configured); throws `LeaderElectionError.leadershipLost` when renewals
    /// failed past the deadline (`whileLeading` is cancelled then), and `CancellationError` when cancelled
    /// while campaigning.
    public func run(whileLeading: @escaping @Sendable () async -> Void) async throws {
        try await run(until: AsyncLatch(), whileLeading: whileLeading)
    }

    /// `run(whileLeading:)` that also stops campaigning (returning normally) once `stop` opens.
    func run(until stop: AsyncLatch, whileLeading: @escaping @Sendable () async -> Void) async throws {
        let problems = configuration.problems
        guard problems.isEmpty else { throw LeaderElectionError.invalidConfiguration(problems) }
        let elected = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.acquire()
                return true
            }
            group.addTask {
                await stop.wait()
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard elected else { return }
        setLeader(true)
        logger.info("Acquired leadership")
        let lost = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await whileLeading()
                return false
            }
            group.addTask { await self.renewUntilLost() }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        setLeader(false)
        if lost {
            logger.error("Lost leadership: renewals failed past the renew deadline")
            throw LeaderElectionError.leadershipLost(identity: configuration.identity)
        }
        if configuration.releaseOnCancel {
            // Release even if this task is cancelled: the write runs in its own task.
            await Task { await self.release() }.value
        }
        logger.info("Stopped leading")
    }

    private func setLeader(_ leading: Bool) {
        observed.withLock { $0.isLeader = leading }
        statusGauge?(leading)
    }

    // MARK: Acquire and renew

    private enum Attempt: Sendable {
        case acquired
        case heldByOther(expiresAt: ContinuousClock.Instant)
        case failed
    }

    private func acquire() async throws {
        let clock = ContinuousClock()
        logger.info("Attempting to acquire leader lease")
        while true {
            try Task.checkCancellation()
            let wait: Duration
            switch await tryAcquireOrRenew() {
            case .acquired: return
            case .heldByOther(let expiresAt):
                // Wake at the local expiry if that comes before the next regular attempt.
                wait = min(jittered(configuration.retryPeriod), max(.zero, expiresAt - clock.now))
            case .failed:
                wait = jittered(configuration.retryPeriod)
            }
            try await Task.sleep(for: wait)
        }
    }

    /// Renews every `retryPeriod`; returns true when renewals failed for `renewDeadline` (leadership lost),
    /// false when cancelled.
    private func renewUntilLost() async -> Bool {
        let clock = ContinuousClock()
        while true {
            do { try await Task.sleep(for: configuration.retryPeriod) } catch { return false }
            let deadline = clock.now + configuration.renewDeadline
            while true {
                let attempt = await withDeadline(deadline) { await self.tryAcquireOrRenew() }
                if Task.isCancelled { return false }
                if case .acquired = attempt { break }
                if clock.now + configuration.retryPeriod >= deadline { return true }
                do { try await Task.sleep(for: configuration.retryPeriod) } catch { return false }
            }
        }
    }

    /// Runs `attempt`, giving up (as `.failed`) at `deadline`.
    private func withDeadline(
        _ deadline: ContinuousClock.Instant, _ attempt: @escaping @Sendable () async -> Attempt
    ) async -> Attempt {
        await withTaskGroup(of: Attempt?.self) { group in
            group.addTask { await attempt() }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failed
        }
    }

    private func tryAcquireOrRenew() async -> Attempt {
        let clock = ContinuousClock()
        let name = configuration.leaseName
        let namespace = configuration.leaseNamespace
        do {
            var lease: Lease?
            do {
                lease = try await api.get(Lease.self, name: name, namespace: namespace)
            } catch where KubernetesErrors.isNotFound(error) {
                lease = nil
            }
            let now = clock.now
            let decision = observed.withLock { o -> LeaseElectionState.Decision in
                let decision = o.election.decide(
                    current: lease?.spec, exists: lease != nil, now: now, wallClock: .now())
                o.holder = o.election.observedRecord?.holderIdentity
                return decision
            }
            switch decision {
            case .heldByOther(let holder, let expiresAt):
                logger.debug("Lease is held by another replica", metadata: ["holder": "\(holder)"])
                return .heldByOther(expiresAt: expiresAt)
            case .create(let spec):
                let created = try await api.create(
                    Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec),
                    namespace: namespace, options: WriteOptions())
                recordWrite(created.spec ?? spec, at: clock.now)
                return .acquired
            case .update(let spec):
                guard var lease else { return .failed }
                lease.spec = spec
                let updated = try await api.update(lease, options: WriteOptions())
                recordWrite(updated.spec ?? spec, at: clock.now)
                return .acquired
            }
        } catch {
            if KubernetesErrors.isConflict(error) || KubernetesErrors.isAlreadyExists(error) {
                logger.debug("Lost a race for the lease", metadata: [LogKeys.error: "\(error)"])
            } else if !(error is CancellationError) {
                logger.warning("Failed to acquire or renew the lease", metadata: [LogKeys.error: "\(error)"])
            }
            return .failed
        }
    }

    private func recordWrite(_ spec: LeaseSpec, at now: ContinuousClock.Instant) {
        observed.withLock {
            $0.election.wrote(spec, at: now)
            $0.holder = spec.holderIdentity
        }
    }

    /// Gives the lease up if this replica still holds it (client-go `ReleaseOnCancel`).
    private func release() async {
        do {
            var lease = try await api.get(Lease.self, name: configuration.leaseName, namespace: configuration.leaseNamespace)
            let record = observed.withLock { $0.election.releaseRecord(from: lease.spec, wallClock: .now()) }
            guard let record else { return }
            lease.spec = record
            _ = try await api.update(lease, options: WriteOptions())
            observed.withLock { $0.holder = "" }
            logger.info("Released leader lease")
        } catch {
            logger.warning("Failed to release the leader lease", metadata: [LogKeys.error: "\(error)"])
        }
    }

    private func jittered(_ duration: Duration) -> Duration {
        duration * (1 + 0.2 * Double.random(in: 0...1))
    }
}
