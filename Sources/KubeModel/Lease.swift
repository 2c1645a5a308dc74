/// A lease, used for leader election and node heartbeats (coordination.k8s.io/v1 `Lease`).
public struct Lease: KubernetesObject, Hashable {
    public static let group = "coordination.k8s.io"
    public static let version = "v1"
    public static let kind = "Lease"
    public static let plural = "leases"
    public static let isNamespaced = true

    /// The API version; `coordination.k8s.io/v1`.
    public var apiVersion: String?
    /// The kind; `Lease`.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The lease's holder and timing.
    public var spec: LeaseSpec?

    /// Creates an object; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = Lease.apiVersion,
        kind: String? = Lease.kind,
        metadata: ObjectMeta = ObjectMeta(),
        spec: LeaseSpec? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case spec
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Lease.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Lease.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try c.decodeIfPresent(LeaseSpec.self, forKey: .spec)
    }

    /// Whether the lease has expired at `now`: it has no holder, or `renewTime + leaseDurationSeconds` has
    /// passed. A lease without a renew time or duration counts as expired.
    public func isExpired(at now: MicroTime = .now()) -> Bool {
        guard let spec, let holder = spec.holderIdentity, !holder.isEmpty,
            let renewed = spec.renewTime, let duration = spec.leaseDurationSeconds
        else { return true }
        return renewed.adding(seconds: Double(duration)) < now
    }
}

/// The holder and timing of a lease.
public struct LeaseSpec: Codable, Hashable, Sendable {
    /// Who holds the lease.
    public var holderIdentity: String?
    /// How long a holder may go without renewing.
    public var leaseDurationSeconds: Int?
    /// When the current holder acquired the lease.
    public var acquireTime: MicroTime?
    /// When the holder last renewed the lease.
    public var renewTime: MicroTime?
    /// How often the holder has changed.
    public var leaseTransitions: Int?
    /// The coordinated leader election strategy.
    public var strategy: String?
    /// A holder the strategy prefers.
    public var preferredHolder: String?

    /// Creates a value; every optional field defaults to absent.
    public init(
        holderIdentity: String? = nil,
        leaseDurationSeconds: Int? = nil,
        acquireTime: MicroTime? = nil,
        renewTime: MicroTime? = nil,
        leaseTransitions: Int? = nil,
        strategy: String? = nil,
        preferredHolder: String? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
        self.strategy = strategy
        self.preferredHolder = preferredHolder
    }
}
