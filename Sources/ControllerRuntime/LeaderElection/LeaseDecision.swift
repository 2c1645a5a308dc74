import KubeModel

/// The pure half of leader election (client-go's `tryAcquireOrRenew` without the I/O): given the lease as
/// read and the local clock, decide whether to create it, write it, or wait for the holder.
///
/// Expiry is judged by *local observation time*: a lease counts as expired `leaseDurationSeconds` after this
/// replica last saw its record change, never by comparing the holder's `renewTime` with our clock.
struct LeaseElectionState: Sendable {
    /// What to do after reading the lease.
    enum Decision: Sendable, Equatable {
        /// No lease exists: create it holding it.
        case create(LeaseSpec)
        /// Write this record (acquire or renew) with the read resourceVersion.
        case update(LeaseSpec)
        /// Another replica holds an unexpired lease; it expires (locally) at this instant.
        case heldByOther(holder: String, expiresAt: ContinuousClock.Instant)
    }

    let identity: String
    let leaseDurationSeconds: Int
    private(set) var observedRecord: LeaseSpec?
    private(set) var observedAt: ContinuousClock.Instant?

    init(identity: String, leaseDuration: Duration) {
        self.identity = identity
        self.leaseDurationSeconds = max(1, Int(leaseDuration.components.seconds))
    }

    /// Decides from the lease's current spec (`exists` false when it was not found).
    mutating func decide(
        current: LeaseSpec?, exists: Bool, now: ContinuousClock.Instant, wallClock: MicroTime
    ) -> Decision {
        guard exists else {
            return .create(LeaseSpec(
                holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds, acquireTime: wallClock,
                renewTime: wallClock, leaseTransitions: 0))
        }
        let record = current ?? LeaseSpec()
        if record != observedRecord {
            observedRecord = record
            observedAt = now
        }
        let holder = record.holderIdentity ?? ""
        if !holder.isEmpty && holder != identity, let observedAt {
            let duration = Duration.seconds(record.leaseDurationSeconds ?? leaseDurationSeconds)
            if observedAt + duration > now {
                return .heldByOther(holder: holder, expiresAt: observedAt + duration)
            }
        }
        var next = LeaseSpec(
            holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds, acquireTime: wallClock,
            renewTime: wallClock, leaseTransitions: record.leaseTransitions ?? 0)
        if holder == identity {
            next.acquireTime = record.acquireTime ?? wallClock
        } else {
            next.leaseTransitions = (record.leaseTransitions ?? 0) + 1
        }
        return .update(next)
    }

    /// Records a successful write of `record`.
    mutating func wrote(_ record: LeaseSpec, at now: ContinuousClock.Instant) {
        observedRecord = record
        observedAt = now
    }

    /// The record that gives the lease up (client-go's release: no holder, 1 s duration), or nil when this
    /// replica does not hold `current`.
    func releaseRecord(from current: LeaseSpec?, wallClock: MicroTime) -> LeaseSpec? {
        guard let current, current.holderIdentity == identity else { return nil }
        return LeaseSpec(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: wallClock, renewTime: wallClock,
            leaseTransitions: current.leaseTransitions)
    }
}
