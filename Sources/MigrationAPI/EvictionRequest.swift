public import KubeModel

/// An eviction of a pod that the eviction webhook turned into a live migration, recorded on the pod itself
/// (annotation ``annotation``) so that whichever operator replica leads plans it, and a restart forgets nothing.
///
/// The value binds the request to the pod's UID, so a pod re-created under the same name (a StatefulSet's next
/// incarnation, or a target built from the source's annotations) does not inherit it, and carries the time
/// the eviction was last asked for: tools that evict retry a refused eviction every few seconds (kubectl drain
/// every 5 s), so a request not repeated for ``lifetime`` means the tool gave up, and a migration that has not
/// started for it is no longer wanted.
public struct EvictionRequest: Sendable, Hashable {
    /// The pod annotation that holds the request: `<pod UID>,<RFC 3339 time>`.
    public static let annotation = "migration.ms2m.io/eviction-requested"
    /// How long a request stands without being repeated.
    public static let lifetime: Int64 = 300
    /// How old a request may get before a repeated eviction refreshes it (bounds the webhook's pod writes
    /// to one per pod per minute while a drain retries).
    public static let refreshAfter: Int64 = 60

    /// The UID of the pod the eviction was for.
    public var podUID: String
    /// When the eviction was last asked for.
    public var requestedAt: Time

    /// Creates a request.
    public init(podUID: String, requestedAt: Time) {
        self.podUID = podUID
        self.requestedAt = requestedAt
    }

    /// The annotation value.
    public var annotationValue: String { "\(podUID),\(requestedAt.rfc3339String)" }

    /// The request recorded on `pod` for this very pod (its UID), if any and well-formed.
    public static func recorded(on pod: Pod) -> EvictionRequest? {
        guard let value = pod.metadata.annotations?[annotation], let uid = pod.metadata.uid, !uid.isEmpty else {
            return nil
        }
        let parts = value.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == uid, let time = Time(rfc3339: String(parts[1])) else { return nil }
        return EvictionRequest(podUID: uid, requestedAt: time)
    }

    /// Whether the request still stands at `now`.
    public func isCurrent(at now: Time) -> Bool {
        now.secondsSinceEpoch - requestedAt.secondsSinceEpoch < Self.lifetime
    }

    /// Whether a repeated eviction at `now` should rewrite the annotation.
    public func needsRefresh(at now: Time) -> Bool {
        now.secondsSinceEpoch - requestedAt.secondsSinceEpoch >= Self.refreshAfter
    }
}
