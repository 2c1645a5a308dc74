public import KubeModel

extension KubeClient {
    /// Requests a token for a ServiceAccount (`POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`, an
    /// authentication.k8s.io/v1 `TokenRequest`), as the kubelet does for projected volumes and `kubectl create
    /// token` does.
    ///
    /// `audiences` empty gets the API server's own audiences; `expirationSeconds` nil gets the server's default
    /// (3600), and the server may shorten what is asked for (less than 600 is refused with 422). The expiration
    /// returned is the server's. Throws `KubeAPIError` 404 when the ServiceAccount does not exist.
    ///
    /// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
    public func requestToken(
        serviceAccount: String, namespace: String, audiences: [String] = [], expirationSeconds: Int64? = nil
    ) async throws -> (token: String, expiration: Time?) {
        let body = TokenRequest(
            metadata: ObjectMeta(name: serviceAccount, namespace: namespace),
            spec: TokenRequestSpec(audiences: audiences, expirationSeconds: expirationSeconds))
        let accounts = ResourceDescriptor(group: "", version: "v1", resource: "serviceaccounts", namespaced: true)
        let response = try await execute(APIRequest(
            method: .post, path: accounts.path(namespace: namespace, name: serviceAccount, subresource: "token"),
            body: try JSONCoding.encode(body), contentType: "application/json"))
        let answer = try JSONCoding.decodeResponse(TokenRequest.self, from: response.body)
        guard let status = answer.status, !status.token.isEmpty else {
            throw KubeClientError.decoding("TokenRequest: the answer carries no status.token")
        }
        return (status.token, status.expirationTimestamp)
    }

    /// Asks the API server who `token` belongs to (`POST /apis/authentication.k8s.io/v1/tokenreviews`), as a
    /// kubelet or an aggregated API server authenticates its callers.
    ///
    /// `audiences` are the identifiers the caller presented the token to (empty: the API server's own). The token
    /// is valid only when `status.authenticated` is true; with audiences given, check also that `status.audiences`
    /// holds one of them (a server unaware of audiences would leave it empty). A refused token is an answer, not
    /// an error: only a failed call throws.
    ///
    /// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/
    public func reviewToken(_ token: String, audiences: [String]) async throws -> TokenReviewStatus {
        let review = TokenReview(spec: TokenReviewSpec(token: token, audiences: audiences.isEmpty ? nil : audiences))
        let response = try await execute(APIRequest(
            method: .post, path: "/apis/authentication.k8s.io/v1/tokenreviews", body: try JSONCoding.encode(review),
            contentType: "application/json"))
        return try JSONCoding.decodeResponse(TokenReview.self, from: response.body).status ?? TokenReviewStatus()
    }

    /// Asks the API server whether a user or group may perform an action
    /// (`POST /apis/authorization.k8s.io/v1/subjectaccessreviews`), as a kubelet authorizes its callers.
    ///
    /// Set exactly one of `resourceAttributes` and `nonResourceAttributes`, and `user` or `groups` (typically the
    /// user a `reviewToken` answered with: `SubjectAccessReviewSpec(user:resourceAttributes:)`); the server
    /// answers 422 otherwise. `allowed` false is a refusal, not an error.
    ///
    /// https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/subject-access-review-v1/
    public func reviewAccess(_ spec: SubjectAccessReviewSpec) async throws -> SubjectAccessReviewStatus {
        let review = SubjectAccessReview(spec: spec)
        let response = try await execute(APIRequest(
            method: .post, path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            body: try JSONCoding.encode(review), contentType: "application/json"))
        return try JSONCoding.decodeResponse(SubjectAccessReview.self, from: response.body).status
            ?? SubjectAccessReviewStatus(allowed: false)
    }
}
