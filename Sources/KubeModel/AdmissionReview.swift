public import Unstructured

/// The body the API server POSTs to an admission webhook and the webhook answers with
/// (`admission.k8s.io/v1` `AdmissionReview`; `v1beta1` has the same shape and is answered in kind).
///
/// The request's `object` stays a ``JSONValue``: a webhook registered for several resources decodes it by
/// `kind` itself (an eviction webhook decodes an ``Eviction``).
public struct AdmissionReview: Codable, Sendable, Hashable {
    /// `admission.k8s.io/v1` (or `admission.k8s.io/v1beta1`).
    public var apiVersion: String?
    /// `AdmissionReview`.
    public var kind: String?
    /// What is being admitted (set by the API server).
    public var request: AdmissionRequest?
    /// The webhook's answer (set by the webhook).
    public var response: AdmissionResponse?

    /// Creates a review.
    public init(
        apiVersion: String? = "admission.k8s.io/v1", kind: String? = "AdmissionReview", request: AdmissionRequest? = nil,
        response: AdmissionResponse? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.request = request
        self.response = response
    }
}

/// A group, version and kind (`metav1.GroupVersionKind`).
public struct GroupVersionKind: Codable, Sendable, Hashable {
    /// The API group ("" for the core group).
    public var group: String
    /// The version.
    public var version: String
    /// The kind.
    public var kind: String

    /// Creates a value.
    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }
}

/// Who sent the request being admitted (`authentication.k8s.io/v1` `UserInfo`).
public struct AdmissionUserInfo: Codable, Sendable, Hashable {
    /// The user name (`system:serviceaccount:<namespace>:<name>` for service accounts).
    public var username: String?
    /// The user's UID.
    public var uid: String?
    /// The groups the user belongs to.
    public var groups: [String]?

    /// Creates a value.
    public init(username: String? = nil, uid: String? = nil, groups: [String]? = nil) {
        self.username = username
        self.uid = uid
        self.groups = groups
    }
}

/// One request under admission (`AdmissionRequest`).
public struct AdmissionRequest: Codable, Sendable, Hashable {
    /// Identifies this call; the response must echo it.
    public var uid: String
    /// The kind of `object` as the webhook receives it.
    public var kind: GroupVersionKind?
    /// The resource being changed (`pods` for an eviction).
    public var resource: GroupVersionResource?
    /// The subresource (`eviction`), if any.
    public var subResource: String?
    /// The kind as the client sent it, when converted for the webhook (`policy/v1beta1` evictions).
    public var requestKind: GroupVersionKind?
    /// The resource as the client addressed it.
    public var requestResource: GroupVersionResource?
    /// The subresource as the client addressed it.
    public var requestSubResource: String?
    /// The object's name (the pod's, for an eviction).
    public var name: String?
    /// The namespace.
    public var namespace: String?
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    public var operation: String?
    /// Who asks.
    public var userInfo: AdmissionUserInfo?
    /// The new object (the `Eviction`, for an eviction).
    public var object: JSONValue?
    /// The existing object, for updates and deletions.
    public var oldObject: JSONValue?
    /// Whether the request will not be persisted (side effects must be skipped).
    public var dryRun: Bool?
    /// The operation's options (`CreateOptions`, `UpdateOptions`, `DeleteOptions`).
    public var options: JSONValue?

    /// Creates a request.
    public init(
        uid: String, kind: GroupVersionKind? = nil, resource: GroupVersionResource? = nil, subResource: String? = nil,
        name: String? = nil, namespace: String? = nil, operation: String? = nil, userInfo: AdmissionUserInfo? = nil,
        object: JSONValue? = nil, oldObject: JSONValue? = nil, dryRun: Bool? = nil, options: JSONValue? = nil
    ) {
        self.uid = uid
        self.kind = kind
        self.resource = resource
        self.subResource = subResource
        self.name = name
        self.namespace = namespace
        self.operation = operation
        self.userInfo = userInfo
        self.object = object
        self.oldObject = oldObject
        self.dryRun = dryRun
        self.options = options
    }
}

/// A webhook's answer (`AdmissionResponse`).
public struct AdmissionResponse: Codable, Sendable, Hashable {
    /// The request's `uid`.
    public var uid: String
    /// Whether the request may proceed.
    public var allowed: Bool
    /// Why not, when refused: the API server answers the client with this status (its `code` and
    /// `reason`; codes under 400 become 400) and a message prefixed with the webhook's name.
    public var status: Status?
    /// Texts the API server passes to the client as `Warning` headers (kubectl prints them).
    public var warnings: [String]?

    /// Creates a response.
    public init(uid: String, allowed: Bool, status: Status? = nil, warnings: [String]? = nil) {
        self.uid = uid
        self.allowed = allowed
        self.status = status
        self.warnings = warnings
    }
}
