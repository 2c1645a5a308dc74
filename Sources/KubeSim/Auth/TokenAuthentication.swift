import Unstructured

/// Who a bearer token stands for, as an authenticator reports it.
struct TokenIdentity: Sendable {
    /// The user, `system:authenticated` included.
    var user: AdmissionUser
    var extra: [String: [String]] = [:]
    /// The audiences the token is valid for among those requested.
    var audiences: [String]
}

/// The outcome of authenticating a bearer token.
enum TokenVerdict: Sendable {
    case authenticated(TokenIdentity)
    /// An authenticator recognised the token and refused it; the text is what TokenReview reports in `error`.
    case refused(String)
    /// No authenticator knows the token.
    case unknown
}

extension KubeSimCore {
    /// The API server's own audiences (`--api-audiences`).
    var apiAudiences: [String] { configuration.apiAudiences }

    /// Authenticates `token` for `requested` audiences (empty: the API server's), the way kube-apiserver's token
    /// authenticators do (k8s.io/apiserver pkg/authentication, pkg/serviceaccount):
    ///
    /// - a static token (`Authentication.tokenUsers`, as a `--token-auth-file` line) is audience-agnostic: valid
    ///   only when the requested audiences include one of the API server's (`WrapAudienceAgnosticToken`), and
    ///   then reported with that intersection;
    /// - a ServiceAccount token issued by TokenRequest must name one of the requested audiences
    ///   (`token audiences … is invalid for the target audiences …`), must not have expired (with the one minute
    ///   leeway), and its ServiceAccount — and bound object, if any — must still exist with the same uid.
    func authenticateToken(_ token: String, audiences requested: [String]) -> TokenVerdict {
        let target = requested.isEmpty ? apiAudiences : requested
        if let user = configuration.authentication?.tokenUsers[token] {
            let common = apiAudiences.filter { target.contains($0) }
            if common.isEmpty { return .unknown }
            return .authenticated(
                TokenIdentity(
                    user: Self.withAuthenticatedGroup(
                        AdmissionUser(username: user.username, uid: user.uid, groups: user.groups)),
                    audiences: common))
        }
        guard let issued = tokens.lookup(token) else { return .unknown }
        func refuse(_ why: String) -> TokenVerdict { .refused("[invalid bearer token, \(why)]") }
        let common = issued.audiences.filter { target.contains($0) }
        if common.isEmpty {
            return refuse("token audiences \(Self.goQuoted(issued.audiences)) is invalid for the target audiences \(Self.goQuoted(target))")
        }
        let now = tokens.now()
        if now - ServiceAccountTokens.leewaySeconds > issued.expiresAt {
            return refuse("service account token has expired")
        }
        let (account, bound) = store.state.withLock { s in
            (
                s.get(BuiltinResources.serviceAccounts.id, "\(issued.namespace)/\(issued.serviceAccountName)")?.value,
                issued.boundObject.map { b in
                    s.get(b.resource.id, b.resource.namespaced ? "\(issued.namespace)/\(b.name)" : b.name)?.value
                }
            )
        }
        guard let account else { return refuse("serviceaccounts \"\(issued.serviceAccountName)\" not found") }
        let uid = account[path: ["metadata", "uid"]]?.stringValue ?? ""
        if uid != issued.serviceAccountUID {
            return refuse("service account UID (\(uid)) does not match claim (\(issued.serviceAccountUID))")
        }
        if account.isDeleting {
            return refuse("service account \(issued.namespace)/\(issued.serviceAccountName) has been deleted")
        }
        var extra = ["authentication.kubernetes.io/credential-id": ["JTI=\(issued.id)"]]
        if let b = issued.boundObject {
            guard let object = bound ?? nil else { return refuse("service account token has been invalidated") }
            let objectUID = object[path: ["metadata", "uid"]]?.stringValue ?? ""
            if objectUID != b.uid {
                return refuse("\(b.kind.lowercased()) UID (\(objectUID)) does not match service account \(b.kind.lowercased()) ref claim (\(b.uid))")
            }
            extra["authentication.kubernetes.io/\(b.kind.lowercased())-name"] = [b.name]
            extra["authentication.kubernetes.io/\(b.kind.lowercased())-uid"] = [b.uid]
        }
        return .authenticated(
            TokenIdentity(
                user: Self.withAuthenticatedGroup(
                    AdmissionUser(username: issued.username, uid: issued.serviceAccountUID, groups: issued.groups)),
                extra: extra, audiences: common))
    }

    /// The user with `system:authenticated`, as the API server's group adder adds it.
    static func withAuthenticatedGroup(_ user: AdmissionUser) -> AdmissionUser {
        var user = user
        if !user.groups.contains("system:authenticated") { user.groups.append("system:authenticated") }
        return user
    }

    /// Go's `%q` of a string slice: `["a" "b"]`.
    static func goQuoted(_ values: [String]) -> String {
        "[" + values.map { "\"\($0)\"" }.joined(separator: " ") + "]"
    }
}
