/// A request for a ServiceAccount token (authentication.k8s.io/v1 `TokenRequest`), POSTed to the
/// `serviceaccounts/{name}/token` subresource; the answer carries the token in `status`.
///
/// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
public struct TokenRequest: Codable, Hashable, Sendable {
    /// `authentication.k8s.io/v1`.
    public var apiVersion: String?
    /// `TokenRequest`.
    public var kind: String?
    /// The ServiceAccount's name and namespace (filled in by the server when absent).
    public var metadata: ObjectMeta
    /// What the token is for and how long it lives.
    public var spec: TokenRequestSpec
    /// The issued token; set by the server.
    public var status: TokenRequestStatus?

    /// Creates a request; `apiVersion` and `kind` default to this type's.
    public init(
        apiVersion: String? = TokenRequest.apiVersion, kind: String? = TokenRequest.kind,
        metadata: ObjectMeta = ObjectMeta(), spec: TokenRequestSpec = TokenRequestSpec(),
        status: TokenRequestStatus? = nil
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
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? TokenRequest.apiVersion
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? TokenRequest.kind
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(TokenRequestSpec.self, forKey: .spec) ?? TokenRequestSpec()
        status = try c.decodeIfPresent(TokenRequestStatus.self, forKey: .status)
    }

    /// `authentication.k8s.io/v1`.
    public static let apiVersion = "authentication.k8s.io/v1"
    /// `TokenRequest`.
    public static let kind = "TokenRequest"
}

/// The client's parameters of a token request.
public struct TokenRequestSpec: Codable, Hashable, Sendable {
    /// The intended audiences of the token; a recipient must find itself among them. The server defaults an
    /// empty list to its own audiences (`--api-audiences`).
    public var audiences: [String]
    /// How long the token should be valid; the server defaults it to 3600 and refuses less than 600 (422).
    /// The server may shorten it: read `status.expirationTimestamp`.
    public var expirationSeconds: Int64?
    /// An object the token is bound to (a Pod, Secret or Node); the token dies with it.
    public var boundObjectRef: BoundObjectReference?

    /// Creates a spec; every optional field defaults to absent.
    public init(audiences: [String] = [], expirationSeconds: Int64? = nil, boundObjectRef: BoundObjectReference? = nil) {
        self.audiences = audiences
        self.expirationSeconds = expirationSeconds
        self.boundObjectRef = boundObjectRef
    }

    private enum CodingKeys: String, CodingKey { case audiences, expirationSeconds, boundObjectRef }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        audiences = try c.decodeIfPresent([String].self, forKey: .audiences) ?? []
        expirationSeconds = try c.decodeIfPresent(Int64.self, forKey: .expirationSeconds)
        boundObjectRef = try c.decodeIfPresent(BoundObjectReference.self, forKey: .boundObjectRef)
    }
}

/// The object a token is bound to.
public struct BoundObjectReference: Codable, Hashable, Sendable {
    /// The referent's API version, e.g. `v1`.
    public var apiVersion: String?
    /// `Pod`, `Secret` or `Node`.
    public var kind: String?
    /// The referent's name.
    public var name: String?
    /// The referent's uid.
    public var uid: String?

    /// Creates a reference; every field defaults to absent.
    public init(apiVersion: String? = nil, kind: String? = nil, name: String? = nil, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
    }
}

/// The result of a token request: the token and when it stops being valid.
public struct TokenRequestStatus: Codable, Hashable, Sendable {
    /// The opaque bearer token.
    public var token: String
    /// When the token expires.
    public var expirationTimestamp: Time?

    /// Creates a status.
    public init(token: String, expirationTimestamp: Time? = nil) {
        self.token = token
        self.expirationTimestamp = expirationTimestamp
    }

    private enum CodingKeys: String, CodingKey { case token, expirationTimestamp }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decodeIfPresent(String.self, forKey: .token) ?? ""
        expirationTimestamp = try c.decodeIfPresent(Time.self, forKey: .expirationTimestamp)
    }
}
