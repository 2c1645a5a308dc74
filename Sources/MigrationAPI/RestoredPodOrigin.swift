public import KubeModel

/// Where a pod restored from a checkpoint came from: the engine writes it on every target pod (annotation
/// ``annotation``, label ``migrationLabel``), and the eviction webhook reads it to recognise a Sequential
/// target — restored under the source's own name — when an eviction meant for the source names it.
public struct RestoredPodOrigin: Sendable, Hashable {
    /// Annotation on a restored pod: `<namespace>/<name> on <node>` of the pod it was migrated from.
    public static let annotation = "migration.ms2m.io/migrated-from"
    /// Label on everything a migration creates, the restored pod included: the migration's name.
    public static let migrationLabel = "migration.ms2m.io/migration"

    /// The source pod's namespace.
    public var namespace: String
    /// The source pod's name.
    public var name: String
    /// The node the source pod ran on.
    public var node: String

    /// Creates an origin.
    public init(namespace: String, name: String, node: String) {
        self.namespace = namespace
        self.name = name
        self.node = node
    }

    /// The annotation value.
    public var annotationValue: String { "\(namespace)/\(name) on \(node)" }

    /// The origin recorded on `pod`, if it is a restored pod with a well-formed annotation.
    public static func of(_ pod: Pod) -> RestoredPodOrigin? {
        guard let value = pod.metadata.annotations?[annotation],
            let separator = value.firstRange(of: " on ")
        else { return nil }
        let source = value[..<separator.lowerBound]
        let node = String(value[separator.upperBound...])
        guard let slash = source.firstIndex(of: "/"), !node.isEmpty else { return nil }
        return RestoredPodOrigin(
            namespace: String(source[..<slash]), name: String(source[source.index(after: slash)...]), node: node)
    }
}
