public import KubeModel
public import OperatorCore
import Unstructured

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

// MARK: - Wire form of the port option values

extension ListOptions {
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

extension WatchOptions {
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

extension WriteOptions {
    var query: [(String, String)] {
        var items: [(String, String)] = []
        if dryRun { items.append(("dryRun", "All")) }
        if let fieldManager { items.append(("fieldManager", fieldManager)) }
        return items
    }
}

extension Patch {
    var query: [(String, String)] {
        guard case .apply(_, let manager, let force) = self else { return [] }
        var items = [("fieldManager", manager)]
        if force { items.append(("force", "true")) }
        return items
    }

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
