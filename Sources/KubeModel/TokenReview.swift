/// A request to authenticate a bearer token (authentication.k8s.io/v1 `TokenReview`), POSTed to
/// `/apis/authentication.k8s.io/v1/tokenreviews`. Nothing is stored: the answer is the review with `status`.
///
/// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/
public struct TokenReview: Codable, Hashable, Sendable {
    /// `authentication.k8s.io/v1`.
    public var apiVersion: String?
    /// `TokenReview`.
    public var kind: String?
    /// Standard object metadata (empty in practice).
    public var metadata: ObjectMeta
    /// The token and the audiences it was presented to.
    public var spec: TokenReviewSpec
    /// The server's verdict.
    public var status: TokenReviewStatus?

    /// Creates a review; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = TokenReview.apiVersion, kind: String? = TokenReview.kind,
        metadata: ObjectMeta = ObjectMeta(), spec: TokenReviewSpec, status: TokenReviewStatus? = nil
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
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? TokenReview.apiVersion
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? TokenReview.kind
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(TokenReviewSpec.self, forKey: .spec) ?? TokenReviewSpec(token: "")
        status = try c.decodeIfPresent(TokenReviewStatus.self, forKey: .status)
    }

    /// `authentication.k8s.io/v1`.
    public static let apiVersion = "authentication.k8s.io/v1"
    /// `TokenReview`.
    public static let kind = "TokenReview"
}

/// The token to check and the audiences the presenting server identifies as.
public struct TokenReviewSpec: Codable, Hashable, Sendable {
    /// The opaque bearer token.
    public var token: String
    /// The identifiers the resource server presented the token to; empty means the API server's own audiences.
    public var audiences: [String]?

    /// Creates a spec.
    public init(token: String, audiences: [String]? = nil) {
        self.token = token
        self.audiences = audiences
    }

    private enum CodingKeys: String, CodingKey { case token, audiences }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decodeIfPresent(String.self, forKey: .token) ?? ""
        audiences = try c.decodeIfPresent([String].self, forKey: .audiences)
    }
}

/// The result of a token review.
public struct TokenReviewStatus: Codable, Hashable, Sendable {
    /// Whether the token belongs to a known user (and is valid for one of the requested audiences).
    public var authenticated: Bool?
    /// The user the token stands for, when authenticated.
    public var user: UserInfo?
    /// The intersection of the requested audiences and the token's. A client that set `spec.audiences`
    /// should check that one of its audiences is here.
    public var audiences: [String]?
    /// Why the token could not be checked or was refused (free text; do not parse).
    public var error: String?

    /// Creates a status; every field defaults to absent.
    public init(authenticated: Bool? = nil, user: UserInfo? = nil, audiences: [String]? = nil, error: String? = nil) {
        self.authenticated = authenticated
        self.user = user
        self.audiences = audiences
        self.error = error
    }

    /// `authenticated == true`.
    public var isAuthenticated: Bool { authenticated == true }
}

/// A user as the authenticator saw it (authentication.k8s.io/v1 `UserInfo`).
public struct UserInfo: Codable, Hashable, Sendable {
    /// The user's name, e.g. `system:serviceaccount:ms2m-system:ms2m-operator`.
    public var username: String?
    /// A value unique to this user over time (a ServiceAccount's uid).
    public var uid: String?
    /// The groups the user belongs to.
    public var groups: [String]?
    /// Further information the authenticator provided.
    public var extra: [String: [String]]?

    /// Creates user information; every field defaults to absent.
    public init(username: String? = nil, uid: String? = nil, groups: [String]? = nil, extra: [String: [String]]? = nil) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }
}
