public import Unstructured

/// Options of a list call through `KubernetesReading` (the fields of `metav1.ListOptions` a controller uses).
///
/// The port has its own value type because the adapter's option types live in the adapter module, which
/// depends on this one; `KubeClient` converts it to its `ListOptions` one to one.
public struct ListQuery: Sendable, Hashable {
    /// `app=db,tier!=cache,env in (a,b),!legacy`.
    public var labelSelector: String?
    /// `spec.nodeName=node-1,status.phase!=Succeeded`.
    public var fieldSelector: String?
    /// The page size; the response carries a continue token when more remain.
    public var limit: Int?
    /// The token from the previous page.
    public var continueToken: String?
    /// "" or nil for a consistent read, "0" for any cached version, or a specific version.
    public var resourceVersion: String?
    /// `Exact` or `NotOlderThan`, with `resourceVersion`.
    public var resourceVersionMatch: String?

    /// Creates list options; every field defaults to absent.
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

/// Options of a watch call through `KubernetesWatching`.
public struct WatchQuery: Sendable, Hashable {
    /// Only objects whose labels match.
    public var labelSelector: String?
    /// Only objects whose fields match.
    public var fieldSelector: String?
    /// Resume after this version; nil or "0" starts with the current state as ADDED events.
    public var resourceVersion: String?
    /// Ask for BOOKMARK events carrying progress.
    public var allowWatchBookmarks: Bool
    /// The server ends the watch after this many seconds.
    public var timeoutSeconds: Int?

    /// Creates watch options; bookmarks are requested by default, as informers do.
    public init(
        labelSelector: String? = nil,
        fieldSelector: String? = nil,
        resourceVersion: String? = nil,
        allowWatchBookmarks: Bool = true,
        timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Options of create, update and patch calls through `KubernetesWriting` and `StatusWriting`.
public struct WriteQuery: Sendable, Hashable {
    /// Validate and admit without persisting (`dryRun=All`).
    public var dryRun: Bool
    /// The field manager recorded in managedFields.
    public var fieldManager: String?

    /// Creates write options.
    public init(dryRun: Bool = false, fieldManager: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
    }
}

/// A patch and its type, which decides how the server merges it.
public enum ObjectPatch: Sendable, Equatable {
    /// RFC 7386 JSON merge patch: objects merge, lists replace, null deletes.
    case merge(JSONValue)
    /// RFC 6902 JSON patch: a list of operations.
    case json([JSONValue])
    /// Strategic merge patch (built-in kinds only).
    case strategicMerge(JSONValue)
    /// Server-side apply of a partial object owned by `fieldManager`.
    case apply(JSONValue, fieldManager: String, force: Bool = false)
}
