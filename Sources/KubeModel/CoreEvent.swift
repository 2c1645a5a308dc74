/// An event in the older core/v1 form (kind `Event`, apiVersion `v1`),
/// still what `kubectl get events` and most controllers read.
public struct CoreEvent: KubernetesObject, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Event"
    public static let plural = "events"
    public static let isNamespaced = true

    /// The API version; `v1`.
    public var apiVersion: String?
    /// The kind; `Event`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The object the event is about.
    public var involvedObject: ObjectReference
    /// Why, in CamelCase.
    public var reason: String?
    /// A human-readable description.
    public var message: String?
    /// The reporting component.
    public var source: EventSource?
    /// When the event first happened.
    public var firstTimestamp: Time?
    /// When it last happened.
    public var lastTimestamp: Time?
    /// How often it has happened.
    public var count: Int?
    /// `Normal` or `Warning`.
    public var type: EventType?
    /// When it first happened, with microsecond precision.
    public var eventTime: MicroTime?
    /// Repetitions of the event.
    public var series: EventSeries?
    /// What was done or failed.
    public var action: String?
    /// A second object involved.
    public var related: ObjectReference?
    /// The reporting controller.
    public var reportingComponent: String?
    /// The reporting controller's instance.
    public var reportingInstance: String?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = CoreEvent.apiVersion,
        kind: String? = CoreEvent.kind,
        metadata: ObjectMeta = ObjectMeta(),
        involvedObject: ObjectReference,
        reason: String? = nil,
        message: String? = nil,
        source: EventSource? = nil,
        firstTimestamp: Time? = nil,
        lastTimestamp: Time? = nil,
        count: Int? = nil,
        type: EventType? = nil,
        eventTime: MicroTime? = nil,
        series: EventSeries? = nil,
        action: String? = nil,
        related: ObjectReference? = nil,
        reportingComponent: String? = nil,
        reportingInstance: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.source = source
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.count = count
        self.type = type
        self.eventTime = eventTime
        self.series = series
        self.action = action
        self.related = related
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case involvedObject
        case reason
        case message
        case source
        case firstTimestamp
        case lastTimestamp
        case count
        case type
        case eventTime
        case series
        case action
        case related
        case reportingComponent
        case reportingInstance
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? CoreEvent.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? CoreEvent.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.involvedObject = try c.decode(ObjectReference.self, forKey: .involvedObject)
        self.reason = try c.decodeIfPresent(String.self, forKey: .reason)
        self.message = try c.decodeIfPresent(String.self, forKey: .message)
        self.source = try c.decodeIfPresent(EventSource.self, forKey: .source)
        self.firstTimestamp = try c.decodeIfPresent(Time.self, forKey: .firstTimestamp)
        self.lastTimestamp = try c.decodeIfPresent(Time.self, forKey: .lastTimestamp)
        self.count = try c.decodeIfPresent(Int.self, forKey: .count)
        self.type = try c.decodeIfPresent(EventType.self, forKey: .type)
        self.eventTime = try c.decodeIfPresent(MicroTime.self, forKey: .eventTime)
        self.series = try c.decodeIfPresent(EventSeries.self, forKey: .series)
        self.action = try c.decodeIfPresent(String.self, forKey: .action)
        self.related = try c.decodeIfPresent(ObjectReference.self, forKey: .related)
        self.reportingComponent = try c.decodeIfPresent(String.self, forKey: .reportingComponent)
        self.reportingInstance = try c.decodeIfPresent(String.self, forKey: .reportingInstance)
    }
}
