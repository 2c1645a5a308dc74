public import Unstructured

/// Metadata every persisted object has (`metav1.ObjectMeta`): name, namespace, labels, owners, …
public struct ObjectMeta: Codable, Hashable, Sendable {
    /// The object's name, unique within its namespace (or cluster) for its kind.
    public var name: String?
    /// A prefix from which the server generates a unique name when `name` is empty.
    public var generateName: String?
    /// The namespace; empty for cluster-scoped objects.
    public var namespace: String?
    /// The server-assigned unique id.
    public var uid: String?
    /// The opaque version used for optimistic concurrency and watches.
    public var resourceVersion: String?
    /// The sequence number of the desired state (bumped on spec changes).
    public var generation: Int64?
    /// When the object was created.
    public var creationTimestamp: Time?
    /// When graceful deletion was requested (set by the server).
    public var deletionTimestamp: Time?
    /// The grace period granted before the object is removed.
    public var deletionGracePeriodSeconds: Int64?
    /// Key/value labels used by selectors.
    public var labels: [String: String]?
    /// Arbitrary non-identifying key/value metadata.
    public var annotations: [String: String]?
    /// Objects this one depends on (garbage collection, controller ownership).
    public var ownerReferences: [OwnerReference]?
    /// Finalizers that must be removed before the object is deleted.
    public var finalizers: [String]?
    /// Server-side-apply field ownership, kept as raw JSON so it can be inspected or dropped.
    public var managedFields: [JSONValue]?

    /// Creates object metadata; every field defaults to absent.
    public init(
        name: String? = nil,
        generateName: String? = nil,
        namespace: String? = nil,
        uid: String? = nil,
        resourceVersion: String? = nil,
        generation: Int64? = nil,
        creationTimestamp: Time? = nil,
        deletionTimestamp: Time? = nil,
        deletionGracePeriodSeconds: Int64? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil,
        finalizers: [String]? = nil,
        managedFields: [JSONValue]? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.managedFields = managedFields
    }

    /// The owner reference marked `controller: true`, if any.
    public var controllerReference: OwnerReference? {
        ownerReferences?.first { $0.controller == true }
    }

    /// Whether graceful deletion has been requested.
    public var isBeingDeleted: Bool { deletionTimestamp != nil }

    /// Whether `finalizers` contains `finalizer`.
    public func hasFinalizer(_ finalizer: String) -> Bool { finalizers?.contains(finalizer) ?? false }
}

/// A reference from an object to an owner in the same namespace (`metav1.OwnerReference`).
public struct OwnerReference: Codable, Hashable, Sendable {
    /// The owner's API version.
    public var apiVersion: String
    /// The owner's kind.
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's uid.
    public var uid: String
    /// Whether the owner is the managing controller.
    public var controller: Bool?
    /// Whether foreground deletion of the owner waits for this object.
    public var blockOwnerDeletion: Bool?

    /// Creates an owner reference.
    public init(
        apiVersion: String,
        kind: String,
        name: String,
        uid: String,
        controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    /// A controller reference to `owner` (`controller` and `blockOwnerDeletion` true), as controllers set.
    /// Nil when the owner has no name or uid yet.
    public init?<Owner: KubernetesObject>(controller owner: Owner) {
        guard let name = owner.metadata.name, let uid = owner.metadata.uid else { return nil }
        self.init(
            apiVersion: Owner.apiVersion, kind: Owner.kind, name: name, uid: uid,
            controller: true, blockOwnerDeletion: true)
    }
}

/// Metadata of a list response (`metav1.ListMeta`).
public struct ListMeta: Codable, Hashable, Sendable {
    /// The resource version the list was read at; start a watch from here.
    public var resourceVersion: String?
    /// The token to pass as `continue` to fetch the next page (JSON key `continue`).
    public var continueToken: String?
    /// How many items remain after this page, when the server knows.
    public var remainingItemCount: Int64?

    /// Creates list metadata.
    public init(resourceVersion: String? = nil, continueToken: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }

    private enum CodingKeys: String, CodingKey {
        case resourceVersion
        case continueToken = "continue"
        case remainingItemCount
    }
}

/// A reference to any object, used by events and some specs (`core/v1 ObjectReference`).
public struct ObjectReference: Codable, Hashable, Sendable {
    /// The referent's kind.
    public var kind: String?
    /// The referent's namespace.
    public var namespace: String?
    /// The referent's name.
    public var name: String?
    /// The referent's uid.
    public var uid: String?
    /// The referent's API version.
    public var apiVersion: String?
    /// The referent's resource version.
    public var resourceVersion: String?
    /// A path to a part of the object, e.g. `spec.containers{app}`.
    public var fieldPath: String?

    /// Creates an object reference.
    public init(
        kind: String? = nil,
        namespace: String? = nil,
        name: String? = nil,
        uid: String? = nil,
        apiVersion: String? = nil,
        resourceVersion: String? = nil,
        fieldPath: String? = nil
    ) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.apiVersion = apiVersion
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }

    /// A reference to `object`, from its type and metadata.
    public init<Object: KubernetesObject>(to object: Object, fieldPath: String? = nil) {
        self.init(
            kind: Object.kind, namespace: object.metadata.namespace, name: object.metadata.name,
            uid: object.metadata.uid, apiVersion: Object.apiVersion,
            resourceVersion: object.metadata.resourceVersion, fieldPath: fieldPath)
    }
}
