public import KubeModel
public import Logging
public import OperatorCore
public import ServiceLifecycle
import Synchronization

/// How an `EventRecorder` reports and limits events.
public struct EventRecorderConfiguration: Sendable {
    /// `reportingController` of every Event, e.g. `ms2m.io/migration-controller`.
    public var reportingController: String
    /// `reportingInstance`, e.g. the pod name.
    public var reportingInstance: String
    /// Occurrences within this long of the previous one join its series.
    public var aggregationWindow: Duration
    /// Writes per regarded object allowed at once (client-go spam filter: 25).
    public var burstPerObject: Int
    /// Writes per regarded object per second once the burst is spent (client-go: 1 per 5 minutes).
    public var qpsPerObject: Double
    /// Occurrences buffered before new ones are dropped.
    public var bufferSize: Int

    /// client-go's correlator defaults, with a 6-minute aggregation window.
    public init(
        reportingController: String,
        reportingInstance: String,
        aggregationWindow: Duration = .seconds(360),
        burstPerObject: Int = 25,
        qpsPerObject: Double = 1.0 / 300,
        bufferSize: Int = 1000
    ) {
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.aggregationWindow = aggregationWindow
        self.burstPerObject = burstPerObject
        self.qpsPerObject = qpsPerObject
        self.bufferSize = bufferSize
    }
}

/// Records events.k8s.io/v1 Events about objects without ever blocking the caller.
///
/// `record` only appends to a bounded buffer (dropping when it is full, as client-go does); the recorder's
/// `run()` writes them: repeats within the aggregation window update one Event's `series` instead of
/// creating new Events, and a per-object token bucket caps the write rate. On graceful shutdown the buffer is
/// flushed before `run()` returns.
public final class EventRecorder: Service, Sendable {
    /// The configuration.
    public let configuration: EventRecorderConfiguration
    private let api: any KubernetesWriting
    private let logger: Logger
    private let stream: AsyncStream<PendingEvent>
    private let continuation: AsyncStream<PendingEvent>.Continuation
    private let dropped = Atomic<Int>(0)

    /// A recorder writing through `api`.
    public init(
        configuration: EventRecorderConfiguration, api: any KubernetesWriting,
        logger: Logger = Logger(label: "ms2m.events")
    ) {
        self.configuration = configuration
        self.api = api
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(
            of: PendingEvent.self, bufferingPolicy: .bufferingOldest(configuration.bufferSize))
    }

    /// Occurrences dropped because the buffer was full or the recorder had stopped.
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }

    /// Records that `action` happened to `object` because of `reason` (UpperCamelCase), with a human `note`.
    /// Returns at once.
    public func record<Object: KubernetesObject>(
        _ type: EventType, reason: String, action: String, note: String, regarding object: Object,
        related: ObjectReference? = nil
    ) {
        record(type, reason: reason, action: action, note: note, regarding: ObjectReference(to: object), related: related)
    }

    /// Records an event regarding the object `regarding` refers to. Returns at once.
    public func record(
        _ type: EventType, reason: String, action: String, note: String, regarding: ObjectReference,
        related: ObjectReference? = nil
    ) {
        var regarding = regarding
        regarding.resourceVersion = nil
        let pending = PendingEvent(
            regarding: regarding, related: related, type: type,
            reason: Self.truncated(reason, toBytes: Self.reasonLimit), action: Self.truncated(action, toBytes: Self.actionLimit),
            note: Self.truncated(note, toBytes: Self.noteLimit), time: .now())
        switch continuation.yield(pending) {
        case .enqueued: break
        case .dropped, .terminated: dropped.wrappingAdd(1, ordering: .relaxed)
        @unknown default: dropped.wrappingAdd(1, ordering: .relaxed)
        }
    }

    /// The API server's limits on an events.k8s.io/v1 Event (pkg/apis/core/validation/events.go), in bytes: a
    /// longer note, reason or action makes the create fail (422) and the event would be lost.
    static let noteLimit = 1024
    static let reasonLimit = 128
    static let actionLimit = 128

    /// `text` cut to at most `limit` UTF-8 bytes on a character boundary, ending in "…" when cut.
    static func truncated(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let ellipsis = "…"
        var result = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > limit - ellipsis.utf8.count { break }
            result.append(character)
            bytes += size
        }
        return result + ellipsis
    }

    /// Writes recorded events until graceful shutdown or cancellation; on graceful shutdown it stops
    /// accepting new ones and writes what is buffered first.
    public func run() async {
        var correlator = EventCorrelator(
            reportingController: configuration.reportingController,
            reportingInstance: configuration.reportingInstance, window: configuration.aggregationWindow,
            objectBurst: configuration.burstPerObject, objectQPS: configuration.qpsPerObject)
        let clock = ContinuousClock()
        let continuation = self.continuation
        await withGracefulShutdownHandler {
            for await pending in stream {
                let action = correlator.observe(pending, now: clock.now)
                await write(action, pending: pending, correlator: &correlator)
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }

    private func write(_ action: EventCorrelator.Action, pending: PendingEvent, correlator: inout EventCorrelator) async {
        switch action {
        case .none:
            return
        case .create(let event, let key):
            do {
                _ = try await api.create(event, namespace: event.metadata.namespace, options: WriteOptions())
            } catch {
                correlator.forget(key)
                logger.warning("Failed to write event", metadata: [
                    "reason": "\(pending.reason)", LogKeys.error: "\(error)",
                ])
            }
        case .updateSeries(let name, let namespace, let count, let lastObserved, let key):
            let patch = Patch.merge([
                "series": ["count": .int(Int64(count)), "lastObservedTime": .string(lastObserved.rfc3339String)],
            ])
            do {
                _ = try await api.patch(
                    Event.self, name: name, namespace: namespace, patch: patch, subresource: nil, options: WriteOptions())
            } catch where KubernetesErrors.isNotFound(error) {
                // The Event expired or was deleted: start it again, carrying the count.
                let fresh = correlator.nextName(for: pending)
                let event = Event(
                    metadata: ObjectMeta(name: fresh, namespace: namespace), eventTime: pending.time,
                    series: EventSeries(count: count, lastObservedTime: lastObserved),
                    reportingController: configuration.reportingController,
                    reportingInstance: configuration.reportingInstance, action: pending.action,
                    reason: pending.reason, regarding: pending.regarding, related: pending.related,
                    note: pending.note, type: pending.type)
                if (try? await api.create(event, namespace: namespace, options: WriteOptions())) != nil {
                    correlator.renamed(key, to: fresh)
                } else {
                    correlator.forget(key)
                }
            } catch {
                logger.warning("Failed to update event series", metadata: [
                    "reason": "\(pending.reason)", LogKeys.error: "\(error)",
                ])
            }
        }
    }
}
