/// A report of something that happened to an object (events.k8s.io/v1 `Event`).
public struct Event: KubernetesObject, Hashable {
    public static let group = "events.k8s.io"
    public static let version = "v1"
    public static let kind = "Event"
    public static let plural = "events"
    public static let isNamespaced = true

    /// The API version; `events.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `Event`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// When the event first happened (required on create; null on events converted from core/v1).
    public var eventTime: MicroTime?
    /// Repetitions of the event, if it recurred.
    public var series: EventSeries?
    /// The controller that reported it, e.g. `ms2m.io/migration-controller`.
    public var reportingController: String?
    /// The reporting controller's instance, e.g. its pod name.
    public var reportingInstance: String?
    /// What the controller did or failed to do.
    public var action: String?
    /// Why, in CamelCase.
    public var reason: String?
    /// The object the event is about.
    public var regarding: ObjectReference?
    /// A second object involved.
    public var related: ObjectReference?
    /// A human-readable description (at most 1 kB).
    public var note: String?
    /// `Normal` or `Warning`.
    public var type: EventType?
    /// The core/v1 `source`.
    public var deprecatedSource: EventSource?
    /// The core/v1 `firstTimestamp`.
    public var deprecatedFirstTimestamp: Time?
    /// The core/v1 `lastTimestamp`.
    public var deprecatedLastTimestamp: Time?
    /// The core/v1 `count`.
    public var deprecatedCount: Int?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Event.apiVersion,
        kind: String? = Event.kind,
        metadata: ObjectMeta = ObjectMeta(),
        eventTime: MicroTime? = nil,
        series: EventSeries? = nil,
        reportingController: String? = nil,
        reportingInstance: String? = nil,
        action: String? = nil,
        reason: String? = nil,
        regarding: ObjectReference? = nil,
        related: ObjectReference? = nil,
        note: String? = nil,
        type: EventType? = nil,
        deprecatedSource: EventSource? = nil,
        deprecatedFirstTimestamp: Time? = nil,
        deprecatedLastTimestamp: Time? = nil,
        deprecatedCount: Int? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.eventTime = eventTime
        self.series = series
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.regarding = regarding
        self.related = related
        self.note = note
        self.type = type
        self.deprecatedSource = deprecatedSource
        self.deprecatedFirstTimestamp = deprecatedFirstTimestamp
        self.deprecatedLastTimestamp = deprecatedLastTimestamp
        self.deprecatedCount = deprecatedCount
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case eventTime
        case series
        case reportingController
        case reportingInstance
        case action
        case reason
        case regarding
        case related
        case note
        case type
        case deprecatedSource
        case deprecatedFirstTimestamp
        case deprecatedLastTimestamp
        case deprecatedCount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Event.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Event.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.eventTime = try c.decodeIfPresent(MicroTime.self, forKey: .eventTime)
        self.series = try c.decodeIfPresent(EventSeries.self, forKey: .series)
        self.reportingController = try c.decodeIfPresent(String.self, forKey: .reportingController)
        self.reportingInstance = try c.decodeIfPresent(String.self, forKey: .reportingInstance)
        self.action = try c.decodeIfPresent(String.self, forKey: .action)
        self.reason = try c.decodeIfPresent(String.self, forKey: .reason)
        self.regarding = try c.decodeIfPresent(ObjectReference.self, forKey: .regarding)
        self.related = try c.decodeIfPresent(ObjectReference.self, forKey: .related)
        self.note = try c.decodeIfPresent(String.self, forKey: .note)
        self.type = try c.decodeIfPresent(EventType.self, forKey: .type)
        self.deprecatedSource = try c.decodeIfPresent(EventSource.self, forKey: .deprecatedSource)
        self.deprecatedFirstTimestamp = try c.decodeIfPresent(Time.self, forKey: .deprecatedFirstTimestamp)
        self.deprecatedLastTimestamp = try c.decodeIfPresent(Time.self, forKey: .deprecatedLastTimestamp)
        self.deprecatedCount = try c.decodeIfPresent(Int.self, forKey: .deprecatedCount)
    }
}

/// Repetitions of an event.
public struct EventSeries: Codable, Hashable, Sendable {
    /// How often the event has occurred.
    public var count: Int
    /// When it last occurred.
    public var lastObservedTime: MicroTime

    /// Creates a value; every optional field defaults to absent.
    public init(count: Int, lastObservedTime: MicroTime) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }
}

/// The type of an event.
public struct EventType: OpenEnum {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Nothing wrong.
    public static let normal: EventType = "Normal"
    /// Something may be wrong.
    public static let warning: EventType = "Warning"
}

/// The component that reported a core/v1 event.
public struct EventSource: Codable, Hashable, Sendable {
    /// The component, e.g. `kubelet`.
    public var component: String?
    /// The node it runs on.
    public var host: String?

    /// Creates a value; every optional field defaults to absent.
    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
