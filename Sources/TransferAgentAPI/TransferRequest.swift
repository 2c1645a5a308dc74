/// The wire format of `ms2m-agent`'s API, shared by the agent and the operator's client so that both read and
/// write one definition.
///
/// The body of `POST /v1/transfers`: push the checkpoint archives the kubelet wrote for one pod's containers,
/// each as an OCI image, for one migration.
///
/// ```json
/// {"migration": {"namespace": "shop", "name": "move-cart", "uid": "6f1c…"},
///  "pod": "cart-0",
///  "pushes": [{"container": "cart",
///              "archive": "checkpoint-cart-0_shop-cart-2026-11-01T10:05:00Z.tar",
///              "destination": "registry.shop:5000/checkpoints/cart:move-cart"}],
///  "registry": {"insecure": false, "compress": true, "dockerConfigJSON": "eyJhdXRocyI6…"},
///  "removeArchives": true}
/// ```
///
/// `archive` is a file name in the agent's checkpoint directory, never a path. `registry` may be left out (no
/// credentials, HTTPS, no compression), and so may `removeArchives` (false).
public struct TransferRequest: Codable, Sendable, Equatable {
    /// The migration the transfer belongs to; its `uid` keys the transfer.
    public var migration: MigrationReference
    /// The checkpointed pod (in `migration.namespace`).
    public var pod: String
    /// One image per container, pushed in this order.
    public var pushes: [ContainerPush]
    /// How to reach the registry.
    public var registry: RegistryOptions
    /// Whether to delete the archives once every image is confirmed.
    public var removeArchives: Bool

    /// A request from its parts.
    public init(
        migration: MigrationReference, pod: String, pushes: [ContainerPush], registry: RegistryOptions = RegistryOptions(),
        removeArchives: Bool = false
    ) {
        self.migration = migration
        self.pod = pod
        self.pushes = pushes
        self.registry = registry
        self.removeArchives = removeArchives
    }

    private enum CodingKeys: String, CodingKey {
        case migration, pod, pushes, registry, removeArchives
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        migration = try container.decode(MigrationReference.self, forKey: .migration)
        pod = try container.decode(String.self, forKey: .pod)
        pushes = try container.decode([ContainerPush].self, forKey: .pushes)
        registry = try container.decodeIfPresent(RegistryOptions.self, forKey: .registry) ?? RegistryOptions()
        removeArchives = try container.decodeIfPresent(Bool.self, forKey: .removeArchives) ?? false
    }

    /// Whether `other` asks for the same images from the same archives (credentials and flags aside): a repeated
    /// POST for a migration must not quietly push something else.
    public func asksForSamePushes(as other: TransferRequest) -> Bool {
        migration == other.migration && pod == other.pod && pushes == other.pushes
    }
}

/// Which `StatefulMigration` a transfer is for.
public struct MigrationReference: Codable, Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// The migration's `metadata.uid`.
    public var uid: String

    public init(namespace: String, name: String, uid: String) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}

/// One container's image: its kubelet checkpoint archive (a file name) and where the image goes.
public struct ContainerPush: Codable, Sendable, Hashable {
    /// The checkpointed container.
    public var container: String
    /// The archive's file name in the checkpoint directory,
    /// `checkpoint-<pod>_<namespace>-<container>-<RFC 3339 time>.tar`.
    public var archive: String
    /// `registry/repository:tag`, `registry/repository@sha256:…`, or `oci:<dir>[:<tag>]` (simulation only).
    public var destination: String

    public init(container: String, archive: String, destination: String) {
        self.container = container
        self.archive = archive
        self.destination = destination
    }
}

/// How the images are sent.
public struct RegistryOptions: Codable, Sendable, Equatable {
    /// Plain HTTP: only for registries configured as insecure.
    public var insecure: Bool
    /// Gzip the layers.
    public var compress: Bool
    /// Base64 of a `.dockerconfigjson` (the data of a `kubernetes.io/dockerconfigjson` Secret); nil: anonymous.
    public var dockerConfigJSON: String?

    public init(insecure: Bool = false, compress: Bool = false, dockerConfigJSON: String? = nil) {
        self.insecure = insecure
        self.compress = compress
        self.dockerConfigJSON = dockerConfigJSON
    }

    private enum CodingKeys: String, CodingKey {
        case insecure, compress, dockerConfigJSON
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        insecure = try container.decodeIfPresent(Bool.self, forKey: .insecure) ?? false
        compress = try container.decodeIfPresent(Bool.self, forKey: .compress) ?? false
        dockerConfigJSON = try container.decodeIfPresent(String.self, forKey: .dockerConfigJSON)
    }
}
