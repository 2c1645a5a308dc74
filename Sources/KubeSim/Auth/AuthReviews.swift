import Unstructured

/// The create-only review resources: nothing is stored, the answer (201) is the posted object with `status`.
extension KubeSimCore {
    /// Answers a request to one of `AuthResources.reviews`; only POST on the collection is served (405 otherwise,
    /// as for any resource with the single verb `create`).
    func serveReview(_ request: APIRequest, _ rp: ResourcePath, _ info: ResourceInfo) throws -> APIResult {
        guard request.method == "POST", rp.name == nil, !rp.watchPrefix else { throw APIError.methodNotAllowed() }
        if info.namespaced && rp.namespace == nil { throw APIError.methodNotAllowed() }
        let body = try request.jsonBody()
        guard body.objectValue != nil else { throw APIError.badRequest("the body of the request must be a \(info.kind)") }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != info.kind {
            throw APIError.badRequest("the body of the request was in an unknown format: kind \(kind) is not \(info.kind)")
        }
        var review = body
        review["apiVersion"] = .string(info.apiVersion)
        review["kind"] = .string(info.kind)
        var meta = review["metadata"]?.objectValue ?? [:]
        meta["creationTimestamp"] = .null
        review["metadata"] = .object(meta)
        switch info.plural {
        case AuthResources.tokenReviews.plural: review["status"] = try tokenReviewStatus(body)
        case AuthResources.selfSubjectReviews.plural:
            review["status"] = ["userInfo": userInfoJSON(requestUser(request), extra: [:])]
        default: review["status"] = try accessReviewStatus(body, info, namespace: rp.namespace, request: request)
        }
        return .response(.json(201, review))
    }

    /// TokenReview (pkg/registry/authentication/tokenreview/storage.go): `spec.token` is required (400);
    /// the token is authenticated for `spec.audiences` (the API server's when empty).
    ///
    /// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/
    private func tokenReviewStatus(_ body: JSONValue) throws -> JSONValue {
        let token = body[path: ["spec", "token"]]?.stringValue ?? ""
        if token.isEmpty { throw APIError.badRequest("token is required for TokenReview in authentication") }
        let audiences = body[path: ["spec", "audiences"]]?.arrayValue?.compactMap(\.stringValue) ?? []
        switch authenticateToken(token, audiences: audiences) {
        case .authenticated(let identity):
            var status: JSONObject = ["authenticated": true, "user": userInfoJSON(identity.user, extra: identity.extra)]
            if !identity.audiences.isEmpty { status["audiences"] = .array(identity.audiences.map { .string($0) }) }
            return .object(status)
        case .refused(let error):
            return ["user": [:], "error": .string(error)]
        case .unknown:
            return ["user": [:], "error": "invalid bearer token"]
        }
    }

    /// authentication/v1 UserInfo, empty fields omitted.
    private func userInfoJSON(_ user: AdmissionUser, extra: [String: [String]]) -> JSONValue {
        var o = user.json.objectValue ?? [:]
        if !extra.isEmpty {
            var e: JSONObject = [:]
            for (key, values) in extra.sorted(by: { $0.key < $1.key }) { e[key] = .array(values.map { .string($0) }) }
            o["extra"] = .object(e)
        }
        return .object(o)
    }

    /// SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview (pkg/registry/authorization/*,
    /// pkg/apis/authorization/validation): validated (422, name ""), then decided by the authorizer chain.
    ///
    /// https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/subject-access-review-v1/
    private func accessReviewStatus(_ body: JSONValue, _ info: ResourceInfo, namespace: String?, request: APIRequest)
        throws -> JSONValue
    {
        let spec = body["spec"] ?? [:]
        let resource = spec["resourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        let nonResource = spec["nonResourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        var problems: [FieldProblem] = []
        if resource != nil && nonResource != nil {
            problems.append(
                .invalid(
                    "spec.nonResourceAttributes", value: .string(Self.goStruct(nonResource!, ["path", "verb"])),
                    "cannot be specified in combination with resourceAttributes"))
        }
        if resource == nil && nonResource == nil {
            problems.append(
                .invalid(
                    "spec.resourceAttributes", value: .null,
                    "exactly one of nonResourceAttributes or resourceAttributes must be specified"))
        }
        let self_ = info.plural == AuthResources.selfSubjectAccessReviews.plural
        let user = spec["user"]?.stringValue ?? ""
        let groups = spec["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !self_ && user.isEmpty && groups.isEmpty {
            problems.append(.invalid("spec.user", value: .string(user), "at least one of user or group must be specified"))
        }
        if info.plural == AuthResources.localSubjectAccessReviews.plural, nonResource != nil {
            problems.append(
                .invalid(
                    "spec.nonResourceAttributes", value: .string(Self.goStruct(nonResource!, ["path", "verb"])),
                    "disallowed on this kind of request"))
        }
        var meta = body["metadata"]?.objectValue ?? [:]
        meta.removeValue(forKey: "managedFields")
        if meta["creationTimestamp"] == .null { meta.removeValue(forKey: "creationTimestamp") }
        if info.plural == AuthResources.localSubjectAccessReviews.plural {
            // ValidateLocalSubjectAccessReview clears the namespace before requiring empty metadata.
            meta.removeValue(forKey: "namespace")
        }
        if meta.values.contains(where: { $0 != .null && $0 != [:] && $0 != "" }) {
            problems.append(.invalid("metadata", value: .string(JSONValue.object(meta).jsonString()), "must be empty"))
        }
        if !problems.isEmpty {
            throw APIError.invalid(kind: info.kind, group: info.group, name: "", errors: problems)
        }
        if info.plural == AuthResources.localSubjectAccessReviews.plural, let namespace {
            // The spec must repeat the URL's namespace; an empty one does not match either.
            if let resource, (resource["namespace"]?.stringValue ?? "") != namespace {
                throw APIError.badRequest("spec.resourceAttributes.namespace must match namespace: \(namespace)")
            }
        }
        var attributes: AuthorizationAttributes
        if self_ {
            let requester = requestUser(request)
            attributes = AuthorizationAttributes(user: requester.username, groups: requester.groups)
        } else {
            attributes = AuthorizationAttributes(user: user, groups: groups)
        }
        if let r = spec["resourceAttributes"], r != .null {
            attributes.resource = .init(
                namespace: r["namespace"]?.stringValue ?? "", verb: r["verb"]?.stringValue ?? "",
                group: r["group"]?.stringValue ?? "", resource: r["resource"]?.stringValue ?? "",
                subresource: r["subresource"]?.stringValue ?? "", name: r["name"]?.stringValue ?? "")
        } else if let n = nonResource {
            attributes.nonResource = (n["path"]?.stringValue ?? "", n["verb"]?.stringValue ?? "")
        }
        let decision = rbacAuthorizer().authorize(attributes)
        var status: JSONObject = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        if !decision.evaluationError.isEmpty { status["evaluationError"] = .string(decision.evaluationError) }
        return .object(status)
    }

    /// Go's `%v` of a pointer to a struct, as field.Invalid prints it: `&NonResourceAttributes{Path:/x,Verb:get,}`.
    private static func goStruct(_ value: JSONValue, _ fields: [String]) -> String {
        "&NonResourceAttributes{" + fields.map { "\($0.prefix(1).uppercased() + $0.dropFirst()):\(value[$0]?.stringValue ?? ""),"
        }.joined() + "}"
    }
}
