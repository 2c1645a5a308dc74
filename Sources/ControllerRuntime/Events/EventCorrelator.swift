import KubeModel

/// An event a controller asked to record, before correlation.
struct PendingEvent: Sendable {
    var regarding: ObjectReference
    var related: ObjectReference?
    var type: EventType
    var reason: String
    var action: String
    var note: String
    var time: MicroTime
}

/// Decides, purely, what recording an event means for the API (client-go's `EventCorrelator`: aggregation
/// into series plus a per-object spam filter).
///
/// The same (regarding object, reason, action, type, note) seen again within `window` of its last occurrence
/// joins that event's series: its Event gets `series.count` and `lastObservedTime` updated instead of a new
/// Event being created. Each regarded object also has a token bucket; when it is empty the occurrence is only
/// counted, and the next write carries the accumulated count.
struct EventCorrelator: Sendable {
    struct SeriesKey: Hashable, Sendable {
        var regarding: String
        var reason: String
        var action: String
        var type: String
        var note: String
    }

    struct Series: Sendable {
        var eventName: String
        var namespace: String
        var count: Int
        var lastSeen: ContinuousClock.Instant
    }

    /// What to write.
    enum Action: Sendable, Equatable {
        /// Create this Event (and remember its name for the series).
        case create(Event, SeriesKey)
        /// Patch the series of an existing Event.
        case updateSeries(name: String, namespace: String, count: Int, lastObserved: MicroTime, SeriesKey)
        /// Write nothing now (the spam filter said no; the count is kept).
        case none
    }

    let reportingController: String
    let reportingInstance: String
    let window: Duration
    let objectBurst: Int
    let objectQPS: Double
    let maxSeries: Int
    private var series: [SeriesKey: Series] = [:]
    private var buckets: [String: TokenBucket] = [:]
    private var sequence = 0

    init(
        reportingController: String, reportingInstance: String, window: Duration, objectBurst: Int,
        objectQPS: Double, maxSeries: Int = 4096
    ) {
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.window = window
        self.objectBurst = objectBurst
        self.objectQPS = objectQPS
        self.maxSeries = maxSeries
    }

    static func objectIdentity(_ reference: ObjectReference) -> String {
        if let uid = reference.uid, !uid.isEmpty { return uid }
        return "\(reference.apiVersion ?? "")/\(reference.kind ?? "")/\(reference.namespace ?? "")/\(reference.name ?? "")"
    }

    /// Correlates one occurrence at `now`.
    mutating func observe(_ pending: PendingEvent, now: ContinuousClock.Instant) -> Action {
        let identity = Self.objectIdentity(pending.regarding)
        let key = SeriesKey(
            regarding: identity, reason: pending.reason, action: pending.action, type: pending.type.rawValue,
            note: pending.note)
        var bucket = buckets[identity] ?? TokenBucket(qps: objectQPS, burst: objectBurst)
        let allowed = bucket.peekAndTake(at: now)
        buckets[identity] = bucket

        if var existing = series[key], now - existing.lastSeen < window {
            existing.count += 1
            existing.lastSeen = now
            series[key] = existing
            guard allowed, !existing.eventName.isEmpty else { return .none }
            return .updateSeries(
                name: existing.eventName, namespace: existing.namespace, count: existing.count,
                lastObserved: pending.time, key)
        }
        guard allowed else { return .none }
        if series.count >= maxSeries { evictOldest() }
        sequence += 1
        let namespace = pending.regarding.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let name = Self.eventName(for: pending, sequence: sequence)
        series[key] = Series(eventName: name, namespace: namespace, count: 1, lastSeen: now)
        let event = Event(
            metadata: ObjectMeta(name: name, namespace: namespace), eventTime: pending.time,
            reportingController: reportingController, reportingInstance: reportingInstance,
            action: pending.action, reason: pending.reason, regarding: pending.regarding, related: pending.related,
            note: String(pending.note.utf8.prefix(1024)) ?? pending.note, type: pending.type)
        return .create(event, key)
    }

    /// The Event of `key` could not be written; forget it so the next occurrence creates a fresh one.
    mutating func forget(_ key: SeriesKey) { series.removeValue(forKey: key) }

    /// The Event of `key` was recreated under `name` (its old one was gone).
    mutating func renamed(_ key: SeriesKey, to name: String) { series[key]?.eventName = name }

    mutating func nextName(for pending: PendingEvent) -> String {
        sequence += 1
        return Self.eventName(for: pending, sequence: sequence)
    }

    /// `<regarding name>.<hex time><hex sequence>`, unique per recorder like client-go's.
    static func eventName(for pending: PendingEvent, sequence: Int) -> String {
        let base = pending.regarding.name ?? "event"
        let stamp = String(UInt64(bitPattern: pending.time.microsecondsSinceEpoch) &* 1000, radix: 16)
        return "\(base).\(stamp)\(String(sequence, radix: 16))"
    }

    private mutating func evictOldest() {
        guard let oldest = series.min(by: { $0.value.lastSeen < $1.value.lastSeen }) else { return }
        series.removeValue(forKey: oldest.key)
    }
}

extension TokenBucket {
    /// Takes a token if one is available now; false (taking nothing) otherwise.
    mutating func peekAndTake(at now: ContinuousClock.Instant) -> Bool {
        var trial = self
        if trial.reserve(at: now) == .zero {
            self = trial
            return true
        }
        return false
    }
}
