/// A question whether a user or group may perform an action (authorization.k8s.io/v1 `SubjectAccessReview`),
/// POSTed to `/apis/authorization.k8s.io/v1/subjectaccessreviews`. Nothing is stored: the answer is the review
/// with `status`.
///
/// https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/subject-access-review-v1/
public struct SubjectAccessReview: Codable, Hashable, Sendable {
    /// `authorization.k8s.io/v1`.
    public var apiVersion: String?
    /// `SubjectAccessReview`.
    public var kind: String?
    /// Must be empty (the server refuses names, labels, …).
    public var metadata: ObjectMeta
    /// Who asks to do what.
    public var spec: SubjectAccessReviewSpec
    /// The server's decision.
    public var status: SubjectAccessReviewStatus?

    /// Creates a review; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = SubjectAccessReview.apiVersion, kind: String? = SubjectAccessReview.kind,
        metadata: ObjectMeta = ObjectMeta(), spec: SubjectAccessReviewSpec, status: SubjectAccessReviewStatus? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? SubjectAccessReview.apiVersion
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? SubjectAccessReview.kind
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(SubjectAccessReviewSpec.self, forKey: .spec) ?? SubjectAccessReviewSpec()
        status = try c.decodeIfPresent(SubjectAccessReviewStatus.self, forKey: .status)
    }

    /// `authorization.k8s.io/v1`.
    public static let apiVersion = "authorization.k8s.io/v1"
    /// `SubjectAccessReview`.
    public static let kind = "SubjectAccessReview"
}

/// The subject and the action of an access review. Exactly one of `resourceAttributes` and
/// `nonResourceAttributes` must be set, and at least one of `user` and `groups`.
public struct SubjectAccessReviewSpec: Codable, Hashable, Sendable {
    /// The action on a resource.
    public var resourceAttributes: ResourceAttributes?
    /// The action on a non-resource URL (`/healthz`, `/metrics`, …).
    public var nonResourceAttributes: NonResourceAttributes?
    /// The user's name (as `TokenReviewStatus.user.username` gives it).
    public var user: String?
    /// The user's groups.
    public var groups: [String]?
    /// The user's uid.
    public var uid: String?
    /// Further authenticator information, passed to authorizers.
    public var extra: [String: [String]]?

    /// Creates a spec; every field defaults to absent.
    public init(
        resourceAttributes: ResourceAttributes? = nil, nonResourceAttributes: NonResourceAttributes? = nil,
        user: String? = nil, groups: [String]? = nil, uid: String? = nil, extra: [String: [String]]? = nil
    ) {
        self.resourceAttributes = resourceAttributes
        self.nonResourceAttributes = nonResourceAttributes
        self.user = user
        self.groups = groups
        self.uid = uid
        self.extra = extra
    }

    /// The spec that asks about the user a token review authenticated.
    public init(user: UserInfo, resourceAttributes: ResourceAttributes) {
        self.init(
            resourceAttributes: resourceAttributes, user: user.username, groups: user.groups, uid: user.uid,
            extra: user.extra)
    }
}

/// An action on a resource, as RBAC rules describe it.
public struct ResourceAttributes: Codable, Hashable, Sendable {
    /// The namespace; empty asks about all namespaces (only cluster-wide grants apply).
    public var namespace: String?
    /// The verb: `get`, `list`, `create`, … or a custom verb.
    public var verb: String?
    /// The API group; empty for the core group.
    public var group: String?
    /// The API version (`*` for all).
    public var version: String?
    /// The plural resource name.
    public var resource: String?
    /// The subresource, e.g. `transfer` for `statefulmigrations/transfer`.
    public var subresource: String?
    /// The object's name; empty means all objects (for `list`, `create`, …).
    public var name: String?

    /// Creates attributes; every field defaults to absent.
    public init(
        namespace: String? = nil, verb: String? = nil, group: String? = nil, version: String? = nil,
        resource: String? = nil, subresource: String? = nil, name: String? = nil
    ) {
        self.namespace = namespace
        self.verb = verb
        self.group = group
        self.version = version
        self.resource = resource
        self.subresource = subresource
        self.name = name
    }
}

/// An action on a URL path that is not a resource.
public struct NonResourceAttributes: Codable, Hashable, Sendable {
    /// The URL path, e.g. `/healthz`.
    public var path: String?
    /// The verb: `get`, `post`, …
    public var verb: String?

    /// Creates attributes.
    public init(path: String? = nil, verb: String? = nil) {
        self.path = path
        self.verb = verb
    }
}

/// The decision of an access review.
public struct SubjectAccessReviewStatus: Codable, Hashable, Sendable {
    /// Whether the action is allowed.
    public var allowed: Bool
    /// Whether the action is explicitly denied (an authorizer said no); false with `allowed` false means no
    /// authorizer had an opinion.
    public var denied: Bool?
    /// Why the action is allowed or denied (free text).
    public var reason: String?
    /// An error the authorizer ran into; the decision may still be right (an unreadable role can only deny).
    public var evaluationError: String?

    /// Creates a status.
    public init(allowed: Bool, denied: Bool? = nil, reason: String? = nil, evaluationError: String? = nil) {
        self.allowed = allowed
        self.denied = denied
        self.reason = reason
        self.evaluationError = evaluationError
    }

    private enum CodingKeys: String, CodingKey { case allowed, denied, reason, evaluationError }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        allowed = try c.decodeIfPresent(Bool.self, forKey: .allowed) ?? false
        denied = try c.decodeIfPresent(Bool.self, forKey: .denied)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        evaluationError = try c.decodeIfPresent(String.self, forKey: .evaluationError)
    }
}
