public import Unstructured

/// The kind of change a watch event reports.
public enum WatchEventType: String, Codable, Hashable, Sendable, CaseIterable {
    /// An object was created (or was present when the watch started).
    case added = "ADDED"
    /// An object changed.
    case modified = "MODIFIED"
    /// An object was deleted; the event carries its last state.
    case deleted = "DELETED"
    /// A progress marker carrying only `metadata.resourceVersion`.
    case bookmark = "BOOKMARK"
    /// The watch failed; the object is a `Status`.
    case error = "ERROR"
}

/// One line of a watch stream, with the object left as raw JSON (`metav1.WatchEvent`).
public struct WatchEvent: Codable, Hashable, Sendable {
    /// What happened.
    public var type: WatchEventType
    /// The object (or a `Status` for `ERROR`).
    public var object: JSONValue

    /// Creates a watch event.
    public init(type: WatchEventType, object: JSONValue) {
        self.type = type
        self.object = object
    }

    /// The event with its object decoded as `Object` (or as `Status` for `ERROR`).
    public func typed<Object: KubernetesObject>(as _: Object.Type = Object.self) throws -> TypedWatchEvent<Object> {
        let decoder = JSONValueDecoder()
        switch type {
        case .error: return .error(try decoder.decode(Status.self, from: object))
        case .added: return .added(try decoder.decode(Object.self, from: object))
        case .modified: return .modified(try decoder.decode(Object.self, from: object))
        case .deleted: return .deleted(try decoder.decode(Object.self, from: object))
        case .bookmark: return .bookmark(try decoder.decode(BookmarkObject.self, from: object).metadata)
        }
    }
}

/// A bookmark's object: only its metadata is read. A real API server sends an object of the watched kind whose
/// other fields may be null or empty (`"spec":{"containers":null}`), which a full decode would reject.
struct BookmarkObject: Decodable {
    var metadata: ObjectMeta

    private enum CodingKeys: String, CodingKey { case metadata }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
    }
}

/// A watch event with its object decoded: `{"type": "ADDED", "object": {...}}`.
public enum TypedWatchEvent<Object: KubernetesObject>: Codable, Sendable {
    /// An object was created (or was present when the watch started).
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object was deleted.
    case deleted(Object)
    /// A progress marker: the object's metadata (its `resourceVersion`, and the
    /// `k8s.io/initial-events-end` annotation of a streaming list); the rest of a bookmark's object is not
    /// meaningful and is not decoded.
    case bookmark(ObjectMeta)
    /// The watch failed.
    case error(Status)

    /// The event type.
    public var type: WatchEventType {
        switch self {
        case .added: return .added
        case .modified: return .modified
        case .deleted: return .deleted
        case .bookmark: return .bookmark
        case .error: return .error
        }
    }

    /// The object, for ADDED, MODIFIED and DELETED.
    public var object: Object? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): return o
        case .bookmark, .error: return nil
        }
    }

    /// The resource version the event brings the watcher to, for all but `ERROR`.
    public var resourceVersion: String? {
        if case .bookmark(let metadata) = self { return metadata.resourceVersion }
        return object?.metadata.resourceVersion
    }

    private enum CodingKeys: String, CodingKey {
        case type, object
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(WatchEventType.self, forKey: .type) {
        case .added: self = .added(try c.decode(Object.self, forKey: .object))
        case .modified: self = .modified(try c.decode(Object.self, forKey: .object))
        case .deleted: self = .deleted(try c.decode(Object.self, forKey: .object))
        case .bookmark: self = .bookmark(try c.decode(BookmarkObject.self, forKey: .object).metadata)
        case .error: self = .error(try c.decode(Status.self, forKey: .object))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): try c.encode(o, forKey: .object)
        case .bookmark(let metadata):
            let object: JSONValue = [
                "kind": .string(Object.kind), "apiVersion": .string(Object.apiVersion),
                "metadata": try JSONValueEncoder().encode(metadata),
            ]
            try c.encode(object, forKey: .object)
        case .error(let s): try c.encode(s, forKey: .object)
        }
    }
}

extension TypedWatchEvent: Equatable where Object: Equatable {}
extension TypedWatchEvent: Hashable where Object: Hashable {}
