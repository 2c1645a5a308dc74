public import Unstructured

// The option values of the Kubernetes ports. Adapters translate them to their wire form (the HTTP client
// to query parameters and content types).

/// Options of a list call (`metav1.ListOptions`).
public struct ListOptions: Sendable, Hashable {
    /// `app=db,tier!=cache,env in (a,b),!legacy`.
    public var labelSelector: String?
    /// `spec.nodeName=node-1,status.phase!=Succeeded`.
    public var fieldSelector: String?
    /// The page size; the response carries a continue token when more remain.
    public var limit: Int?
    /// The token from the previous page.
    public var continueToken: String?
    /// "" for a consistent read, "0" for any cached version, or a specific version.
    public var resourceVersion: String?
    /// `Exact` or `NotOlderThan`, with `resourceVersion`.
    public var resourceVersionMatch: String?

    public init(
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        limit: Int? = nil,
        continueToken: String? = nil,
        resourceVersion: String? = nil,
        resourceVersionMatch: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }
}

/// Options of a watch call.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Resume after this version; nil or "0" starts with the current state as ADDED events.
    public var resourceVersion: String?
    /// Ask for BOOKMARK events carrying progress (default on, as informers do).
    public var allowWatchBookmarks: Bool
    /// The server ends the watch after this many seconds.
    public var timeoutSeconds: Int?
    /// Stream the current state first and mark its end with a bookmark (`sendInitialEvents`).
    public var sendInitialEvents: Bool?

    public init(
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        resourceVersion: String? = nil,
        allowWatchBookmarks: Bool = true,
        timeoutSeconds: Int? = nil,
        sendInitialEvents: Bool? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
        self.sendInitialEvents = sendInitialEvents
    }
}

/// Options of create, update and patch calls.
public struct WriteOptions: Sendable, Hashable {
    /// Validate and admit without persisting (`dryRun=All`).
    public var dryRun: Bool
    /// The field manager recorded in managedFields.
    public var fieldManager: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
    }
}

/// A patch and its type, which decides how the server merges it.
public enum Patch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch: objects merge, lists replace, null deletes.
    case merge(JSONValue)
    /// RFC 6902 JSON patch: a list of operations (`add`, `remove`, `replace`, `test`, …).
    case json([JSONValue])
    /// Strategic merge patch (built-in kinds only): lists merge by their merge keys.
    case strategicMerge(JSONValue)
    /// Server-side apply of a partial object owned by `fieldManager`; `force` takes over conflicting fields.
    case apply(JSONValue, fieldManager: String, force: Bool = false)
}
