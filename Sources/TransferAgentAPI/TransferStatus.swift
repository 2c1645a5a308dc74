/// What `POST /v1/transfers` and `GET /v1/transfers/{uid}` answer: one migration's transfer on this node.
///
/// ```json
/// {"uid": "6f1c…", "migration": {"namespace": "shop", "name": "move-cart", "uid": "6f1c…"}, "pod": "cart-0",
///  "node": "worker-2", "state": "succeeded", "queued": false,
///  "images": [{"container": "cart", "digest": "sha256:…", "size": 1234}],
///  "archivesRemoved": true, "createdAt": "2026-11-01T10:05:01Z", "finishedAt": "2026-11-01T10:05:09Z"}
/// ```
///
/// `images` lists the confirmed images so far (all of them once `succeeded`), in the request's order, each as in
/// `checkpoint-transfer`'s termination message. A `failed` transfer has `error` (naming the container) and
/// `failedContainer`; its archives are always kept.
public struct TransferStatus: Codable, Sendable, Equatable {
    /// Where a transfer is.
    public enum State: String, Codable, Sendable {
        /// Waiting for a slot (`queued`) or pushing.
        case running
        /// Every image is confirmed.
        case succeeded
        /// A push failed or the transfer was cancelled; see `error`.
        case failed
    }

    /// The migration's UID (the transfer's key).
    public var uid: String
    public var migration: MigrationReference
    public var pod: String
    /// The node the agent runs on.
    public var node: String?
    public var state: State
    /// Whether a running transfer still waits for one of the agent's transfer slots.
    public var queued: Bool
    /// The confirmed images so far.
    public var images: [PushedImage]
    /// Why the transfer failed.
    public var error: String?
    /// The container whose push failed.
    public var failedContainer: String?
    /// Whether the archives were deleted (`removeArchives`, after every image was confirmed).
    public var archivesRemoved: Bool
    /// RFC 3339 times.
    public var createdAt: String
    public var finishedAt: String?

    public init(
        uid: String, migration: MigrationReference, pod: String, node: String?, state: State, queued: Bool,
        images: [PushedImage] = [], error: String? = nil, failedContainer: String? = nil, archivesRemoved: Bool = false,
        createdAt: String, finishedAt: String? = nil
    ) {
        self.uid = uid
        self.migration = migration
        self.pod = pod
        self.node = node
        self.state = state
        self.queued = queued
        self.images = images
        self.error = error
        self.failedContainer = failedContainer
        self.archivesRemoved = archivesRemoved
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

/// A confirmed image: `{"container", "digest", "size"}` (the manifest's digest and size), as in
/// `checkpoint-transfer`'s termination message.
public struct PushedImage: Codable, Sendable, Hashable {
    public var container: String
    public var digest: String
    public var size: Int64

    public init(container: String, digest: String, size: Int64) {
        self.container = container
        self.digest = digest
        self.size = size
    }
}
