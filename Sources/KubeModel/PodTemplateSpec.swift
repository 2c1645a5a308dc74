/// The pod a workload controller creates: metadata plus pod spec (core/v1 `PodTemplateSpec`).
public struct PodTemplateSpec: Codable, Hashable, Sendable {
    /// Labels and annotations of the created pods.
    public var metadata: ObjectMeta?
    /// The pods' spec.
    public var spec: PodSpec?

    /// Creates a value; every optional field defaults to absent.
    public init(metadata: ObjectMeta? = nil, spec: PodSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}
