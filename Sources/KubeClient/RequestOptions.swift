public import KubeModel
public import Unstructured

/// A resource collection the client can address: its group, version and plural name, and whether it is
/// namespaced. Typed objects derive it from their type; unstructured calls (custom resources, discovery)
/// name it directly.
public struct ResourceDescriptor: Hashable, Sendable, CustomStringConvertible {
    public var gvr: GroupVersionResource
    public var isNamespaced: Bool

    public init(group: String, version: String, resource: String, namespaced: Bool) {
        self.gvr = GroupVersionResource(group: group, version: version, resource: resource)
        self.isNamespaced = namespaced
    }

    public init(_ gvr: GroupVersionResource, namespaced: Bool) {
        self.gvr = gvr
        self.isNamespaced = namespaced
    }

    public var description: String { gvr.description }

    /// The REST path of the collection or of one object (and a subresource of it).
    func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = gvr.basePath
        if isNamespaced, let namespace { path += "/namespaces/" + PathEscaping.segment(namespace) }
        path += "/" + gvr.resource
        if let name { path += "/" + PathEscaping.segment(name) }
        if let subresource { path += "/" + subresource }
        return path
    }
}

extension KubernetesObject {
    /// The resource collection of this kind.
    public static var resource: ResourceDescriptor { ResourceDescriptor(gvr, namespaced: isNamespaced) }
}

/// Options of a list call (`metav1.ListOptions`).
public struct ListOptions: Sendable, Equatable {
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

    var query: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit { items.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { items.append(("resourceVersionMatch", resourceVersionMatch)) }
        return items
    }
}

/// Options of a watch call.
public struct WatchOptions: Sendable, Equatable {
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

    var query: [(String, String)] {
        var items: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        if let sendInitialEvents {
            items.append(("sendInitialEvents", sendInitialEvents ? "true" : "false"))
            if sendInitialEvents { items.append(("resourceVersionMatch", "NotOlderThan")) }
        }
        return items
    }
}

/// Options of create, update and patch calls.
public struct WriteOptions: Sendable, Equatable {
    /// Validate and admit without persisting (`dryRun=All`).
    public var dryRun: Bool
    /// The field manager recorded in managedFields.
    public var fieldManager: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
    }

    var query: [(String, String)] {
        var items: [(String, String)] = []
        if dryRun { items.append(("dryRun", "All")) }
        if let fieldManager { items.append(("fieldManager", fieldManager)) }
        return items
    }
}

/// A patch and its type, which decides how the server merges it.
public enum Patch: Sendable, Equatable {
    /// RFC 7386 JSON merge patch: objects merge, lists replace, null deletes.
    case merge(JSONValue)
    /// RFC 6902 JSON patch: a list of operations (`add`, `remove`, `replace`, `test`, …).
    case json([JSONValue])
    /// Strategic merge patch (built-in kinds only): lists merge by their merge keys.
    case strategicMerge(JSONValue)
    /// Server-side apply of a partial object owned by `fieldManager`; `force` takes over conflicting fields.
    case apply(JSONValue, fieldManager: String, force: Bool = false)

    var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    var body: [UInt8] {
        switch self {
        case .merge(let value), .strategicMerge(let value), .apply(let value, _, _): return value.jsonBytes()
        case .json(let operations): return JSONValue.array(operations).jsonBytes()
        }
    }

    var query: [(String, String)] {
        guard case .apply(_, let manager, let force) = self else { return [] }
        var items = [("fieldManager", manager)]
        if force { items.append(("force", "true")) }
        return items
    }
}

/// Percent-encoding for paths and query strings (RFC 3986 unreserved characters pass through).
enum PathEscaping {
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    static func segment(_ text: String) -> String { escape(text, keeping: []) }

    static func query(_ text: String) -> String { escape(text, keeping: []) }

    /// Escapes a path that may hold several segments (node proxy paths): `/` is kept.
    static func path(_ text: String) -> String { escape(text, keeping: [UInt8(ascii: "/")]) }

    private static func escape(_ text: String, keeping extra: Set<UInt8>) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) || extra.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func queryString(_ items: [(String, String)]) -> String {
        items.map { "\(query($0.0))=\(query($0.1))" }.joined(separator: "&")
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
