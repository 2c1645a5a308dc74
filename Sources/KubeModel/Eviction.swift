/// A request to evict a pod, honouring disruption budgets;
/// the body POSTed to `pods/{name}/eviction` (policy/v1 `Eviction`).
public struct Eviction: Codable, Hashable, Sendable {
    /// `policy/v1`.
    public var apiVersion: String?
    /// `Eviction`.
    public var kind: String?
    /// The name and namespace of the pod to evict.
    public var metadata: ObjectMeta
    /// Options for the deletion.
    public var deleteOptions: DeleteOptions?

    /// Creates a value; every optional field defaults to absent.
    public init(
        apiVersion: String? = Eviction.apiVersion,
        kind: String? = Eviction.kind,
        metadata: ObjectMeta = ObjectMeta(),
        deleteOptions: DeleteOptions? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.deleteOptions = deleteOptions
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case deleteOptions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? Eviction.apiVersion
        self.kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? Eviction.kind
        self.metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.deleteOptions = try c.decodeIfPresent(DeleteOptions.self, forKey: .deleteOptions)
    }

    /// `policy/v1`.
    public static let apiVersion = "policy/v1"
    /// `Eviction`.
    public static let kind = "Eviction"

    /// An eviction of the named pod.
    public init(podName: String, namespace: String, deleteOptions: DeleteOptions? = nil) {
        self.init(metadata: ObjectMeta(name: podName, namespace: namespace), deleteOptions: deleteOptions)
    }
}
