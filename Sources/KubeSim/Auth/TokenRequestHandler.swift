import Unstructured

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension KubeSimCore {
    /// `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`: issues a token for the ServiceAccount, as
    /// pkg/registry/core/serviceaccount/storage/token.go does.
    ///
    /// A name or namespace in the body must match the URL (422); the ServiceAccount must exist (404); empty
    /// `spec.audiences` become the API server's; `spec.expirationSeconds` defaults to 3600 and must be at least
    /// 600 and at most 2^32 (422, kind TokenRequest, name ""); a `boundObjectRef` must name an existing Pod, Secret
    /// or Node (400 for other kinds, 404 when missing, 409 on a uid mismatch). The answer is 201 with
    /// `status.token` and `status.expirationTimestamp`.
    ///
    /// https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
    func createToken(namespace: String, name: String, request: APIRequest) throws -> APIResponse {
        let body = try request.jsonBody()
        guard body.objectValue != nil else { throw APIError.badRequest("the body of the request must be a TokenRequest") }
        let kindName = ("TokenRequest", "authentication.k8s.io")
        if let bodyName = body[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.invalid(
                kind: kindName.0, group: kindName.1, name: name,
                errors: [.invalid("metadata.name", value: .string(bodyName), "must match the service account name if specified")])
        }
        if let bodyNamespace = body[path: ["metadata", "namespace"]]?.stringValue, !bodyNamespace.isEmpty,
            bodyNamespace != namespace
        {
            throw APIError.invalid(
                kind: kindName.0, group: kindName.1, name: name,
                errors: [
                    .invalid(
                        "metadata.namespace", value: .string(bodyNamespace),
                        "must match the service account namespace if specified")
                ])
        }
        let accounts = BuiltinResources.serviceAccounts
        guard let account = store.state.withLock({ $0.get(accounts.id, "\(namespace)/\(name)")?.value }) else {
            throw APIError.notFound(accounts, name: name)
        }
        var audiences = body[path: ["spec", "audiences"]]?.arrayValue?.compactMap(\.stringValue) ?? []
        if audiences.isEmpty { audiences = apiAudiences }
        let expiration = body[path: ["spec", "expirationSeconds"]]?.intValue ?? 3600
        var problems: [FieldProblem] = []
        if expiration < 600 {
            problems.append(
                .invalid("spec.expirationSeconds", value: .int(expiration), "may not specify a duration less than 10 minutes"))
        }
        if expiration > 1 << 32 {
            problems.append(
                .invalid("spec.expirationSeconds", value: .int(expiration), "may not specify a duration larger than 2^32 seconds"))
        }
        if !problems.isEmpty { throw APIError.invalid(kind: kindName.0, group: kindName.1, name: "", errors: problems) }
        let bound = try boundObject(body[path: ["spec", "boundObjectRef"]], namespace: namespace)

        let now = tokens.now()
        let issued = IssuedToken(
            namespace: namespace, serviceAccountName: name,
            serviceAccountUID: account[path: ["metadata", "uid"]]?.stringValue ?? "", audiences: audiences,
            issuedAt: now, expiresAt: now + expiration, id: Sim.newUID(), boundObject: bound)
        let token = request.query.isDryRun ? "" : tokens.issue(issued, issuer: configuration.serviceAccountIssuer)
        var spec: JSONObject = [
            "audiences": .array(audiences.map { .string($0) }), "expirationSeconds": .int(expiration),
        ]
        if let ref = body[path: ["spec", "boundObjectRef"]], ref != .null { spec["boundObjectRef"] = ref }
        let answer: JSONValue = [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "creationTimestamp": .string(Self.rfc3339(now)),
            ],
            "spec": .object(spec),
            "status": ["token": .string(token), "expirationTimestamp": .string(Self.rfc3339(now + expiration))],
        ]
        return .json(201, answer)
    }

    private func boundObject(_ ref: JSONValue?, namespace: String) throws -> IssuedToken.BoundObject? {
        guard let ref, ref.objectValue != nil else { return nil }
        let kind = ref["kind"]?.stringValue ?? ""
        let info: ResourceInfo
        switch kind {
        case "Pod": info = BuiltinResources.pods
        case "Secret": info = registry.lookup(group: "", version: "v1", plural: "secrets")!
        case "Node": info = BuiltinResources.nodes
        default: throw APIError.badRequest("cannot bind token for object of kind \"\(kind)\"")
        }
        let name = ref["name"]?.stringValue ?? ""
        guard let object = store.state.withLock({ $0.get(info.id, info.namespaced ? "\(namespace)/\(name)" : name)?.value })
        else { throw APIError.notFound(info, name: name) }
        let uid = object[path: ["metadata", "uid"]]?.stringValue ?? ""
        if let wanted = ref["uid"]?.stringValue, !wanted.isEmpty, wanted != uid {
            throw APIError(
                code: 409, reason: "Conflict",
                message: "the UID in the bound object reference (\(wanted)) does not match the UID in record. "
                    + "The object might have been deleted and then recreated",
                details: [:])
        }
        return IssuedToken.BoundObject(resource: info, kind: kind, name: name, uid: uid)
    }

    /// `seconds` since the epoch as metav1.Time.
    static func rfc3339(_ seconds: Int64) -> String {
        Sim.timestamp(offsetSeconds: seconds - Int64(Date().timeIntervalSince1970))
    }
}
