/// Options for a delete call, sent as its body (`metav1.DeleteOptions`).
public struct DeleteOptions: Codable, Hashable, Sendable {
    /// Always `v1`.
    public var apiVersion: String?
    /// Always `DeleteOptions`.
    public var kind: String?
    /// Seconds before the object is removed; 0 deletes immediately; nil uses the object's default.
    public var gracePeriodSeconds: Int64?
    /// Conditions that must hold for the delete to proceed.
    public var preconditions: Preconditions?
    /// Whether and how dependents are garbage collected.
    public var propagationPolicy: PropagationPolicy?
    /// `["All"]` to only validate the request.
    public var dryRun: [String]?

    /// Creates delete options.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "DeleteOptions",
        gracePeriodSeconds: Int64? = nil,
        preconditions: Preconditions? = nil,
        propagationPolicy: PropagationPolicy? = nil,
        dryRun: [String]? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditions = preconditions
        self.propagationPolicy = propagationPolicy
        self.dryRun = dryRun
    }

    /// Conditions a delete checks first.
    public struct Preconditions: Codable, Hashable, Sendable {
        /// The object must have this uid.
        public var uid: String?
        /// The object must be at this resource version.
        public var resourceVersion: String?

        /// Creates preconditions.
        public init(uid: String? = nil, resourceVersion: String? = nil) {
            self.uid = uid
            self.resourceVersion = resourceVersion
        }
    }
}

/// How dependents of a deleted object are garbage collected.
public enum PropagationPolicy: String, Codable, Hashable, Sendable, CaseIterable {
    /// Dependents are deleted before the owner disappears.
    case foreground = "Foreground"
    /// The owner disappears at once; dependents are deleted in the background.
    case background = "Background"
    /// Dependents are left in place, their owner references removed.
    case orphan = "Orphan"
}
